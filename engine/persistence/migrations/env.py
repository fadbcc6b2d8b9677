"""Alembic environment: the engine comes from ``migrate.alembic_config``.

On SQLite, batch migrations recreate a table (copy, drop, rename); with foreign keys enforced the
drop would fail on (or cascade into) the rows that refer to it, so they are switched off for the
migration, outside its transaction (SQLite ignores the pragma inside one), checked at the end,
and switched on again before the connection goes back to the pool."""
from alembic import context

from engine.persistence.models import Base

config = context.config
engine = config.attributes["engine"]
sqlite = engine.dialect.name == "sqlite"

with engine.connect() as connection:
    raw = connection.connection.driver_connection if sqlite else None
    if sqlite:
        raw.execute("PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=sqlite)
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left rows whose references are broken: {broken[:5]}")
    finally:
        if sqlite:
            raw.execute("PRAGMA foreign_keys=ON")
