"""The report filters as a reviewer types them: a period in calendar days of the configured zone
(from and to both inclusive, default the last 90 days), a unit and a prosecutor; for the
drill-down also a checkpoint and a status.  Validated with marshmallow at the edge; the
services get UTC instants."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from engine.domain import catalogue
from engine.domain.stages import STAGE_BY_ID
from engine.services.reports import DRILLABLE
from engine.services.trail import TrailFilter

DEFAULT_DAYS = 90


class FilterSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    start = fields.Date(data_key="from", load_default=None)
    end = fields.Date(data_key="to", load_default=None)
    unit = fields.String(load_default=None, validate=validate.Length(max=80))
    prosecutor = fields.String(load_default=None, validate=validate.Length(max=80))

    @validates_schema
    def _period_in_order(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError("the period must not end before it starts", "to")


class DrillDownSchema(FilterSchema):
    checkpoint = fields.String(load_default=None, validate=validate.OneOf(list(catalogue.CATALOGUE)))
    status = fields.String(required=True, validate=validate.OneOf(DRILLABLE))
    case = fields.String(load_default=None, validate=validate.Length(max=40))  # part of a case number


class TrailSchema(FilterSchema):
    """A case's audit trail, filtered as the drill-down came to it or as the reviewer narrows it."""
    checkpoint = fields.String(load_default=None, validate=validate.OneOf(list(catalogue.CATALOGUE)))
    stage = fields.String(load_default=None, validate=validate.OneOf(list(STAGE_BY_ID)))
    status = fields.String(load_default=None, validate=validate.OneOf(DRILLABLE))


@dataclass
class ReportFilters:
    """What the reviewer asked for, or the defaults, and any problems with what they typed."""

    first_day: date
    last_day: date
    zone: ZoneInfo
    unit: str | None = None
    prosecutor: str | None = None
    checkpoint: str | None = None
    status: str | None = None
    case: str | None = None
    errors: dict = field(default_factory=dict)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, self.zone)

    @property
    def end(self) -> datetime:
        """The start of the day after the last day: the period includes its last day."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, self.zone)

    def service_args(self) -> dict:
        return {"start": self.start, "end": self.end, "unit": self.unit, "prosecutor": self.prosecutor}

    def query(self, **changes) -> dict:
        """The query-string arguments that reproduce these filters (for links and exports)."""
        args = {"from": self.first_day.isoformat(), "to": self.last_day.isoformat(), "unit": self.unit,
                "prosecutor": self.prosecutor, **changes}
        return {k: v for k, v in args.items() if v}


def _iso_day(name: str, value: str) -> str:
    """The period's days as people type them here (``01.03.2026``) or as links carry them (ISO)."""
    if name in ("from", "to"):
        try:
            return datetime.strptime(value, "%d.%m.%Y").date().isoformat()
        except ValueError:
            return value
    return value


def parse(args, today: date, zone: ZoneInfo, drill_down: bool = False) -> ReportFilters:
    """Read the filters from a query string.  Bad input changes nothing: the defaults are used
    and the problems are returned for the page to show."""
    raw = {k: _iso_day(k, v.strip()) for k, v in args.items() if v and v.strip()}
    schema = DrillDownSchema() if drill_down else FilterSchema()
    try:
        data, errors = schema.load(raw), {}
    except ValidationError as err:
        data, errors = {}, err.messages
    last_day = data.get("end") or today
    first_day = data.get("start") or last_day - timedelta(days=DEFAULT_DAYS)
    if first_day > last_day:
        errors = {"from": ["the period must not start after today"]}
        data, last_day, first_day = {}, today, today - timedelta(days=DEFAULT_DAYS)
    return ReportFilters(first_day=first_day, last_day=last_day, zone=zone, unit=data.get("unit"),
                         prosecutor=data.get("prosecutor"), checkpoint=data.get("checkpoint"),
                         status=data.get("status"), case=data.get("case"), errors=errors)


@dataclass
class AuditFilters:
    """The filter of a case's audit trail: no period unless one is given (the whole trail)."""

    zone: ZoneInfo
    first_day: date | None = None
    last_day: date | None = None
    checkpoint: str | None = None
    stage: str | None = None
    status: str | None = None
    unit: str | None = None
    prosecutor: str | None = None
    errors: dict = field(default_factory=dict)

    def trail_filter(self) -> TrailFilter:
        start = datetime.combine(self.first_day, time.min, self.zone) if self.first_day else None
        end = datetime.combine(self.last_day + timedelta(days=1), time.min, self.zone) if self.last_day else None
        return TrailFilter(checkpoint=self.checkpoint, stage=self.stage, status=self.status, start=start, end=end)

    def query(self, **changes) -> dict:
        args = {"from": self.first_day.isoformat() if self.first_day else None,
                "to": self.last_day.isoformat() if self.last_day else None, "checkpoint": self.checkpoint,
                "stage": self.stage, "status": self.status, "unit": self.unit, "prosecutor": self.prosecutor,
                **changes}
        return {k: v for k, v in args.items() if v}


def parse_audit(args, zone: ZoneInfo) -> AuditFilters:
    """Read a trail's filter; bad input changes nothing: the whole trail is shown and the
    problems are returned for the page to show."""
    raw = {k: _iso_day(k, v.strip()) for k, v in args.items() if v and v.strip()}
    try:
        data = TrailSchema().load(raw)
    except ValidationError as err:
        return AuditFilters(zone=zone, errors=err.messages)
    return AuditFilters(zone=zone, first_day=data.get("start"), last_day=data.get("end"),
                        checkpoint=data.get("checkpoint"), stage=data.get("stage"), status=data.get("status"),
                        unit=data.get("unit"), prosecutor=data.get("prosecutor"))
