"""The fingerprint that binds an approval to exact content.

fingerprint = "sha256:" + hex SHA-256 of the UTF-8 bytes of this JSON object, with keys sorted, no
spaces (separators "," and ":") and non-ASCII characters kept as they are:

    {"body": BODY, "effective": "YYYY-MM-DD" or null, "id": ID, "revision": "REV",
     "title": TITLE, "type": TYPE, "v": 1}

BODY is everything after the line that closes the front matter, with CRLF and CR turned into LF.
Approvals, periodic reviews, status and other bookkeeping are left out, so signing does not change
what was signed. "v" is the version of this serialisation.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

VERSION = 1


def canonical(doc_id: str, title: str, doc_type: str, revision: str, effective: date | None, body: str) -> bytes:
    """The exact bytes that are hashed."""
    payload = {
        "v": VERSION,
        "id": doc_id,
        "title": title,
        "type": doc_type,
        "revision": revision,
        "effective": effective.isoformat() if effective else None,
        "body": body.replace("\r\n", "\n").replace("\r", "\n"),
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fingerprint(doc_id: str, title: str, doc_type: str, revision: str, effective: date | None, body: str) -> str:
    """`sha256:<hex>` of the canonical serialisation."""
    return "sha256:" + hashlib.sha256(canonical(doc_id, title, doc_type, revision, effective, body)).hexdigest()
