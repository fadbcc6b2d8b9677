"""Building the engine object for a database, and creating or upgrading its schema."""
from functools import lru_cache

from sqlalchemy.engine import make_url

from ..persistence import anchor
from ..persistence.database import database_url, make_engine, session_factory
from ..persistence.migrate import upgrade
from .context import Habeas


@lru_cache(maxsize=8)
def _engine(url: str):
    return make_engine(url)


def habeas(url: str | None = None, **kwargs) -> Habeas:
    """One engine object per database URL and process; services get it passed in."""
    url = database_url(url)
    kwargs.setdefault("anchor", anchor.default_path(url))
    return Habeas(sessions=session_factory(_engine(url)), **kwargs)


def init_database(url: str | None = None) -> None:
    """Upgrade the schema; a database from before the keyed trail gets its rows sealed once."""
    engine = _engine(database_url(url))
    unsealed = _before_sealing(engine)
    upgrade(engine)
    if unsealed:
        from ..domain.clock import SystemClock
        from ..persistence import audit
        with habeas(url).unit_of_work() as session:
            audit.seal_existing_rows(session, SystemClock().now())


def _before_sealing(engine) -> bool:
    """Does the database hold an audit trail from before the keyed one (no ``scheme`` column,
    revision 0006_harden_trail)?"""
    from sqlalchemy import inspect
    inspector = inspect(engine)
    if "audit_log" not in inspector.get_table_names():
        return False
    return "scheme" not in {c["name"] for c in inspector.get_columns("audit_log")}


def describe_url(url: str | None = None) -> str:
    return make_url(database_url(url)).render_as_string(hide_password=True)
