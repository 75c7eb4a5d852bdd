"""Which key `git commit -S` will sign with, read from Git's own settings, as the fingerprints qms.yml lists."""

from __future__ import annotations

import os
import subprocess

from ..model.keys import BadKey, key_id
from . import git


def signing_keys(root: str) -> set[str]:
    """The fingerprints of the key Git is set to sign with (a GPG key also by its subkeys); empty if none is
    set or it cannot be read."""
    fmt = _setting(root, "gpg.format") or "openpgp"
    key = _setting(root, "user.signingkey")
    if fmt == "ssh":
        return _ssh(root, key)
    if fmt == "openpgp":
        return _gpg(root, key or git.identity(root)[1])
    return set()


def _setting(root: str, name: str) -> str:
    return git.run(["config", "--get", name], root, check=False).decode("utf-8", errors="replace").strip()


def _ssh(root: str, key: str) -> set[str]:
    if not key:
        return set()
    if key.startswith("key::"):
        line = key[len("key::"):]
    else:
        path = os.path.join(root, os.path.expanduser(key))
        public = path if path.endswith(".pub") else path + ".pub"
        if os.path.isfile(public):
            with open(public, encoding="utf-8", errors="replace") as handle:
                line = handle.read()
        else:
            result = subprocess.run(["ssh-keygen", "-y", "-P", "", "-f", path], capture_output=True, text=True,
                                    check=False)
            line = result.stdout
    try:
        return {key_id(line.strip())}
    except BadKey:
        return set()


def _gpg(root: str, wanted: str) -> set[str]:
    program = _setting(root, "gpg.program") or "gpg"
    try:
        result = subprocess.run([program, "--batch", "--with-colons", "--list-secret-keys", wanted],
                                capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return set()
    return {fields[9].upper() for fields in (line.split(":") for line in result.stdout.splitlines())
            if fields[0] == "fpr" and len(fields) > 9}
