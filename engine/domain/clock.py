"""One injectable clock: services ask it for the time, tests move it instead of sleeping."""
from datetime import datetime, timedelta, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SystemClock:
    def now(self) -> datetime:
        return utcnow()


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime):
        self._at = as_utc(at)

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta) -> None:
        self._at += timedelta(**delta)

    def set(self, at: datetime) -> None:
        self._at = as_utc(at)


class VirtualClock:
    """A practice case's clock: it stands at the moment the case was opened plus the time the
    trainee has advanced ("2 hours later"), and moves only when they advance it, so a pause in
    the lesson is no time in the case.  Services only ever ask ``now()``, so they need not know."""

    def __init__(self, start: datetime, advanced: timedelta):
        self._at = as_utc(start) + advanced

    def now(self) -> datetime:
        return self._at


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken to be UTC (that is how the database returns them on SQLite)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def parse_instant(text) -> datetime | None:
    """Parse an ISO-8601 instant (``Z`` accepted); ``None`` for empty input."""
    if text in (None, ""):
        return None
    if isinstance(text, datetime):
        return as_utc(text)
    return as_utc(datetime.fromisoformat(str(text).replace("Z", "+00:00")))
