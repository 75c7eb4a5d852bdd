"""Signing keys as qms.yml lists them, reduced to the fingerprints Git reports for a signature.

An SSH public key (`ssh-ed25519 AAAA... comment`) is known by `SHA256:` and the unpadded base64 SHA-256 of its
key blob, exactly as `ssh-keygen -lf` and Git's `%GK` print it. A GPG key is known by its 40-hex fingerprint,
which Git prints as `%GF` (the signing key) and `%GP` (its primary key).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re

_SSH_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
              "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")


class BadKey(ValueError):
    """A key that cannot be read; the message says what was expected."""


def key_id(text: str) -> str:
    """The fingerprint by which Git will name a signature made with this key."""
    words = text.split()
    if words and words[0] in _SSH_TYPES:
        if len(words) < 2:
            raise BadKey("SSH public key has no key data after its type")
        try:
            blob = base64.b64decode(words[1], validate=True)
        except (binascii.Error, ValueError):
            raise BadKey("SSH public key data is not base64") from None
        return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")
    compact = "".join(words).upper()
    if re.fullmatch(r"[0-9A-F]{40}", compact):
        return compact
    raise BadKey("must be an SSH public key line (ssh-ed25519 AAAA...) or a 40-hex GPG fingerprint")


def describe(key: str) -> str:
    """A key fingerprint as messages show it."""
    return key if key.startswith("SHA256:") else f"GPG {key}"
