"""Where a database's schema stands against the migrations this release carries."""
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from .migrate import alembic_config


def _scripts(engine: Engine) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(engine))


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head(engine: Engine) -> str:
    return _scripts(engine).get_current_head()


def known(engine: Engine) -> set[str]:
    return {script.revision for script in _scripts(engine).walk_revisions()}


def pending(engine: Engine, revision: str | None) -> list[str]:
    """The migrations an upgrade from ``revision`` applies, oldest first."""
    scripts = _scripts(engine)
    return [s.revision for s in reversed(list(scripts.iterate_revisions("head", revision or "base")))
            if s.revision != revision]


def has_tables(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())
