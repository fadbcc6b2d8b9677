"""Database engines: the embedded SQLite default and PostgreSQL, the scale path."""
import os
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

DEFAULT_SQLITE = "instance/habeas.sqlite3"


def database_url(explicit: str | None = None) -> str:
    """``HABEAS_DATABASE_URL`` or the SQLite file under ``instance/``."""
    url = explicit or os.environ.get("HABEAS_DATABASE_URL")
    if url:
        return normalise_url(url)
    path = Path(DEFAULT_SQLITE).resolve()  # absolute: Flask-SQLAlchemy reads relative paths from its instance folder
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


SQLITE_CONNECT_ARGS = {"timeout": 30, "check_same_thread": False}


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args=SQLITE_CONNECT_ARGS, **kwargs)
        configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def configure_sqlite(engine: Engine) -> None:
    """SQLite: take the write lock at BEGIN (``BEGIN IMMEDIATE``), so two writers queue for it
    instead of deadlocking on a read-then-write upgrade; enforce foreign keys."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
