"""The app's OpenAPI document on stdout: `python -m devtools.openapi_json > web/openapi.json`.

The portal's typed client (web/src/api/schema.d.ts, by openapi-typescript) is generated from it at
build time, so the portal cannot drift from the routes the app declares.
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    import chalicelib.http.features  # noqa: F401 - publishes the routes
    from chalicelib.http.openapi import document

    sys.stdout.write(json.dumps(document(), ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
