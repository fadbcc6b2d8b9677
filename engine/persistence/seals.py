"""Seals: digests of the case, evidence and override rows, carried by the audit chain.

Every flush that inserts or changes one of these rows marks it unsealed in the session; the
next audit entry of the transaction records the digest of each such row as it now stands
(``rows`` of the entry, under the entry's HMAC).  Verification recomputes the digest of every
current row and compares it with the latest one the chain carries: a row edited, added or
deleted behind the engine's back no longer matches."""
import hashlib
import json
from datetime import datetime

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from ..domain.clock import as_utc
from .models import Case, Evidence, Override

COVERED = {Case: "case", Evidence: "evidence", Override: "override"}
UNSEALED = "habeas_unsealed"


def row_key(obj) -> str:
    return f"{COVERED[type(obj)]}:{obj.id}"


def key_of(model, row_id: int) -> str:
    return f"{COVERED[model]}:{row_id}"


def _plain(value):
    if isinstance(value, datetime):
        return as_utc(value).isoformat(timespec="microseconds")
    return value


def row_digest(obj) -> str:
    """SHA-256 over every column of the row, as the database gives it back."""
    return _digest({attr.key: getattr(obj, attr.key) for attr in inspect(type(obj)).column_attrs})


def _digest(values: dict) -> str:
    body = json.dumps({k: _plain(v) for k, v in values.items()}, sort_keys=True, separators=(",", ":"),
                      default=str, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def values_digest(model, values: dict) -> str:
    """``row_digest`` of a row inserted with Core from ``values`` (a bulk insert): the columns it
    leaves out take their insert defaults, as the insert gave them."""
    full = {}
    for attr in inspect(model).column_attrs:
        column = attr.columns[0]
        if column.key in values:
            full[attr.key] = values[column.key]
        elif column.default is not None and column.default.is_scalar:
            full[attr.key] = column.default.arg
        elif column.default is not None and column.default.is_callable:
            full[attr.key] = column.default.arg(None)
        else:
            full[attr.key] = None
    return _digest(full)


@event.listens_for(Session, "after_flush")
def _track(session: Session, _context) -> None:
    pending = None
    for obj in (*session.new, *session.dirty):
        if type(obj) in COVERED:
            pending = pending if pending is not None else session.info.setdefault(UNSEALED, {})
            pending[id(obj)] = obj


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    """What a rolled-back transaction wrote is not there to seal."""
    session.info.pop(UNSEALED, None)


def has_unsealed(session: Session) -> bool:
    return bool(session.info.get(UNSEALED))


def take_unsealed(session: Session) -> dict[str, str] | None:
    """The digests of the rows written since the last seal, as they stand now (None if none)."""
    pending = session.info.pop(UNSEALED, None)
    if not pending:
        return None
    return {row_key(obj): row_digest(obj) for obj in pending.values() if obj.id is not None}


def all_rows(session: Session, batch: int = 500):
    """(key, digest) of every covered row, read in batches."""
    for model in COVERED:
        last_id = 0
        while True:
            rows = session.execute(select(model).where(model.id > last_id).order_by(model.id)
                                   .limit(batch)).scalars().all()
            if not rows:
                break
            for row in rows:
                last_id = row.id
                yield row_key(row), row_digest(row)
            session.expunge_all()


def check_rows(session: Session, sealed: dict[str, str], limit: int = 50) -> list[str]:
    """Compare every covered row with the latest seal the chain carries for it."""
    problems: list[str] = []
    seen: set[str] = set()
    for key, digest in all_rows(session):
        seen.add(key)
        kind, row_id = key.split(":")
        expected = sealed.get(key)
        if expected is None:
            problems.append(f"{kind} {row_id} was written outside the audit trail (no seal)")
        elif expected != digest:
            problems.append(f"{kind} {row_id} does not match the seal in the audit trail (edited)")
    for key in sorted(set(sealed) - seen):
        kind, row_id = key.split(":")
        problems.append(f"{kind} {row_id} is sealed in the audit trail but missing (deleted)")
    if len(problems) > limit:
        problems = problems[:limit] + [f"... and {len(problems) - limit} more rows"]
    return problems
