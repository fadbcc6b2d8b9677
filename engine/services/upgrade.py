"""Upgrading an office's database to this release: back it up, migrate it, prove the trail.

The order matters: nothing is migrated without a backup (unless the operator says they took one),
a database this release does not recognise (empty, or already migrated by a newer release) is
left untouched, and the upgrade ends by verifying the whole audit chain, so a broken trail is
found now, with the backup at hand, and not months later by a reviewer."""
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .. import __version__
from ..domain import roles
from ..domain.errors import HabeasError
from ..persistence import audit, revisions
from ..persistence.database import database_url
from . import backups, queries
from .bootstrap import _engine, describe_url, habeas, init_database
from .context import Actor

OPERATOR = "console"


class UpgradeRefused(HabeasError):
    """The database was left exactly as it was."""

    code = "upgrade_refused"


@dataclass
class UpgradeReport:
    database: str
    version: str
    from_revision: str | None
    to_revision: str
    applied: list
    backup: str | None
    audit: dict

    @property
    def ok(self) -> bool:
        return self.audit["ok"]

    def to_dict(self) -> dict:
        return {"database": self.database, "version": self.version, "from_revision": self.from_revision,
                "to_revision": self.to_revision, "applied": self.applied, "backup": self.backup,
                "audit": self.audit, "ok": self.ok}


def upgrade(url: str | None = None, backup_dir: Path | None = None, take_backup: bool = True) -> UpgradeReport:
    engine = _engine(database_url(url))
    path = _sqlite_file(engine)
    if path is not None and not path.exists():  # connecting would create an empty file
        raise UpgradeRefused(f"no database file at {path}: nothing to upgrade (check HABEAS_DATABASE_URL)")
    before = _recognised_revision(engine)
    applied = revisions.pending(engine, before)
    backup = None
    if take_backup:
        try:
            backup = _backup(engine, backup_dir or _default_directory(engine), label=before)
        except (HabeasError, OSError) as err:
            raise UpgradeRefused(f"no backup, so nothing was changed: {getattr(err, 'message', err)}") from None
    init_database(url)  # the migrations, and the data steps that go with them (sealing an older trail)
    after = revisions.current(engine)
    ctx = habeas(url)
    with ctx.unit_of_work() as session:
        audit.append(session, at=ctx.now(), actor=OPERATOR, action="schema.upgraded", case_id=None,
                     payload={"from": before, "to": after, "version": __version__,
                              "backup": str(backup) if backup else None})
    chain = queries.verify_audit(ctx, Actor(OPERATOR, roles.ADMIN))
    return UpgradeReport(describe_url(url), __version__, before, after, applied,
                         str(backup) if backup else None, chain)


def _recognised_revision(engine) -> str:
    """The database's schema revision, when it is one this release can upgrade from."""
    current = revisions.current(engine)
    if current is None:
        what = "tables that are not a Habeas schema" if revisions.has_tables(engine) else "no Habeas schema"
        raise UpgradeRefused(f"the database holds {what}: nothing to upgrade (`habeas init` creates a new one; "
                             "check HABEAS_DATABASE_URL)")
    if current not in revisions.known(engine):
        raise UpgradeRefused(f"the database is at schema revision {current!r}, which Habeas {__version__} does "
                             "not know: a newer release migrated it; install that release or a later one")
    return current


def _sqlite_file(engine) -> Path | None:
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return Path(engine.url.database).resolve()


def _default_directory(engine) -> Path:
    """``backups/`` beside a SQLite file, else under the working directory."""
    path = _sqlite_file(engine)
    return (path.parent if path else Path.cwd()) / "backups"


def _backup(engine, directory: Path, label: str) -> Path:
    """A new file named after the schema revision it holds and the moment it was taken."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    suffix = "sqlite3" if engine.dialect.name == "sqlite" else "pgdump"
    target = directory / f"habeas-{label}-{stamp}.{suffix}"
    backups.backup(engine.url.render_as_string(hide_password=False), target)
    return target
