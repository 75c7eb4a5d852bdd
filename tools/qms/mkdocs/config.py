"""Typed options of the `qms` MkDocs plugin."""

from __future__ import annotations

from datetime import date

from mkdocs.config import base
from mkdocs.config import config_options as c


class QmsPluginConfig(base.Config):  # type: ignore[no-untyped-call]
    """Options under `plugins: - qms:` in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off (the site would then publish every file, drafts included)."""
    build_date = c.Optional(c.Type((str, date)))
    """Publish the manual as it was in force on this date (YYYY-MM-DD), e.g. for an audit; default: today, UTC."""
    records_register = c.Type(bool, default=False)
    """Add a records register page (ids, titles, dates, retention; never the records' contents)."""
    training = c.Type(bool, default=False)
    """Show, on each document, how many of the people concerned (qms.yml `training`) are trained on the revision
    in force."""
    history = c.Type(bool, default=True)
    """Read Git history, to publish the last effective revision of documents being revised and to show
    revision histories; without it only documents whose file is effective are published."""
    pdf = c.Type(bool, default=True)
    """Publish a controlled PDF of each document in force (pdf/ID.pdf), linked from its control block."""
