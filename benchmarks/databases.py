"""Fresh databases for a benchmark: a SQLite file in a temporary directory, or a private schema
on the PostgreSQL server named by ``HABEAS_TEST_DATABASE_URL``; users for every role; the
process library deployed."""
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from engine.domain import roles
from engine.persistence.database import make_engine, normalise_url, session_factory
from engine.persistence.migrate import upgrade
from engine.services import processes, users
from engine.services.context import Actor, Habeas

from .scenario import PROCESSES

PG_URL = os.environ.get("HABEAS_TEST_DATABASE_URL")
ADMIN = Actor("root", roles.ADMIN)
PASSWORD = "bench password 1"
# One user per role; the user name is the role (the lane names of the diagrams).
ACTORS = {role: Actor(role, role) for role in roles.ROLES}


@contextmanager
def sqlite_database(name: str = "bench"):
    """Yields (url, engine) of a new SQLite file; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="habeas-bench-") as tmp:
        url = f"sqlite:///{Path(tmp) / (name + '.sqlite3')}"
        engine = make_engine(url)
        upgrade(engine)
        try:
            yield url, engine
        finally:
            engine.dispose()


@contextmanager
def postgres_database(schema: str = "habeas_bench", **engine_kwargs):
    """Yields (url, engine) of an empty private schema (dropped afterwards).  The URL carries the
    search path, so another process (a gunicorn worker) reaches the same schema.  The schema name
    carries the process id, so that two runs at once never share (and drop) each other's."""
    schema = f"{schema}_{os.getpid()}"
    base = normalise_url(PG_URL)
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    engine = make_engine(url, **engine_kwargs)
    upgrade(engine)
    try:
        yield url, engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def habeas_for(engine, **kwargs) -> Habeas:
    return Habeas(sessions=session_factory(engine), **kwargs)


def seed(ctx: Habeas, deploy: bool = True, password: str | None = PASSWORD) -> dict[str, str]:
    """Users for every role and the process library; returns each role's API token.  Without a
    password no argon2 hash is computed (each takes 64 MB, which would mask a memory measurement)."""
    tokens = {}
    for role, actor in ACTORS.items():
        tokens[role] = users.add_user(ctx, ADMIN, actor.username, role, password=password)
    if deploy:
        for path in sorted(PROCESSES.glob("*.bpmn")):
            processes.deploy(ctx, ACTORS[roles.DESIGNER], path.read_bytes())
    return tokens
