"""Upgrading an office's database to this release: back it up, migrate it, prove the trail.

The order matters: nothing is migrated without a backup (unless the operator says they took one),
a database this release does not recognise (empty, or already migrated by a newer release) is
left untouched, and the upgrade ends by verifying the whole audit chain, so a broken trail is
found now, with the backup at hand, and not months later by a reviewer."""
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..domain import roles
from ..domain.errors import HabeasError
from ..persistence import audit, backup_copy, migrate, revisions
from ..persistence.backup_copy import BackupUnavailable
from ..persistence.database import database_url
from . import queries
from .bootstrap import _engine, describe_url, habeas
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
    path = backup_copy.sqlite_file(engine)
    if path is not None and not path.exists():  # connecting would create an empty file
        raise UpgradeRefused(f"no database file at {path}: nothing to upgrade (check HABEAS_DATABASE_URL)")
    before = _recognised_revision(engine)
    applied = revisions.pending(engine, before)
    backup = None
    if take_backup:
        try:
            backup = backup_copy.take(engine, backup_dir or backup_copy.default_directory(engine),
                                      label=before or "base")
        except (BackupUnavailable, OSError) as err:
            raise UpgradeRefused(f"no backup, so nothing was changed: {err}") from None
    migrate.upgrade(engine)
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
