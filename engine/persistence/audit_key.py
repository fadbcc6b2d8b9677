"""The audit chain's key: held outside the database, so whoever can write the database cannot
recompute the chain.  From ``HABEAS_AUDIT_KEY`` (the key itself), ``HABEAS_AUDIT_KEY_FILE``
(a file holding it), or else ``instance/audit.key``, made on first use (mode 0600)."""
import os
import secrets
from pathlib import Path
from threading import Lock

DEFAULT_FILE = "instance/audit.key"
MIN_LENGTH = 16

_lock = Lock()
_cached: tuple[tuple, bytes] | None = None


class AuditKeyError(RuntimeError):
    """The configured key cannot be read or is too short to protect anything."""


def current() -> bytes:
    """The key, read once per configuration (a changed environment is read again)."""
    global _cached
    source = (os.environ.get("HABEAS_AUDIT_KEY"), os.environ.get("HABEAS_AUDIT_KEY_FILE"))
    with _lock:
        if _cached is None or _cached[0] != source:
            _cached = (source, _load(*source))
        return _cached[1]


def _load(key: str | None, key_file: str | None) -> bytes:
    if key:
        value = key.strip()
    else:
        path = Path(key_file) if key_file else Path(DEFAULT_FILE)
        if not path.exists() and not key_file:
            _create(path)
        try:
            value = path.read_text().strip()
        except OSError as err:
            raise AuditKeyError(f"cannot read the audit key file {path}: {err.strerror}") from None
    if len(value) < MIN_LENGTH:
        raise AuditKeyError(f"the audit key must be at least {MIN_LENGTH} characters")
    return value.encode()


def _create(path: Path) -> None:
    """Write a new random key without ever replacing one: written whole to a private file, then
    linked into place (fails if a key is there already), so two workers starting together
    agree on one key and never read a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32) + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
