"""The Alembic migrations build exactly the schema the models declare, on SQLite and on
PostgreSQL, and upgrading a database keeps its data."""
import os
from datetime import datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, String, Table, inspect, select, text

from engine.persistence.database import make_engine, normalise_url
from engine.persistence.migrate import alembic_config, downgrade, upgrade
from engine.persistence.models import Base

PG_URL = os.environ.get("HABEAS_TEST_DATABASE_URL")
PG_SCHEMA = f"habeas_migrations_{os.getpid()}"  # one per test run, so parallel runs never collide
USERS = Base.metadata.tables["users"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request, tmp_path):
    """An engine on an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
    else:
        if not PG_URL:
            pytest.skip("PostgreSQL variant skipped: HABEAS_TEST_DATABASE_URL is not set")
        admin = make_engine(normalise_url(PG_URL))
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
        admin.dispose()
        engine = make_engine(normalise_url(PG_URL), connect_args={"options": f"-csearch_path={PG_SCHEMA}"})
    assert tables(engine) == set()
    yield engine
    engine.dispose()
    if request.param != "sqlite":
        admin = make_engine(normalise_url(PG_URL))
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        admin.dispose()


def tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def differences(engine, metadata=Base.metadata) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, metadata)


def current_revision(engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head(engine) -> str:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def add_user(engine, username: str) -> None:
    with engine.begin() as conn:
        conn.execute(USERS.insert().values(username=username, role="judge", unit="Astana", active=True,
                                           created_at=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)))


def usernames(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(USERS.c.username).order_by(USERS.c.id)).scalars())


def test_upgrade_builds_exactly_the_schema_of_the_models(empty_engine):
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head(empty_engine)
    assert tables(empty_engine) == set(Base.metadata.tables) | {"alembic_version"}
    assert differences(empty_engine) == []


def test_the_comparison_sees_a_model_the_migrations_lack(empty_engine):
    """Control: a column or table the migrations never created is reported."""
    upgrade(empty_engine)
    metadata = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    metadata.tables["users"].append_column(Column("nickname", String(40), nullable=True))
    Table("orphans", metadata, Column("id", Integer, primary_key=True))
    found = {(d[0], getattr(d[-1], "name", None)) for d in differences(empty_engine, metadata)
             if isinstance(d, tuple)}
    assert ("add_column", "nickname") in found and ("add_table", "orphans") in found


def test_upgrade_again_is_a_no_op_that_keeps_the_data(empty_engine):
    upgrade(empty_engine)
    add_user(empty_engine, "aliya")
    upgrade(empty_engine)
    assert usernames(empty_engine) == ["aliya"]
    assert current_revision(empty_engine) == head(empty_engine)
    add_user(empty_engine, "boris")  # the schema still takes new rows
    assert usernames(empty_engine) == ["aliya", "boris"]


def test_downgrade_to_base_and_upgrade_again(empty_engine):
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert tables(empty_engine) <= {"alembic_version"}
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head(empty_engine)
    assert differences(empty_engine) == []
    add_user(empty_engine, "chingiz")
    assert usernames(empty_engine) == ["chingiz"]
