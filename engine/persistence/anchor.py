"""The chain's head, written outside the database: an append-only file of (seq, hash) lines.

After every commit that appended to the chain, its new head is added to the file (one line, a
single ``write`` in append mode, so workers do not interleave); ``habeas audit anchor`` adds and
prints one on demand, for a record kept elsewhere.  Whoever rewrites the database cannot make
an anchored entry disappear or change: deleting the whole trail, cutting its tail and moving
the head, or rebuilding the chain all leave an anchor the database no longer matches.  Make the
file append-only for the server's user (``chattr +a``) or ship its lines off the machine."""
import hashlib
import json
import logging
import os
import re
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger("habeas.audit")


def default_path(url: str, folder: str | os.PathLike = "instance") -> str:
    """``HABEAS_AUDIT_ANCHOR``, else one file per database under ``folder``:
    ``audit-anchor-<name>-<digest of the URL>.jsonl``, so two databases never share an anchor."""
    if os.environ.get("HABEAS_AUDIT_ANCHOR"):
        return os.environ["HABEAS_AUDIT_ANCHOR"]
    parsed = make_url(url)
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(parsed.database or "db").stem)[:40] or "db"
    digest = hashlib.sha256(parsed.render_as_string(hide_password=True).encode()).hexdigest()[:10]
    return str(Path(folder) / f"audit-anchor-{name}-{digest}.jsonl")


def line(seq: int, digest: str, at: datetime) -> str:
    return json.dumps({"seq": seq, "hash": digest, "at": at.isoformat()}, separators=(",", ":")) + "\n"


def record(path: str | os.PathLike, seq: int, digest: str, at: datetime) -> None:
    """Append one head; a failure is logged, never raised (the act is already committed)."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line(seq, digest, at).encode())
        finally:
            os.close(fd)
    except OSError as err:
        log.error("could not anchor the audit head #%s in %s: %s", seq, path, err)


TAIL_BYTES = 64 * 1024


def read(path: str | os.PathLike, tail_bytes: int = TAIL_BYTES) -> dict[int, str]:
    """The latest anchored heads by sequence number ({} when there is no file yet).

    Only the file's tail is read: the chain's HMACs already tie every earlier entry to the
    latest anchored one, so the newest heads are what can show a cut tail or a deleted trail,
    and verification stays fast however long the file grows.  An unreadable line is itself a
    finding, reported as seq -1."""
    heads: dict[int, str] = {}
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - tail_bytes))
            text = handle.read().decode("utf-8", errors="replace")
            if size > tail_bytes:
                text = text.split("\n", 1)[1] if "\n" in text else ""  # the first line is cut
    except FileNotFoundError:
        return heads
    for raw in text.splitlines():
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            heads[int(item["seq"])] = str(item["hash"])
        except (ValueError, KeyError, TypeError):
            heads[-1] = raw[:80]
    return heads


def problems(heads: dict[int, str], found: dict[int, str], last_seq: int) -> list[str]:
    """What the database no longer matches: ``found`` maps the anchored seqs to their hash in the
    database (absent when the entry is gone); ``last_seq`` is the trail's last entry."""
    out = []
    if -1 in heads:
        out.append(f"the anchor file has an unreadable line: {heads[-1]!r}")
    for seq in sorted(s for s in heads if s > 0):
        if seq not in found:
            out.append(f"anchored entry #{seq} is missing from the trail (entries were removed"
                       + (" or the whole trail was deleted)" if last_seq == 0 else ")"))
        elif found[seq] != heads[seq]:
            out.append(f"anchored entry #{seq} has another hash than when it was anchored (the chain was rewritten)")
    return out
