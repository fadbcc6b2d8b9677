"""Issue 13, finding 4: the audit trail cannot be rewritten whole.  Each attack that verified
as intact before (the whole trail and head deleted, the tail cut and the head moved, an entry
edited and the chain recomputed, evidence/case/override rows edited) is now detected, on SQLite
and PostgreSQL."""
import hashlib
import json

import pytest
from sqlalchemy import select, text, update

from engine.persistence import anchor, audit
from engine.persistence.models import AuditEntry, AuditHead, Case, Evidence, Override
from engine.services import rights
from engine.fixtures.demo import Driver, registration


@pytest.fixture
def driver(seeded, actors):
    return Driver(seeded, actors)


@pytest.fixture
def trail(driver, seeded, actors):
    """A case with evidence recorded and an override: every covered kind of row exists."""
    case_id = driver.open(registration(seeded.now()))
    driver.complete(case_id, "register_report")
    driver.evidence(case_id, "rights_information")
    rights.override(seeded, actors["supervising_prosecutor"], case_id, "silence_caution",
                    "the caution was given orally on video", "CPC art. 64")
    assert verify(seeded).ok, verify(seeded).problems
    return case_id


def verify(ctx, **kwargs):
    with ctx.unit_of_work() as s:
        return audit.verify(s, anchor_file=ctx.anchor, **kwargs)


def tamper(ctx, *statements) -> None:
    """Write to the database behind the engine's back, as an intruder with database access."""
    with ctx.unit_of_work() as s:
        for statement in statements:
            s.execute(statement if not isinstance(statement, str) else text(statement))


def problems(ctx) -> list[str]:
    report = verify(ctx)
    assert not report.ok
    return list(report.problems)


def test_each_commit_anchors_the_head_outside_the_database(trail, seeded):
    heads = anchor.read(seeded.anchor)
    with seeded.unit_of_work() as s:
        head = s.get(AuditHead, 1)
    assert max(heads) == head.seq and heads[head.seq] == head.hash


def test_deleting_every_entry_and_the_head_is_detected(trail, seeded):
    tamper(seeded, "DELETE FROM audit_log", "DELETE FROM audit_head")
    found = problems(seeded)
    assert any("the whole trail was deleted" in p for p in found), found


def test_cutting_the_tail_and_moving_the_head_is_detected(trail, seeded):
    with seeded.unit_of_work() as s:
        last = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(2)).scalars().all()
    tamper(seeded, f"DELETE FROM audit_log WHERE seq = {last[0].seq}",
           update(AuditHead).where(AuditHead.id == 1).values(seq=last[1].seq, hash=last[1].hash))
    found = problems(seeded)
    assert any(f"anchored entry #{last[0].seq} is missing" in p for p in found), found


def test_editing_an_entry_and_recomputing_the_chain_without_the_key_is_detected(trail, seeded):
    """The intruder rewrites one payload and recomputes every hash after it, as SHA-256 (the old
    scheme) or as an HMAC with a key of their own; neither is the key outside the database."""
    with seeded.unit_of_work() as s:
        entries = s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
        prev = audit.GENESIS
        for e in entries:
            payload = {**e.payload, "forged": True} if e.seq == 3 else e.payload
            digest = audit.payload_digest(payload)
            mac = audit.keyed_hash(b"the intruder's own key", e.seq, e.at, e.actor, e.action, e.case_id,
                                   digest, e.rows, prev)
            e.payload, e.payload_digest, e.prev_hash, e.hash = payload, digest, prev, mac
            prev = mac
        s.execute(update(AuditHead).values(seq=entries[-1].seq, hash=prev))
    found = problems(seeded)
    assert any("#1: content does not match its hash" in p for p in found), found


def test_downgrading_the_chain_to_unkeyed_hashes_is_detected(trail, seeded):
    with seeded.unit_of_work() as s:
        entries = s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
        prev = audit.GENESIS
        for e in entries:
            e.scheme, e.prev_hash = audit.LEGACY, prev
            e.hash = prev = audit.entry_hash(e.seq, e.at, e.actor, e.action, e.case_id, e.payload, prev)
        s.execute(update(AuditHead).values(seq=entries[-1].seq, hash=prev))
    found = problems(seeded)
    assert any("has another hash than when it was anchored" in p for p in found), found


@pytest.mark.parametrize("kind, statement", [
    ("evidence", "UPDATE evidence SET occurred_at = occurred_at - interval '1 day'"),
    ("evidence", "UPDATE evidence SET data = '{\"forged\": true}'"),
    ("case", "UPDATE cases SET facts = '{\"suspect_name\": \"Someone Else\"}'"),
    ("case", "UPDATE cases SET stage = 'trial'"),
    ("override", "UPDATE overrides SET legal_ground = 'none'"),
], ids=["evidence-time", "evidence-data", "case-facts", "case-stage", "override-ground"])
def test_editing_a_sealed_row_is_detected(trail, seeded, kind, statement):
    if "interval" in statement and seeded.sessions.kw["bind"].dialect.name == "sqlite":
        statement = "UPDATE evidence SET occurred_at = '2020-01-01 00:00:00.000000'"
    tamper(seeded, statement)
    found = problems(seeded)
    assert any(p.startswith(f"{kind} ") and "(edited)" in p for p in found), found


def test_a_row_added_or_deleted_behind_the_engines_back_is_detected(trail, seeded):
    with seeded.unit_of_work() as s:
        row = s.execute(select(Evidence)).scalars().first()
        values = {c: getattr(row, c) for c in ("case_id", "checkpoint", "data", "occurred_at", "recorded_at",
                                                "recorded_by")}
    tamper(seeded, Evidence.__table__.insert().values(**values), "DELETE FROM overrides")
    found = problems(seeded)
    assert any("written outside the audit trail" in p and p.startswith("evidence") for p in found), found
    assert any(p.startswith("override") and "(deleted)" in p for p in found), found


def test_rows_changed_after_the_last_entry_are_sealed_by_an_entry_of_their_own(trail, seeded):
    with seeded.unit_of_work() as s:
        s.get(Case, trail).unit = "Another unit"
    with seeded.unit_of_work() as s:
        last = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
    assert last.action == "rows.sealed" and f"case:{trail}" in last.rows
    assert verify(seeded).ok


def test_the_wrong_key_fails_verification_and_says_so(trail, seeded, monkeypatch):
    monkeypatch.setenv("HABEAS_AUDIT_KEY", "another-key-of-sufficient-length")
    found = problems(seeded)
    assert "audit key is not the one" in found[0]


def test_the_quick_check_reads_the_trail_only(trail, seeded):
    tamper(seeded, "UPDATE overrides SET reason = 'changed'")
    assert verify(seeded, rows=False).ok
    assert not verify(seeded).ok


def test_a_trail_from_before_the_key_still_verifies_after_the_upgrade_and_goes_on_keyed(tmp_path):
    """An existing database: its plain SHA-256 entries verify as a prefix; its rows get sealed."""
    from datetime import datetime, timezone
    from engine.persistence.database import make_engine
    from engine.persistence.migrate import upgrade
    from engine.services import bootstrap
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine, "0003")
    at, prev = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc), audit.GENESIS
    with engine.begin() as conn:
        for seq in (1, 2):
            digest = audit.entry_hash(seq, at, "console", "user.added", None, {"username": f"u{seq}"}, prev)
            conn.execute(text("INSERT INTO audit_log (seq, at, actor, action, case_id, payload, prev_hash, hash) "
                              "VALUES (:seq, :at, 'console', 'user.added', NULL, :payload, :prev, :hash)"),
                         {"seq": seq, "at": at.isoformat(sep=" "), "payload": json.dumps({"username": f"u{seq}"}),
                          "prev": prev, "hash": digest})
            prev = digest
        conn.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 2, :hash)"), {"hash": prev})
    engine.dispose()
    bootstrap.init_database(url)
    ctx = bootstrap.habeas(url, anchor=str(tmp_path / "anchor.jsonl"))
    with ctx.unit_of_work() as s:
        audit.append(s, at=at, actor="console", action="user.added", case_id=None, payload={"username": "u3"})
    assert verify(ctx).ok, verify(ctx).problems
    with ctx.unit_of_work() as s:
        schemes = s.execute(select(AuditEntry.scheme).order_by(AuditEntry.seq)).scalars().all()
    assert schemes == [audit.LEGACY, audit.LEGACY, audit.KEYED]
    bootstrap._engine(url).dispose()
