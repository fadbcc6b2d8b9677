"""A copy of the database taken before an upgrade changes its schema.

SQLite: the online backup API (a consistent copy even while the app is running).  PostgreSQL:
``pg_dump --format=custom`` when the client tools are installed (restore with ``pg_restore``).
Kept apart from the upgrade so that a general ``habeas backup`` can take it over."""
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import Engine


class BackupUnavailable(RuntimeError):
    """No backup could be taken; the caller changes nothing."""


def sqlite_file(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite" or not engine.url.database or engine.url.database == ":memory:":
        return None
    return Path(engine.url.database).resolve()


def default_directory(engine: Engine) -> Path:
    """``backups/`` beside a SQLite file, else under the working directory."""
    path = sqlite_file(engine)
    return (path.parent if path else Path.cwd()) / "backups"


def take(engine: Engine, directory: Path, label: str) -> Path:
    """Copy the whole database into a new file in ``directory``; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    if engine.dialect.name == "sqlite":
        return _sqlite(engine, directory / f"habeas-{label}-{stamp}.sqlite3")
    if engine.dialect.name == "postgresql":
        return _postgres(engine, directory / f"habeas-{label}-{stamp}.pgdump")
    raise BackupUnavailable(f"no backup method for a {engine.dialect.name} database")


def _sqlite(engine: Engine, target: Path) -> Path:
    source = sqlite_file(engine)
    if source is None or not source.exists():
        raise BackupUnavailable(f"no SQLite file at {engine.url.database}")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


def _postgres(engine: Engine, target: Path) -> Path:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupUnavailable("pg_dump is not installed (Debian: postgresql-client); take a backup "
                                "yourself and run again with --no-backup")
    url = engine.url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if engine.url.password:
        env["PGPASSWORD"] = engine.url.password  # not on the command line, where `ps` would show it
    done = subprocess.run([pg_dump, "--format=custom", "--no-owner", f"--file={target}", f"--dbname={url}"],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupUnavailable(f"pg_dump failed: {reason}")
    return target
