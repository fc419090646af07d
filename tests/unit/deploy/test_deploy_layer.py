"""The WeasyPrint layer recipe (layer/) is tied to requirements.txt and to the stage configuration."""

from __future__ import annotations

import re
from pathlib import Path

from devtools import package

ROOT = Path(__file__).resolve().parents[3]


def pinned(name: str) -> str:
    match = re.search(rf"^{name}==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M | re.I)
    assert match, f"{name} is not pinned in requirements.txt"
    return match.group(1)


def recipe_version() -> str:
    match = re.search(r"^ARG WEASYPRINT_VERSION=(\S+)$", (ROOT / "layer/Dockerfile").read_text(), re.M)
    assert match, "layer/Dockerfile has no ARG WEASYPRINT_VERSION=<version>"
    return match.group(1)


def test_the_layer_is_built_and_checked_for_the_weasyprint_of_requirements_txt():
    assert recipe_version() == pinned("weasyprint")
    dockerfile = (ROOT / "layer/Dockerfile").read_text()
    assert 'pip install --no-cache-dir --target /tmp/wp "weasyprint==${WEASYPRINT_VERSION}"' in dockerfile
    assert "smoke.py \"${WEASYPRINT_VERSION}\"" in dockerfile  # the render proof runs with that version


def test_the_stages_refer_to_the_layer_of_that_version():
    name = "thidua-weasyprint-" + recipe_version().replace(".", "-")
    assert 'LAYER="thidua-weasyprint-${VERSION//./-}"' in (ROOT / "layer/build.sh").read_text()
    for stage in package.STAGES:
        for function in ("compile_due_conferences", "compile_conference"):
            (layer,) = package.function_settings(stage, function)["layers"]
            assert layer.split(":layer:")[1] == f"{name}:${{WeasyPrintLayerVersion}}", (stage, function)
        assert "layers" not in package.function_settings(stage, "api_handler")  # the API never loads WeasyPrint


def test_the_recipe_targets_the_lambda_runtime_and_ships_fonts_with_their_config():
    dockerfile = (ROOT / "layer/Dockerfile").read_text()
    assert "FROM public.ecr.aws/lambda/python:3.13 AS check" in dockerfile
    assert "FROM public.ecr.aws/amazonlinux/amazonlinux:2023 AS natives" in dockerfile
    assert "COPY templates/assets/fonts/ /opt/fonts/liberation/" in dockerfile
    conf = (ROOT / "layer/fonts.conf").read_text()
    assert "<dir>/opt/fonts</dir>" in conf and "<cachedir>/tmp/" in conf
    libs = (ROOT / "layer/libs.py").read_text()
    ffi = Path(__import__("weasyprint").__file__).parent / "text" / "ffi.py"
    for soname in re.findall(r'"(lib[a-z0-9-]+\.so\.\d+)"', libs.split("ROOTS = ")[1].split(")")[0]):
        assert f"'{soname}'" in ffi.read_text(), soname  # what this WeasyPrint actually dlopens
