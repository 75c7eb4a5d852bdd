"""Change rules for qms.yml: who may sign is itself controlled.

A commit that changes what qms.yml says (comments and layout are free) must be made by a holder of an
administering role under the qms.yml in force before it, signed with their key where signatures are required,
and say what changed and why in a `Config-Change:` trailer; what it leaves must be a readable qms.yml. The files
that qms.yml `controlled` names (how the QMS is enforced and published: mkdocs.yml, the hooks, CI) change alike.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...model.config import ConfigError, parse_config, settings
from ...model.finding import Finding
from ...model.transition import CONFIG_TRAILER, Kind, Transition, made_on_force, parsed_config
from . import Context, by, finding
from .signatures import signed_by


def check_configuration(t: Transition, ctx: Context) -> Iterator[Finding]:
    """One act's change to qms.yml."""
    if t.kind is not Kind.CONFIG or settings(t.before_text) == settings(t.after_text) and t.after_path:
        return
    act, config = t.act, ctx.config
    if t.after_path is None:
        yield finding(t, 1, "QMS152", f"qms.yml deleted by {by(act)}", "restore it: the QMS cannot be judged "
                      "without its configuration")
    else:
        try:
            parse_config(t.after_text.encode("utf-8"))
        except ConfigError as exc:
            first = exc.findings[0]
            yield finding(t, first.line, "QMS152", f"qms.yml as committed by {by(act)} cannot be used: "
                          f"{first.code} {first.message}", "fix qms.yml; until then the configuration before this "
                          "commit stays in force")
    if not config.may_administer(act.author):
        roles = ", ".join(config.administrators or ()) or "any role"
        yield finding(t, 1, "QMS150", f"qms.yml changed by {by(act)}, who holds no administering role ({roles}) "
                      "under the qms.yml in force before the change", "an administrator makes configuration "
                      "changes, as themselves; the change grants nothing until then")
    elif t.after_path and act.config is not None and not made_on_force(act.config, parsed_config(t.before_text)) \
            and parsed_config(t.after_text) != act.config:  # putting qms.yml back as in force is the way out
        yield finding(t, 1, "QMS154", f"qms.yml changed by {by(act)} on a version of it that is not in force: an "
                      "earlier change to it was not authorised, and this commit would bring it in unseen, so it does "
                      "not come into force", "put qms.yml back as it is in force (qms config-history names the "
                      "change), commit that, then make your change")
    if not act.staged and not act.trailer(CONFIG_TRAILER):
        yield finding(t, 1, "QMS151", f"the commit changing qms.yml ({act.short}) does not say what changed and why",
                      f"end the commit message with a trailer line '{CONFIG_TRAILER}: <what changed, and why>'")
    yield from signed_by(t, act.author, "change to qms.yml", 1, ctx)


def check_controlled(t: Transition, ctx: Context) -> Iterator[Finding]:
    """One act's change to a file the qms.yml in force at its parent controls (`controlled`): an administrator's,
    with a `Config-Change:` trailer, signed where signatures are required."""
    if t.kind is not Kind.CONTROLLED or not ctx.config.controls(t.path):
        return
    act, config = t.act, ctx.config
    verb = "deleted" if t.after_path is None else "added" if t.before_path is None else "changed"
    if not config.may_administer(act.author):
        roles = ", ".join(config.administrators or ()) or "any role"
        yield finding(t, 1, "QMS150", f"{t.path}, which qms.yml controls, {verb} by {by(act)}, who holds no "
                      f"administering role ({roles}) under the qms.yml in force before the change",
                      f"an administrator makes changes to {t.path}, as themselves; restore it until then")
    if not act.staged and not act.trailer(CONFIG_TRAILER):
        yield finding(t, 1, "QMS151", f"the commit that {verb} {t.path}, which qms.yml controls ({act.short}), does "
                      "not say what changed and why", f"end the commit message with a trailer line "
                      f"'{CONFIG_TRAILER}: <what changed, and why>'")
    yield from signed_by(t, act.author, f"change to {t.path}", 1, ctx)
