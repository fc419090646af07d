#!/usr/bin/env bash
# Build the WeasyPrint layer zip in Docker and, with --publish, publish it to Lambda.
#   layer/build.sh [--publish]      (AWS_REGION / AWS_DEFAULT_REGION, else ap-southeast-1)
# Writes build/layer/weasyprint-layer.zip; --publish prints the version to deploy with
# (WeasyPrintLayerVersion=<n>). See layer/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=$(sed -n 's/^ARG WEASYPRINT_VERSION=//p' layer/Dockerfile)
LAYER="thidua-weasyprint-${VERSION//./-}"   # the name .chalice/config.json refers to
docker build --platform linux/amd64 -f layer/Dockerfile --target layer --output type=local,dest=build/layer .
echo "build/layer/weasyprint-layer.zip (WeasyPrint $VERSION, layer $LAYER)"
if [ "${1:-}" = "--publish" ]; then
  REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-ap-southeast-1}}
  aws lambda publish-layer-version --region "$REGION" --layer-name "$LAYER" \
      --description "Pango, HarfBuzz, fontconfig and fonts for WeasyPrint $VERSION (thidua)" \
      --license-info "LGPL-2.1-or-later; fonts OFL-1.1 and Bitstream-Vera" \
      --compatible-runtimes python3.13 --compatible-architectures x86_64 \
      --zip-file fileb://build/layer/weasyprint-layer.zip --query Version --output text
fi
