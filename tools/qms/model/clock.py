"""The one clock: the time every command, rule and view judges by.

`QMS_NOW` (an ISO 8601 date-time, e.g. 2026-03-01T09:00:00Z) replaces the system clock, so that tests and
demonstrations can replay a history at a fixed time. It proves nothing: Git dates and the times written into
front matter are claims, and the rules check them against each other and against this clock.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone

from ..errors import EXIT_USAGE, QmsError


def now() -> datetime:
    """The current time, UTC, to the second."""
    fixed = os.environ.get("QMS_NOW")
    if fixed:
        try:
            moment = datetime.fromisoformat(fixed.replace("Z", "+00:00"))
        except ValueError:
            raise QmsError(f"QMS_NOW='{fixed}' is not a date-time such as 2026-03-01T09:00:00Z", EXIT_USAGE) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).replace(microsecond=0)
    return datetime.now(timezone.utc).replace(microsecond=0)


def today() -> date:
    """Today's date, UTC."""
    return now().date()


def stamp(moment: datetime) -> str:
    """A time as written in approvals and reviews: 2026-02-20T10:31:00Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
