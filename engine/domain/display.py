"""Times for people: stored and computed in UTC, shown in one configured zone (default
``Asia/Almaty``; ``HABEAS_TIMEZONE`` or ``Params.display_timezone``)."""
import os
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .clock import as_utc
from .params import Params

DEFAULT_ZONE = "Asia/Almaty"


def display_zone(params: Params | None = None, environ=os.environ) -> ZoneInfo:
    """``HABEAS_TIMEZONE`` if set, else the parameter, else Asia/Almaty."""
    name = environ.get("HABEAS_TIMEZONE") or (params.display_timezone if params else "") or DEFAULT_ZONE
    return ZoneInfo(name)


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    """``2026-03-04 14:00 +05`` in the display zone; an empty string for no time."""
    if moment is None:
        return ""
    local = as_utc(moment).astimezone(zone)
    offset = local.strftime("%z")
    short = offset[:3] if offset.endswith("00") else f"{offset[:3]}:{offset[3:]}"
    return f"{local:%Y-%m-%d %H:%M} {short}"


def time_left(due: datetime, now: datetime) -> str:
    """``1 d 03 h 05 min`` left, or ``overdue by 2 h 10 min``."""
    delta = as_utc(due) - as_utc(now)
    text = _span(abs(delta))
    return text if delta >= timedelta(0) else f"overdue by {text}"


def _span(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    return f"{days} d {hours:02d} h {minutes:02d} min" if days else f"{hours} h {minutes:02d} min"


_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)?\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_span(text: str) -> timedelta:
    """``90m``, ``24h``, ``3d``, ``2w`` (a bare number is hours)."""
    match = _SPAN.match(str(text))
    if not match:
        raise ValueError(f"not a duration: {text!r} (say e.g. 90m, 24h, 3d)")
    number, unit = float(match.group(1)), (match.group(2) or "h").lower()
    return timedelta(**{_UNITS[unit]: number})
