"""The tamper-evident audit trail: one SHA-256 chain over every act.

Each entry's hash covers its own content and the previous entry's hash; the chain's head (last
seq and hash) is kept in its own row.  Editing an entry breaks its hash, deleting one breaks the
link or the sequence, deleting the tail no longer matches the head.  Appending locks the head
row (``FOR UPDATE`` on PostgreSQL; SQLite writers are already serialised), so the chain never
forks; do it last in a transaction to hold the lock briefly.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEntry, AuditHead

GENESIS = "0" * 64


def entry_hash(seq: int, at: datetime, actor: str, action: str, case_id, payload: dict, prev_hash: str) -> str:
    body = json.dumps({"seq": seq, "at": at.isoformat(timespec="microseconds"), "actor": actor,
                       "action": action, "case_id": case_id, "payload": payload, "prev": prev_hash},
                      sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def append(session: Session, *, at: datetime, actor: str, action: str, case_id: int | None,
           payload: dict) -> AuditEntry:
    """Append one entry to the chain in the session's transaction.  Every act has an actor."""
    if not actor:
        raise ValueError("every audited act names its actor")
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    payload = json.loads(json.dumps(payload, default=str))  # exactly what the JSON column returns
    seq = head.seq + 1
    digest = entry_hash(seq, at, actor, action, case_id, payload, head.hash)
    entry = AuditEntry(seq=seq, at=at, actor=actor, action=action, case_id=case_id, payload=payload,
                       prev_hash=head.hash, hash=digest)
    session.add(entry)
    head.seq, head.hash = seq, digest
    return entry


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    problems: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"ok": self.ok, "entries": self.entries, "problems": list(self.problems)}


def verify(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the whole chain in order; report every break (edited, removed, reordered, truncated)."""
    problems: list[str] = []
    prev_hash, expected_seq, count = GENESIS, 1, 0
    last_id = 0
    while True:
        rows = session.execute(select(AuditEntry).where(AuditEntry.id > last_id)
                               .order_by(AuditEntry.id).limit(batch)).scalars().all()
        if not rows:
            break
        for e in rows:
            count += 1
            last_id = e.id
            if e.seq != expected_seq:
                problems.append(f"entry #{e.seq}: expected sequence {expected_seq} (an entry was removed or reordered)")
            if e.prev_hash != prev_hash:
                problems.append(f"entry #{e.seq}: does not link to the previous entry")
            if entry_hash(e.seq, e.at, e.actor, e.action, e.case_id, e.payload, e.prev_hash) != e.hash:
                problems.append(f"entry #{e.seq}: content does not match its hash (edited)")
            prev_hash, expected_seq = e.hash, e.seq + 1
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.hash != prev_hash):
        problems.append(f"chain head is entry #{head.seq} but the trail ends at #{expected_seq - 1} (entries removed at the end)")
    if head is None and count:
        problems.append("chain head is missing")
    return ChainReport(ok=not problems, entries=count, problems=tuple(problems))
