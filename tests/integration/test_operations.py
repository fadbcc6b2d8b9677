"""Issue 13, finding 9: backup and restore round-trip with the audit chain verified; the CLI
says in one line when the database is unreachable (it printed a 130-line traceback)."""
import json
import os

import pytest
from sqlalchemy import text

from engine.cli import EXIT_CODES, main
from engine.persistence.database import make_engine, normalise_url
from engine.services import bootstrap
from tests.conftest import PROCESSES

PG_URL = os.environ.get("HABEAS_TEST_DATABASE_URL")


def run(capsys, *argv):
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _pg_database(name: str, schema: str | None = None) -> str:
    """A new, empty PostgreSQL database (or a new schema in the test database)."""
    admin = make_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if schema:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        else:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    base = PG_URL.rsplit("/", 1)[0] + "/" + (name if not schema else PG_URL.rsplit("/", 1)[1])
    return base + (f"?options=-csearch_path%3D{schema}" if schema else "")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def source_and_target(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'live.sqlite3'}", f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL variant skipped: HABEAS_TEST_DATABASE_URL is not set")
    schema, target_db = f"habeas_backup_{os.getpid()}", f"habeas_restore_{os.getpid()}"
    source = _pg_database("", schema=schema)
    target = _pg_database(target_db) + f"?options=-csearch_path%3D{schema}"
    yield source, target
    for url in (source, target):
        bootstrap._engine(normalise_url(url)).dispose()
    admin = make_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"DROP DATABASE IF EXISTS {target_db} WITH (FORCE)"))
    admin.dispose()


def test_a_backup_restored_into_an_empty_database_verifies(capsys, tmp_path, source_and_target):
    source, target = source_and_target
    for argv in (["init"], ["deploy", *sorted(PROCESSES.glob("*.bpmn"))],
                 ["user", "add", "inv", "--role", "investigator"]):
        assert run(capsys, "--database", source, *argv)[0] == 0
    code, out, err = run(capsys, "--database", source, "--as", "inv", "case", "open",
                         "--data", json.dumps({"suspect_name": "A. Seitkali"}))
    assert code == 0, err
    head = json.loads(run(capsys, "--database", source, "audit", "anchor")[1])
    code, out, err = run(capsys, "--database", source, "backup", tmp_path / "habeas.backup")
    assert code == 0, err
    code, out, err = run(capsys, "--database", target, "restore", tmp_path / "habeas.backup")
    assert code == 0, err
    restored = json.loads(out)
    assert restored["audit"]["ok"] and restored["audit"]["entries"] == head["seq"]
    code, out, _ = run(capsys, "--database", target, "--as", "inv", "case", "list")
    assert code == 0 and [c["number"] for c in json.loads(out)] and "A. Seitkali" not in err
    # a second restore into the now full database is refused and changes nothing
    code, _, err = run(capsys, "--database", target, "restore", tmp_path / "habeas.backup")
    assert code == EXIT_CODES["invalid"] and "not empty" in err


def test_an_unreachable_database_is_one_line_and_an_exit_code(capsys):
    code, out, err = run(capsys, "--database", "postgresql://nobody@127.0.0.1:1/none", "--as", "x", "case", "list")
    assert code == EXIT_CODES["unavailable"]
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert json.loads(err)["error"] == "database_unavailable"


def test_each_database_has_its_own_anchor_and_a_restore_is_checked_against_the_live_one(
        capsys, tmp_path, monkeypatch):
    """A backup older than the live anchor is reported after its restore (with --anchor)."""
    monkeypatch.delenv("HABEAS_AUDIT_ANCHOR")
    monkeypatch.chdir(tmp_path)
    live, restored = f"sqlite:///{tmp_path / 'live.sqlite3'}", f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    assert run(capsys, "--database", live, "init")[0] == 0
    assert run(capsys, "--database", live, "user", "add", "inv", "--role", "investigator")[0] == 0
    assert run(capsys, "--database", live, "backup", tmp_path / "old.backup")[0] == 0
    assert run(capsys, "--database", live, "user", "add", "pros", "--role", "prosecutor")[0] == 0
    live_anchor = json.loads(run(capsys, "--database", live, "audit", "anchor")[1])["anchor_file"]
    assert "audit-anchor-live-" in live_anchor
    code, out, _ = run(capsys, "--database", restored, "restore", tmp_path / "old.backup", "--anchor", live_anchor)
    assert code == EXIT_CODES["audit_broken"]
    assert any("anchored entry #2 is missing" in p for p in json.loads(out)["audit"]["problems"])
    code, out, _ = run(capsys, "--database", restored, "audit", "verify")  # its own anchor: none yet
    assert code == 0 and json.loads(out)["entries"] == 1
    for url in (live, restored):
        bootstrap._engine(url).dispose()
