"""Typed options of the `qms` MkDocs plugin."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class QmsPluginConfig(base.Config):  # type: ignore[no-untyped-call]
    """Options under `plugins: - qms:` in mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off (the site would then publish every file, drafts included)."""
    build_date = c.Optional(c.Type(str))
    """Publish the manual as it was effective on this date (YYYY-MM-DD); default: today, UTC."""
