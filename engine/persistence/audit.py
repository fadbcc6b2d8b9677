"""The tamper-evident audit trail: one chain over every act, keyed outside the database.

Each entry's hash is an HMAC (key: ``audit_key``) over its content, the digest of its payload,
the seals of the rows the act wrote (``seals``) and the previous entry's hash; the chain's head
(last seq and hash) is kept in its own row and, after each commit, in an anchor file outside the
database (``anchor``).  Editing an entry breaks its hash and, without the key, cannot be
recomputed; deleting one breaks the link or the sequence; deleting the tail no longer matches
the head or the anchor; deleting everything no longer matches the anchor.  Erasing personal data
replaces a payload but keeps its digest, so the chain still verifies (the erasure is itself an
entry naming what it erased).

Appending locks the head row (``FOR UPDATE`` on PostgreSQL; SQLite writers are already
serialised), so the chain never forks; do it last in a transaction to hold the lock briefly.
Entries written before revision 0006_harden_trail (scheme 1, plain SHA-256) still verify, as a
prefix.
"""
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..domain.clock import SystemClock
from . import anchor, audit_key, seals
from .models import AuditEntry, AuditHead, AuditVerification

GENESIS = "0" * 64
LEGACY, KEYED = 1, 2
SYSTEM = "system"
ERASED_ACTION = "data.erased"
HEAD_INFO = "habeas_audit_head"


def _canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(seq: int, at: datetime, actor: str, action: str, case_id, payload: dict, prev_hash: str) -> str:
    """Scheme 1 (before revision 0006_harden_trail): SHA-256 over the content, payload included."""
    return hashlib.sha256(_canonical({"seq": seq, "at": at.isoformat(timespec="microseconds"), "actor": actor,
                                      "action": action, "case_id": case_id, "payload": payload,
                                      "prev": prev_hash})).hexdigest()


def payload_digest(payload: dict) -> str:
    return hashlib.sha256(_canonical(payload)).hexdigest()


def keyed_hash(key: bytes, seq: int, at: datetime, actor: str, action: str, case_id, digest: str,
               rows: dict | None, prev_hash: str) -> str:
    """Scheme 2: HMAC-SHA-256 with the key the database does not hold."""
    body = _canonical({"seq": seq, "at": at.isoformat(timespec="microseconds"), "actor": actor, "action": action,
                       "case_id": case_id, "payload": digest, "rows": rows, "prev": prev_hash})
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def append(session: Session, *, at: datetime, actor: str, action: str, case_id: int | None,
           payload: dict, seal: dict[str, str] | None = None) -> AuditEntry:
    """Append one entry to the chain in the session's transaction.  Every act has an actor.
    ``seal`` adds row digests to those of the rows the transaction wrote."""
    if not actor:
        raise ValueError("every audited act names its actor")
    key = audit_key.current()
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    payload = json.loads(json.dumps(payload, default=str))  # exactly what the JSON column returns
    rows = seals.take_unsealed(session)  # the head's query flushed the act's rows: ids are known
    if seal:
        rows = {**seal, **(rows or {})}
    seq, digest = head.seq + 1, payload_digest(payload)
    mac = keyed_hash(key, seq, at, actor, action, case_id, digest, rows, head.hash)
    entry = AuditEntry(seq=seq, at=at, actor=actor, action=action, case_id=case_id, payload=payload,
                       prev_hash=head.hash, hash=mac, scheme=KEYED, payload_digest=digest, rows=rows)
    session.add(entry)
    head.seq, head.hash = seq, mac
    session.info[HEAD_INFO] = (seq, mac, at)
    return entry


def append_many(conn, entries: list[dict]) -> int:
    """Append many entries at once with Core (a bulk load of test data): each ``entries`` item
    holds at, actor, action, case_id, payload and rows (the seals), chained and keyed exactly as
    ``append`` does, inserted with one ``executemany``, the head moved once.  The head row is
    locked first (``FOR UPDATE`` on PostgreSQL).  Returns the new head's seq."""
    key = audit_key.current()
    table, head_table = AuditEntry.__table__, AuditHead.__table__
    head = conn.execute(select(head_table.c.seq, head_table.c.hash).where(head_table.c.id == 1)
                        .with_for_update()).first()
    seq, prev = (head.seq, head.hash) if head is not None else (0, GENESIS)
    rows = []
    for item in entries:
        if not item["actor"]:
            raise ValueError("every audited act names its actor")
        payload = json.loads(json.dumps(item["payload"], default=str))
        seq, digest = seq + 1, payload_digest(payload)
        mac = keyed_hash(key, seq, item["at"], item["actor"], item["action"], item["case_id"], digest,
                         item.get("rows"), prev)
        rows.append({"seq": seq, "at": item["at"], "actor": item["actor"], "action": item["action"],
                     "case_id": item["case_id"], "payload": payload, "prev_hash": prev, "hash": mac,
                     "scheme": KEYED, "payload_digest": digest, "rows": item.get("rows")})
        prev = mac
    if not rows:
        return seq
    conn.execute(table.insert(), rows)
    if head is None:
        conn.execute(head_table.insert().values(id=1, seq=seq, hash=prev))
    else:
        conn.execute(head_table.update().where(head_table.c.id == 1).values(seq=seq, hash=prev))
    return seq


@event.listens_for(Session, "before_commit")
def _seal_the_rest(session: Session) -> None:
    """Rows changed after the transaction's last entry (or in one without any) are sealed by an
    entry of their own, so no change of a covered row escapes the chain."""
    session.flush()
    if seals.has_unsealed(session):
        last = session.info.get(HEAD_INFO)
        append(session, at=last[2] if last else SystemClock().now(), actor=SYSTEM, action="rows.sealed",
               case_id=None, payload={})


@event.listens_for(Session, "after_rollback")
def _forget_head(session: Session) -> None:
    session.info.pop(HEAD_INFO, None)  # never anchor a head that was rolled back


def committed_head(session: Session) -> tuple | None:
    """The head this session's transaction appended (seq, hash, at), for the anchor; once."""
    return session.info.pop(HEAD_INFO, None)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    problems: tuple[str, ...]
    last_seq: int = 0          # the last entry walked and its chained HMAC (where the next
    last_hash: str = GENESIS   # incremental verification starts)
    incremental: bool = False

    def to_dict(self) -> dict:
        return {"ok": self.ok, "entries": self.entries, "problems": list(self.problems)}


class _Walk:
    """What one pass over the chain gathers: breaks, row seals, erasures, anchored hashes."""

    def __init__(self, key: bytes, anchored: dict[int, str]):
        self.key, self.anchored = key, anchored
        self.problems: list[str] = []
        self.prev_hash, self.expected_seq, self.count = GENESIS, 1, 0
        self.keyed_seen = False
        self.sealed: dict[str, str] = {}
        self.erased: set[int] = set()
        self.erasures_listed: set[int] = set()
        self.found: dict[int, str] = {}

    def visit(self, e: AuditEntry) -> None:
        self.count += 1
        if e.seq != self.expected_seq:
            self.problems.append(f"entry #{e.seq}: expected sequence {self.expected_seq} (an entry was removed or reordered)")
        if e.prev_hash != self.prev_hash:
            self.problems.append(f"entry #{e.seq}: does not link to the previous entry")
        if e.scheme == KEYED:
            self._keyed(e)
        else:
            self._legacy(e)
        if e.seq in self.anchored:
            self.found[e.seq] = e.hash
        self.prev_hash, self.expected_seq = e.hash, e.seq + 1

    def _legacy(self, e: AuditEntry) -> None:
        if self.keyed_seen:
            self.problems.append(f"entry #{e.seq}: an unkeyed entry after keyed ones (rewritten without the key)")
        if e.erased_at is not None:
            self.erased.add(e.seq)
        elif entry_hash(e.seq, e.at, e.actor, e.action, e.case_id, e.payload, e.prev_hash) != e.hash:
            self.problems.append(f"entry #{e.seq}: content does not match its hash (edited)")

    def _keyed(self, e: AuditEntry) -> None:
        first = not self.keyed_seen
        self.keyed_seen = True
        if e.erased_at is not None:
            self.erased.add(e.seq)
        elif payload_digest(e.payload) != e.payload_digest:
            self.problems.append(f"entry #{e.seq}: content does not match its hash (edited)")
        if keyed_hash(self.key, e.seq, e.at, e.actor, e.action, e.case_id, e.payload_digest, e.rows,
                      e.prev_hash) != e.hash:
            hint = " (or the audit key is not the one the trail was written with)" if first else ""
            self.problems.append(f"entry #{e.seq}: content does not match its hash (edited){hint}")
        else:
            if e.rows:
                self.sealed.update(e.rows)
            if e.action == ERASED_ACTION:
                self.erasures_listed.update(int(s) for s in (e.payload or {}).get("entries", ()))


def verify(session: Session, batch: int = 5000, *, anchor_file=None, rows: bool = True) -> ChainReport:
    """Walk the whole chain in order; report every break (edited, removed, reordered, truncated,
    rewritten), then, with ``rows``, every case, evidence or override row its seals do not match,
    and every anchored head the trail no longer holds."""
    heads = anchor.read(anchor_file) if anchor_file else {}
    walk = _Walk(audit_key.current(), heads)
    last_id = 0
    while True:
        batch_rows = session.execute(select(AuditEntry).where(AuditEntry.id > last_id)
                                     .order_by(AuditEntry.id).limit(batch)).scalars().all()
        if not batch_rows:
            break
        for e in batch_rows:
            last_id = e.id
            walk.visit(e)
        session.expunge_all()
    problems = walk.problems
    last = walk.expected_seq - 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != last or head.hash != walk.prev_hash):
        problems.append(f"chain head is entry #{head.seq} but the trail ends at #{last} (entries removed at the end)")
    if head is None and walk.count:
        problems.append("chain head is missing")
    for seq in sorted(walk.erased - walk.erasures_listed):
        problems.append(f"entry #{seq}: payload removed without an erasure recorded in the trail")
    problems.extend(anchor.problems(heads, walk.found, last))
    if rows:
        problems.extend(seals.check_rows(session, walk.sealed))
    return ChainReport(ok=not problems, entries=walk.count, problems=tuple(problems), last_seq=last,
                       last_hash=walk.prev_hash)


def verify_since(session: Session, now: datetime, batch: int = 5000) -> ChainReport:
    """Verify only the entries appended since the last verification (incremental or full), from
    the last verified entry and its chained HMAC: links, sequence, HMACs, erasures and the head,
    as ``verify`` does for those entries.  The last verified entry must still be there with the
    same hash (a rewritten or truncated tail shows).  What it cannot see is an older entry
    edited after it was verified, or the rows the chain seals: ``verify`` (``habeas audit
    verify``) walks everything.  A clean walk moves the mark forward; a broken one leaves it
    where it was, and a break once found (here or by the full walk) is reported on every check
    until a full walk finds the chain whole again."""
    mark = session.get(AuditVerification, 1)
    walk = _Walk(audit_key.current(), {})
    problems: list[str] = []
    if mark is not None and mark.seq:
        last = session.execute(select(AuditEntry.hash, AuditEntry.scheme).where(AuditEntry.seq == mark.seq)).first()
        if last is None or last.hash != mark.hash:
            problems.append(f"entry #{mark.seq}: no longer the entry verified last (altered or removed since)")
        walk.prev_hash, walk.expected_seq = mark.hash, mark.seq + 1
        walk.keyed_seen = last is not None and last.scheme == KEYED
    after = walk.expected_seq - 1
    while True:
        batch_rows = session.execute(select(AuditEntry).where(AuditEntry.seq > after)
                                     .order_by(AuditEntry.seq).limit(batch)).scalars().all()
        if not batch_rows:
            break
        for e in batch_rows:
            after = e.seq
            walk.visit(e)
    last_seq = walk.expected_seq - 1
    problems.extend(walk.problems)
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != last_seq or head.hash != walk.prev_hash):
        problems.append(f"chain head is entry #{head.seq} but the trail ends at #{last_seq} (entries removed at the end)")
    if head is None and last_seq:
        problems.append("chain head is missing")
    for seq in sorted(walk.erased - walk.erasures_listed):
        problems.append(f"entry #{seq}: payload removed without an erasure recorded in the trail")
    if mark is not None and not mark.ok:  # a break found before stands until a full walk finds none
        problems = list(dict.fromkeys([*mark.problems, *problems]))
    report = ChainReport(ok=not problems, entries=last_seq, problems=tuple(problems), last_seq=last_seq,
                         last_hash=walk.prev_hash, incremental=True)
    if walk.count or mark is None or not report.ok or not mark.ok:
        record_verification(session, report, now)
    return report


def record_verification(session: Session, report: ChainReport, now: datetime, full: bool = False) -> None:
    """Remember a verification: a clean one moves the mark to its last entry."""
    mark = session.get(AuditVerification, 1)
    if mark is None:
        mark = AuditVerification(id=1, seq=0, hash=GENESIS, ok=True, problems=[], verified_at=now)
        session.add(mark)
    if report.ok:
        mark.seq, mark.hash = report.last_seq, report.last_hash
        if full:
            mark.full_at = now
    mark.ok, mark.problems, mark.verified_at = report.ok, list(report.problems)[:50], now


def seal_existing_rows(session: Session, at: datetime, chunk: int = 1000) -> int:
    """Seal every covered row as it stands (a database upgraded from before the keyed trail,
    revision 0006_harden_trail, whose rows no entry sealed): entries ``trail.baseline`` of ``chunk`` rows each."""
    pending: dict[str, str] = {}
    sealed = 0
    for key, digest in seals.all_rows(session):
        pending[key] = digest
        if len(pending) >= chunk:
            append(session, at=at, actor=SYSTEM, action="trail.baseline", case_id=None,
                   payload={"rows": len(pending)}, seal=pending)
            sealed, pending = sealed + len(pending), {}
    if pending:
        append(session, at=at, actor=SYSTEM, action="trail.baseline", case_id=None,
               payload={"rows": len(pending)}, seal=pending)
        sealed += len(pending)
    return sealed


def current_head(session: Session) -> dict:
    head = session.get(AuditHead, 1)
    return {"seq": head.seq if head else 0, "hash": head.hash if head else GENESIS}
