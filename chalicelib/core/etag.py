"""The one ETag rule: a hash of everything a reader of the resource sees.

Any change a reader could notice (a field, the review state, a decision) makes a new
ETag; every write that depends on a read is conditioned on the ETag that read saw.
Versioned resources (reports, nominations) carry their version in front, so a stale
If-Match is easy to read in a log.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping


def etag_of(seen: Mapping[str, Any], version: int | None = None) -> str:
    content = json.dumps(seen, sort_keys=True, ensure_ascii=False, default=str).encode()
    digest = hashlib.sha256(content).hexdigest()
    return f"{version}-{digest[:16]}" if version is not None else digest[:20]
