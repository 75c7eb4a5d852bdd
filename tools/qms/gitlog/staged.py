"""The staged change as one more act: the next commit, by your Git identity, now."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime

from ..model.config import CONFIG_FILE, Config
from ..model.document import parse_bytes
from ..model.transition import DISPOSITION_LOG, Act, Item, Transition
from .acts import Change, act_transitions
from . import git
from .index import load_texts, load_versions


def staged_act(root: str, now: datetime, in_force: Callable[[str], Config | None], who: tuple[str, str] | None = None,
               message: str = "", head: str | None = None) -> Act:
    """The act `git commit` would make now: HEAD (and any merge in progress) as parents, your identity (or
    `who`), judged by the configuration in force at HEAD (`in_force` of a commit; the working qms.yml before the
    first commit of one); `head`: HEAD's commit, where the caller has it."""
    name, email = who or git.identity(root)
    head = head or git.head_or_empty(root)
    parents = ([] if head == git.EMPTY_TREE else [head]) + merge_heads(root)
    config = in_force(head) if parents else None
    return Act("", tuple(parents), name, email, now, name, email, now, message, config=config)


def merge_heads(root: str) -> list[str]:
    """The commits being merged, when a merge is in progress."""
    folder = os.path.join(root, ".git")  # a worktree's .git is a file naming its folder: Git says where
    path = os.path.join(folder if os.path.isdir(folder) else git.git_dir(root), "MERGE_HEAD")
    if not os.path.exists(path):
        return []
    with open(path, encoding="ascii", errors="replace") as handle:
        return [line.strip() for line in handle if line.strip()]


def staged_transitions(root: str, act: Act) -> list[Transition]:
    """The transitions of the staged change, judged like any commit's."""
    listed = act.config.controlled if act.config is not None else ()
    diffs = [changed(root, parent, listed) for parent in (act.parents or (git.EMPTY_TREE,))]
    wanted = {blob: change.path for changes in diffs for change in changes
              for blob in (change.old_blob, change.new_blob) if blob}
    versions = load_versions(root, wanted)
    texts = load_texts(root, {blob for blob, path in wanted.items() if path in (DISPOSITION_LOG, CONFIG_FILE)})
    return act_transitions(act, diffs, versions, texts)


def changed(root: str, parent: str, controlled: tuple[str, ...] = ()) -> list[Change]:
    """Files under procedures/ and records/, qms.yml and the `controlled` files and folders, that the index changes
    against `parent`, with blob ids."""
    paths = ["procedures", "records", CONFIG_FILE, *(f":(literal){path}" for path in controlled)]
    raw = git.run(["diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff", parent, "--",
                   *paths], root).decode("utf-8", errors="surrogateescape").split("\0")
    changes = []
    for position in range(0, len(raw) - 1, 2):
        token, path = raw[position].lstrip("\n"), raw[position + 1]
        if not token.startswith(":"):
            continue
        _old_mode, _new_mode, old_blob, new_blob, status = token[1:].split(" ")
        changes.append(Change(status[0], path, None if old_blob == git.NULL_BLOB else old_blob,
                              None if new_blob == git.NULL_BLOB else new_blob))
    return changes


def proposed_transitions(root: str, act: Act, files: dict[str, bytes | None],
                         parsed: Mapping[str, Item] | None = None) -> list[Transition]:
    """The transitions a write command is about to make: each path's new bytes (None: removed) against HEAD
    (`parsed`: what the command has read those bytes as already, by path)."""
    head = act.parents[0] if act.parents else None
    old = git.read_blobs(root, [f"{head}:{path}" for path in files]) if head else {}
    changes: list[Change] = []
    versions: dict[str, Item | None] = {}
    texts: dict[str, str] = {}
    for path, new in files.items():
        before = old.get(f"{head}:{path}")
        if before is None and new is None:
            continue  # absent before and after: no change
        old_id = f"HEAD:{path}" if before is not None else None
        new_id = f"proposed:{path}" if new is not None else None
        for blob, data in ((old_id, before), (new_id, new)):
            if blob is not None and data is not None:
                item = (parsed or {}).get(path) if blob == new_id and path in (parsed or {}) else parse_bytes(data, path)
                versions[blob] = item.summary() if item is not None else None
                texts[blob] = data.decode("utf-8", errors="replace")
        changes.append(Change("M", path, old_id, new_id))
    return act_transitions(act, [changes], versions, texts)
