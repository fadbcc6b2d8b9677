"""From the first release's database to this one, on SQLite and PostgreSQL.

The database is made by release 0.1.0's own code (exported from git, run in a subprocess):
``habeas init`` builds its schema (migration 0003) and ``habeas demo`` fills it the way an office
would, with users, the process library, cases at several stages (at trial, refused for want of
counsel, an overridden interpreter, terminated, a detained suspect whose judicial review is near),
evidence, escalations, legal clocks and the audit chain.  Then this release's ``habeas upgrade``
backs it up, migrates it and verifies the chain, and every case still loads, advances and the chain
still verifies."""
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select, text

from engine.cli import main
from engine.domain.errors import CheckpointBlocked
from engine.persistence.database import make_engine, normalise_url
from engine.persistence.models import AuditEntry, Case
from engine.services import bootstrap, queries, scheduler
from engine.fixtures import demo
from engine.services.context import Actor

ROOT = Path(__file__).resolve().parents[2]
FIRST_RELEASE = "v0.1.0"
FIRST_RELEASE_COMMIT = "b2467ea66cd6fed2e1334044ff54704660c70696"  # main when 0.1.0 was cut (see CHANGELOG.md), if the tag is absent
FIRST_RELEASE_HEAD = "0003"
PG_URL = os.environ.get("HABEAS_TEST_DATABASE_URL")
pytestmark = pytest.mark.slow
ACTORS = {role: Actor(name, role) for name, role in demo.DEMO_USERS.items()}
REVIEWER = ACTORS["reviewer"]


def _git(*argv) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *argv], cwd=ROOT, capture_output=True)


@pytest.fixture(scope="session")
def first_release(tmp_path_factory) -> Path:
    """Release 0.1.0's engine and process library, as they were."""
    if _git("rev-parse", "--git-dir").returncode != 0:
        pytest.skip("the upgrade test reads release 0.1.0 from the git history; this is not a git checkout")
    for ref in (FIRST_RELEASE, FIRST_RELEASE_COMMIT):
        archive = _git("archive", "--format=tar", f"{ref}^{{commit}}", "engine", "processes")
        if archive.returncode == 0:
            break
    else:
        shallow = _git("rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
        if shallow:  # a shallow clone has no history to take the release from: say so, run the rest
            pytest.skip(f"a shallow clone: neither {FIRST_RELEASE} nor {FIRST_RELEASE_COMMIT} is in its history")
        pytest.fail(f"neither {FIRST_RELEASE} nor {FIRST_RELEASE_COMMIT} is in the git history")
    target = tmp_path_factory.mktemp("release-0.1.0")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target


def seed_with_first_release(release: Path, url: str) -> None:
    """Run 0.1.0's `habeas init` and `habeas demo` on the database, in a process of their own."""
    script = ("import sys, engine; from engine.cli import main\n"
              "assert engine.__file__.startswith(sys.argv[1]), engine.__file__\n"
              "from argon2 import PasswordHasher; from engine.services import users\n"
              "users._HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # fast, same format\n"
              "for argv in (['init'], ['demo', '--processes', sys.argv[1] + '/processes']):\n"
              "    code = main(['--database', sys.argv[2], *argv])\n"
              "    if code: sys.exit(code)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HABEAS_")}
    env["PYTHONPATH"] = str(release)
    done = subprocess.run([sys.executable, "-c", script, str(release), url], cwd=release, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A new, empty database: a SQLite file, or a PostgreSQL database of its own (so pg_dump backs
    up this one only)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'office.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL variant skipped: HABEAS_TEST_DATABASE_URL is not set")
    name = f"habeas_upgrade_{os.getpid()}"
    admin = make_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    bootstrap._engine(bootstrap.database_url(url)).dispose()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def upgrade(capsys, url: str, *argv) -> tuple[int, dict | str]:
    capsys.readouterr()
    code = main(["--database", url, "upgrade", *argv])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if code == 0 else captured.err


def case_ids(ctx) -> list[int]:
    with ctx.unit_of_work() as session:
        return list(session.execute(select(Case.id).order_by(Case.id)).scalars())


def advance(driver: demo.Driver, case_id: int) -> str:
    """Complete the case's first ready task as its lane's user: 'advanced' (the case moved on),
    'refused' (a checkpoint blocked it, naming the rights: the engine ran and decided), or 'waiting'."""
    view = driver.view(case_id)
    if not view["tasks"]:
        return "waiting"
    try:
        driver.complete(case_id, view["tasks"][0]["name"])
    except CheckpointBlocked as refusal:
        assert refusal.failures
        return "refused"
    assert driver.view(case_id)["version"] > view["version"]
    return "advanced"


def test_a_first_release_database_upgrades_and_every_case_loads_advances_and_verifies(
        capsys, first_release, database_url, tmp_path):
    seed_with_first_release(first_release, database_url)
    with bootstrap._engine(bootstrap.database_url(database_url)).connect() as conn:  # the old schema: plain SQL
        before = dict(conn.execute(text("SELECT id, stage FROM cases ORDER BY id")).all())
    assert len(before) >= 5 and len(set(before.values())) >= 3  # realistic: cases at several stages

    code, report = upgrade(capsys, database_url, "--backup-dir", str(tmp_path / "backups"))
    assert code == 0, report
    assert report["from_revision"] == FIRST_RELEASE_HEAD and report["ok"] and report["audit"]["problems"] == []
    assert report["to_revision"] == (report["applied"][-1] if report["applied"] else FIRST_RELEASE_HEAD)
    assert_backup_holds_the_first_release(Path(report["backup"]), len(before))

    ctx = bootstrap.habeas(database_url)
    assert {case_id: queries.show_case(ctx, REVIEWER, case_id)["stage"] for case_id in case_ids(ctx)} == before
    driver = demo.Driver(ctx, ACTORS)
    outcomes = {case_id: advance(driver, case_id) for case_id in before}
    assert "advanced" in outcomes.values(), outcomes
    assert set(outcomes.values()) <= {"advanced", "refused", "waiting"}
    assert scheduler.tick(ctx).failed == []
    chain = queries.verify_audit(ctx, REVIEWER)
    assert chain["ok"] and chain["problems"] == []
    with ctx.unit_of_work() as session:
        upgraded = session.execute(select(AuditEntry.payload).where(AuditEntry.action == "schema.upgraded")).scalar_one()
    assert upgraded["from"] == FIRST_RELEASE_HEAD and upgraded["backup"] == report["backup"]
    assert_a_second_upgrade_changes_nothing(capsys, database_url)


def assert_backup_holds_the_first_release(backup: Path, cases: int) -> None:
    assert backup.is_file() and backup.stat().st_size > 0
    if backup.suffix == ".sqlite3":
        with sqlite3.connect(backup) as copy:
            assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (FIRST_RELEASE_HEAD,)
            assert copy.execute("SELECT count(*) FROM cases").fetchone() == (cases,)
        copy.close()
    else:
        listing = subprocess.run([shutil.which("pg_restore"), "--list", str(backup)], capture_output=True, text=True)
        assert listing.returncode == 0 and "TABLE DATA public cases" in listing.stdout


def assert_a_second_upgrade_changes_nothing(capsys, url: str) -> None:
    code, report = upgrade(capsys, url, "--no-backup")
    assert code == 0 and report["applied"] == [] and report["backup"] is None
    assert report["from_revision"] == report["to_revision"] and report["ok"]


@pytest.fixture
def older_schema(database_url):
    """A database migrated to 0002 only (before the reports' indexes), by this release's migrations."""
    from engine.persistence import migrate
    migrate.upgrade(bootstrap._engine(bootstrap.database_url(database_url)), "0002")
    return database_url


def current_revision(url: str) -> str | None:
    from engine.persistence import revisions
    return revisions.current(bootstrap._engine(bootstrap.database_url(url)))


def test_without_a_backup_nothing_is_migrated(capsys, older_schema, tmp_path, monkeypatch):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the backup folder should be")
    monkeypatch.setenv("PATH", str(tmp_path))  # and no pg_dump for PostgreSQL
    code, err = upgrade(capsys, older_schema, "--backup-dir", str(blocked / "backups"))
    assert code == 1 and "upgrade_refused" in err and "nothing was changed" in err
    assert current_revision(older_schema) == "0002"


def test_an_empty_database_is_not_taken_for_one_to_upgrade(capsys, database_url, tmp_path):
    if database_url.startswith("sqlite"):  # a missing file is not created
        code, err = upgrade(capsys, database_url, "--backup-dir", str(tmp_path))
        assert code == 1 and "no database file" in err
        assert not Path(database_url.removeprefix("sqlite:///")).exists()
        sqlite3.connect(database_url.removeprefix("sqlite:///")).close()  # an empty file
    code, err = upgrade(capsys, database_url, "--backup-dir", str(tmp_path))
    assert code == 1 and "no Habeas schema" in err
    assert current_revision(database_url) is None and not list(tmp_path.glob("habeas-*"))


def test_a_database_a_newer_release_migrated_is_left_alone(capsys, older_schema, tmp_path):
    engine = bootstrap._engine(bootstrap.database_url(older_schema))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    code, err = upgrade(capsys, older_schema, "--backup-dir", str(tmp_path))
    assert code == 1 and "'0099'" in err and "newer release" in err
    assert current_revision(older_schema) == "0099" and not list(tmp_path.glob("habeas-*"))


def test_a_broken_chain_is_reported_by_the_upgrade_with_the_backup_at_hand(capsys, database_url, tmp_path):
    """Migrated, but the trail an entry was edited in says so (exit 8), naming the backup."""
    from engine.persistence import migrate
    engine = bootstrap._engine(bootstrap.database_url(database_url))
    migrate.upgrade(engine)
    assert main(["--database", database_url, "deploy", "--library"]) == 0
    migrate.downgrade(engine, FIRST_RELEASE_HEAD)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'someone else' WHERE seq = 1"))
    capsys.readouterr()
    code = main(["--database", database_url, "upgrade", "--backup-dir", str(tmp_path)])
    report = json.loads(capsys.readouterr().out)
    assert code == 8 and not report["ok"] and report["audit"]["problems"]
    assert report["from_revision"] == FIRST_RELEASE_HEAD and Path(report["backup"]).is_file()
