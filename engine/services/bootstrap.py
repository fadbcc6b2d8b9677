"""Building the engine object for a database, and creating or upgrading its schema."""
from functools import lru_cache

from sqlalchemy.engine import make_url

from ..persistence.database import database_url, make_engine, session_factory
from ..persistence.migrate import upgrade
from .context import Habeas


@lru_cache(maxsize=8)
def _engine(url: str):
    return make_engine(url)


def habeas(url: str | None = None, **kwargs) -> Habeas:
    """One engine object per database URL and process; services get it passed in."""
    return Habeas(sessions=session_factory(_engine(database_url(url))), **kwargs)


def init_database(url: str | None = None) -> None:
    upgrade(_engine(database_url(url)))


def describe_url(url: str | None = None) -> str:
    return make_url(database_url(url)).render_as_string(hide_password=True)
