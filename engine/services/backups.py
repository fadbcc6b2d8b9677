"""Backup and restore of the whole database, and the audit chain verified after a restore.

SQLite is copied with its online backup API (consistent while the app writes); PostgreSQL with
``pg_dump --format=custom`` and ``pg_restore`` (the client tools must be installed: Debian's
``postgresql-client``).  A restore goes only into an empty database, so it never mixes two."""
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from ..domain.errors import HabeasError, InvalidData
from ..persistence.database import database_url, make_engine


class BackupFailed(HabeasError):
    code = "backup_failed"


def backup(url: str | None, target: Path) -> dict:
    url = database_url(url)
    if Path(target).exists():
        raise InvalidData(f"{target} exists already; a backup never overwrites a file", {"file": ["exists"]})
    if url.startswith("sqlite"):
        with _sqlite(url, must_exist=True) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target),
              *_schema_args(url), _libpq(url)])
    return {"backup": str(target), "bytes": Path(target).stat().st_size}


def restore(url: str | None, source: Path) -> dict:
    url = database_url(url)
    if not Path(source).is_file():
        raise InvalidData(f"no backup file {source}", {"file": ["not found"]})
    _require_empty(url)
    if url.startswith("sqlite"):
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_db, _sqlite(url) as target:
            backup_db.backup(target)
    else:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", _libpq(url), str(source)])
    return {"restored": str(source)}


def _require_empty(url: str) -> None:
    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise InvalidData("the target database is not empty; restore into a new database",
                          {"database": [f"holds {len(tables)} tables"]})


class _sqlite:
    """A plain sqlite3 connection to the file of a ``sqlite:///`` URL."""

    def __init__(self, url: str, must_exist: bool = False):
        path = make_url(url).database
        if not path or path == ":memory:":
            raise InvalidData("an in-memory database has nothing to back up", {"database": ["a file"]})
        if must_exist and not Path(path).exists():
            raise InvalidData(f"no database file {path}", {"database": ["not found"]})
        self.connection = sqlite3.connect(path)

    def __enter__(self):
        return self.connection

    def __exit__(self, *exc):
        self.connection.close()


def _libpq(url: str) -> str:
    """The URL as libpq reads it (no SQLAlchemy driver suffix)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _schema_args(url: str) -> list[str]:
    """A URL that confines the app to one schema (``options=-csearch_path=S``) is dumped alone."""
    options = make_url(url).query.get("options")
    for option in ([options] if isinstance(options, str) else list(options or ())):
        option = unquote(option)
        if option.startswith("-csearch_path="):
            return [f"--schema={option.split('=', 1)[1]}"]
    return []


def _run(argv: list[str]) -> None:
    if shutil.which(argv[0]) is None:
        raise BackupFailed(f"{argv[0]} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(argv, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout or "").strip().splitlines()
        raise BackupFailed(f"{argv[0]} failed: {lines[0] if lines else f'exit {done.returncode}'}")


__all__ = ["backup", "restore", "BackupFailed"]
