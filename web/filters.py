"""Template helpers: times shown in the configured zone, countdowns to legal deadlines."""
from datetime import datetime
from zoneinfo import ZoneInfo

from engine.domain.clock import parse_instant

from .extensions import habeas


def register(app) -> None:
    zone = ZoneInfo(app.config["TIMEZONE"])

    @app.template_filter("localtime")
    def localtime(value, fmt="%d.%m.%Y %H:%M"):
        instant = parse_instant(value) if not isinstance(value, datetime) else value
        return instant.astimezone(zone).strftime(fmt) if instant else "—"

    @app.template_filter("hours_left")
    def hours_left(value) -> float | None:
        instant = parse_instant(value) if not isinstance(value, datetime) else value
        if instant is None:
            return None
        return round((instant - habeas().now()).total_seconds() / 3600, 1)

    @app.context_processor
    def _globals():
        from .auth import current_actor
        return {"actor": current_actor(), "timezone": app.config["TIMEZONE"]}
