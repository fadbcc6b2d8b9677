"""The ``habeas`` command line, driven in-process through ``engine.cli.main``: JSON on stdout,
errors as JSON on stderr, and the exit codes of ``EXIT_CODES``.  Every database flow runs on a
fresh SQLite file and on PostgreSQL (a dedicated schema; skipped when
HABEAS_TEST_DATABASE_URL is unset)."""
import argparse
import csv
import io
import json
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine import cli
from engine.cli import EXIT_CODES, main
from engine.domain import catalogue
from engine.persistence.database import normalise_url
from engine.services import bootstrap

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
PG_URL = os.environ.get("HABEAS_TEST_DATABASE_URL")
PG_SCHEMA = f"habeas_cli_{os.getpid()}"  # one per test run, so parallel runs never collide
USERS = {"inv": "investigator", "pros": "prosecutor", "super": "supervising_prosecutor", "rev": "reviewer",
         "judge": "judge"}


# ---------------------------------------------------------------- running the CLI

@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)

    @property
    def error(self) -> dict:
        return json.loads(self.err)


def run(capsys, *argv) -> Result:
    """Run ``habeas ARGV``; an argparse exit (usage error, --help) gives its SystemExit code."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


@dataclass
class Db:
    """One fresh database and a way to run the CLI against it."""

    url: str
    capsys: object

    def __call__(self, *argv, as_user: str | None = None) -> Result:
        prefix = ["--database", self.url] + (["--as", as_user] if as_user else [])
        return run(self.capsys, *prefix, *argv)

    def ok(self, *argv, as_user: str | None = None):
        """Run a command that must succeed; return its JSON output."""
        result = self(*argv, as_user=as_user)
        assert result.code == 0, (argv, result.code, result.err)
        return result.json

    def sql(self, statement: str) -> None:
        """Run SQL behind the engine's back (as an intruder with database access would)."""
        engine = create_engine(normalise_url(self.url))
        try:
            with engine.begin() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()


def _postgres_url() -> str:
    if not PG_URL:
        pytest.skip("PostgreSQL variant skipped: HABEAS_TEST_DATABASE_URL is not set")
    engine = create_engine(normalise_url(PG_URL))
    try:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    finally:
        engine.dispose()
    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}options=-csearch_path%3D{PG_SCHEMA}"


@pytest.fixture(scope="module", autouse=True)
def _drop_cli_schema():
    """The run's CLI schema goes when the module is done (it is per process, so it would pile up)."""
    yield
    if PG_URL:
        engine = create_engine(normalise_url(PG_URL))
        try:
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'habeas.sqlite3'}" if request.param == "sqlite" else _postgres_url()
    yield url
    bootstrap._engine(normalise_url(url)).dispose()  # the CLI keeps one engine per URL


@pytest.fixture
def db(db_url, capsys) -> Db:
    """An initialised, empty database."""
    database = Db(db_url, capsys)
    database.ok("init")
    return database


@pytest.fixture
def ready(db) -> Db:
    """The process library deployed and one user per role in USERS."""
    db.ok("deploy", *sorted(PROCESSES.glob("*.bpmn")))
    for name, role in USERS.items():
        db.ok("user", "add", name, "--role", role)
    return db


# ---------------------------------------------------------------- walking a case

def now() -> datetime:
    return datetime.now(timezone.utc)


def registration(**changes) -> dict:
    data = {"erdr_number": "241100031000123", "report_summary": "Theft of a phone at the market",
            "offence_article": "188 part 2", "offence_category": "medium", "jury_eligible": False,
            "suspect_name": "Arman Seitkali", "suspect_birth_date": "1994-02-11", "age_in_doubt": False,
            "suspect_citizenship": "KZ", "speaks_language_of_proceedings": "yes", "suspect_language": "ru",
            "registered_at": (now() - timedelta(days=3)).isoformat()}
    data.update(changes)
    return data


def sample(field: dict):
    if field["name"] == "language":
        return "ru"
    return {"boolean": False, "integer": 1, "date": "1990-05-17", "datetime": now().isoformat(),
            "choice": (field.get("choices") or [None])[0]}.get(field["type"], f"{field['label']} (test)")


def fill(view: dict, task: dict, given: dict) -> dict:
    """A task's form: given values, else what the case knows, else a sample for required fields."""
    known = {**view["facts"], **given}
    return {f["name"]: known[f["name"]] if f["name"] in known else sample(f)
            for f in task["form"] if f["required"] or f["name"] in known}


def ready_task(view: dict, name: str) -> dict:
    tasks = {t["name"]: t for t in view["tasks"]}
    assert name in tasks, f"{name} is not ready; ready: {sorted(tasks)}"
    return tasks[name]


def open_case(db: Db, **changes) -> dict:
    return db.ok("case", "open", "--prosecutor", "pros", "--data", json.dumps(registration(**changes)),
                 as_user="inv")


def complete(db: Db, case_id: int, name: str, as_user: str | None = None, **given) -> Result:
    view = db.ok("case", "show", case_id, as_user="rev")
    task = ready_task(view, name)
    user = as_user or {role: user for user, role in USERS.items()}[task["lane"]]
    return db("task", "complete", case_id, task["id"], "--data", json.dumps(fill(view, task, given)),
              as_user=user)


def advance(db: Db, case_id: int, name: str, **given) -> dict:
    result = complete(db, case_id, name, **given)
    assert result.code == 0, (name, result.code, result.err)
    return result.json


def case_at_interrogation(db: Db) -> int:
    """A suspect summoned (not detained), recognised as suspect: next comes the interrogation."""
    case_id = open_case(db)["id"]
    advance(db, case_id, "register_report")
    advance(db, case_id, "open_investigation", next_step="summon")
    advance(db, case_id, "draft_suspicion_decision")
    advance(db, case_id, "approve_suspicion", approved=True)
    advance(db, case_id, "serve_suspicion_notice", signed=True)
    view = db.ok("case", "show", case_id, as_user="rev")
    assert view["stage"] == "suspicion"
    ready_task(view, "interrogate_suspect")
    return case_id


COUNSEL = {"lawyer_name": "Aigerim Bekova", "bar_number": "AL-1187", "present_at_interrogation": True}


def add_counsel(db: Db, case_id: int) -> dict:
    evidence = {**COUNSEL, "requested_at": (now() - timedelta(hours=3)).isoformat(),
                "consulted_at": (now() - timedelta(hours=2)).isoformat()}
    return db.ok("evidence", "add", case_id, "counsel_before_interrogation", "--data", json.dumps(evidence),
                 as_user="inv")


def audit_actions(db: Db, case_id: int) -> list[str]:
    return [e["action"] for e in db.ok("case", "audit", case_id, as_user="rev")]


# ---------------------------------------------------------------- init, validate, deploy, users

def test_init_creates_the_schema_and_is_idempotent(db):
    again = db.ok("init")
    assert "initialised" in again
    assert db.ok("audit", "verify") == {"ok": True, "entries": 0, "problems": []}


@pytest.mark.parametrize("path", sorted(PROCESSES.glob("*.bpmn")), ids=lambda p: p.name)
def test_validate_accepts_every_process_of_the_library(capsys, path):
    result = run(capsys, "validate", path)
    assert result.code == 0, result.out
    out = result.json
    assert out["ok"] is True and out["process"] == path.stem
    assert not [p for p in out["problems"] if p["severity"] == "error"]


def test_validate_refuses_a_file_that_is_not_xml(capsys, tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_text("this is <not xml")
    result = run(capsys, "validate", bad)
    assert result.code == EXIT_CODES["invalid"] == 3
    out = result.json
    assert out["ok"] is False and out["process"] is None
    assert out["problems"] and "not XML" in out["problems"][0]["message"]


def test_validate_names_the_element_with_an_unknown_stage(capsys, tmp_path):
    xml = (PROCESSES / "criminal_case.bpmn").read_text()
    marker = '<bpmn:userTask id="register_report"'
    start = xml.index(marker)
    stage = xml.index('name="stage" value="registration"', start)
    bad = tmp_path / "unknown_stage.bpmn"
    bad.write_text(xml[:stage] + 'name="stage" value="star_chamber"' + xml[stage + len('name="stage" value="registration"'):])
    result = run(capsys, "validate", bad)
    assert result.code == 3
    problems = [p for p in result.json["problems"] if "star_chamber" in p["message"]]
    assert problems and problems[0]["element"] == "register_report" and problems[0]["severity"] == "error"


def test_a_missing_file_is_invalid_input(capsys, tmp_path):
    result = run(capsys, "validate", tmp_path / "absent.bpmn")
    assert result.code == 3 and result.error["error"] == "invalid"


def test_deploy_creates_a_version_once_per_content(db):
    path = PROCESSES / "criminal_case.bpmn"
    first = db.ok("deploy", path)
    assert first["process"] == "criminal_case" and first["created"] is True and first["version"] == 1
    again = db.ok("deploy", path)
    assert again["created"] is False and again["version"] == first["version"]
    both = db.ok("deploy", *sorted(PROCESSES.glob("*.bpmn")))
    assert {d["process"]: d["created"] for d in both} == {"complaint": True, "criminal_case": False}


def test_deploy_refuses_an_invalid_model(db, tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_text("<nope/>")
    result = db("deploy", bad)
    assert result.code == 3 and result.error["error"] == "invalid_bpmn" and result.error["problems"]


def test_user_add_prints_a_token_once_and_refuses_a_duplicate(db):
    out = db.ok("user", "add", "aliya", "--role", "investigator", "--unit", "Almaty")
    assert out["user"] == "aliya" and out["role"] == "investigator"
    assert isinstance(out["api_token"], str) and len(out["api_token"]) >= 32
    again = db("user", "add", "aliya", "--role", "judge")
    assert again.code == EXIT_CODES["conflict"] == 6
    assert again.error["error"] == "conflict" and again.out == ""
    unknown_role = db("user", "add", "boris", "--role", "sheriff")
    assert unknown_role.code == EXIT_CODES["usage"] == 2 and "invalid choice" in unknown_role.err


def test_acting_needs_a_known_user(ready, monkeypatch):
    monkeypatch.delenv("HABEAS_USER", raising=False)
    assert ready("case", "list").code == EXIT_CODES["forbidden"]
    assert ready("case", "list", as_user="nobody").code == EXIT_CODES["not_found"]


# ---------------------------------------------------------------- cases and tasks

def test_case_open_show_and_complete_the_first_task(ready, tmp_path):
    data = tmp_path / "case.json"
    data.write_text(json.dumps(registration(suspect_name="Daniyar Omarov")))
    opened = ready.ok("case", "open", "--prosecutor", "pros", "--data", f"@{data}", as_user="inv")
    case_id = opened["id"]
    assert opened["status"] == "open" and opened["stage"] is None and opened["prosecutor"] == "pros"
    assert opened["facts"]["suspect_name"] == "Daniyar Omarov"
    shown = ready.ok("case", "show", case_id, as_user="rev")
    assert shown["number"] == opened["number"] and shown["version"] == opened["version"]
    first = shown["tasks"][0]
    assert first["name"] == "register_report" and first["lane"] == "investigator"
    out = ready.ok("task", "complete", case_id, first["id"], "--data", json.dumps(fill(shown, first, {})),
                   "--version", shown["version"], as_user="inv")
    assert out["case"]["stage"] == "registration" and out["case"]["version"] > shown["version"]
    assert first["id"] not in [t["id"] for t in out["case"]["tasks"]]
    assert [s["stage"] for s in out["case"]["stages"]] == ["registration"]
    assert audit_actions(ready, case_id) == ["case.opened", "task.completed"]


def test_case_open_with_inline_json_and_bad_json(ready):
    opened = ready.ok("case", "open", "--data", json.dumps(registration()), as_user="inv")
    assert opened["facts"]["erdr_number"] == "241100031000123"
    bad = ready("case", "open", "--data", "{not json", as_user="inv")
    assert bad.code == 3 and "data" in bad.error["fields"]
    assert ready("case", "open", "--data", "[1, 2]", as_user="inv").code == 3
    listed = ready.ok("case", "list", as_user="rev")
    assert [c["id"] for c in listed] == [opened["id"]]


def test_interrogation_without_counsel_is_refused_until_evidence_is_recorded(ready):
    case_id = case_at_interrogation(ready)
    before = ready.ok("case", "show", case_id, as_user="rev")
    refused = complete(ready, case_id, "interrogate_suspect", another_interrogation=False)
    assert refused.code == EXIT_CODES["checkpoint_blocked"] == 7, refused.err
    error = refused.error
    assert error["error"] == "checkpoint_blocked" and error["stage"] == "interrogation"
    blocking = {c["id"]: c for c in error["checkpoints"]}
    assert "counsel_before_interrogation" in blocking
    counsel = blocking["counsel_before_interrogation"]
    assert counsel["legal_basis"] == catalogue.get("counsel_before_interrogation").legal_basis
    assert counsel["legal_basis"] in error["message"]
    assert {"lawyer_name", "bar_number", "consulted_at", "present_at_interrogation"} <= set(counsel["missing"])
    after = ready.ok("case", "show", case_id, as_user="rev")
    assert (after["version"], after["stage"], after["tasks"]) == (before["version"], "suspicion", before["tasks"])
    assert audit_actions(ready, case_id)[-1] == "task.refused"

    evidence = add_counsel(ready, case_id)
    assert evidence["checkpoint"] == "counsel_before_interrogation" and evidence["case"] == case_id
    done = complete(ready, case_id, "interrogate_suspect", another_interrogation=False)
    assert done.code == 0, done.err
    assert done.json["case"]["stage"] == "interrogation"
    assert "interrogate_suspect" not in [t["name"] for t in done.json["case"]["tasks"]]
    assert audit_actions(ready, case_id)[-2:] == ["evidence.recorded", "task.completed"]


def test_a_stale_version_is_a_conflict(ready):
    case_id = open_case(ready)["id"]
    view = ready.ok("case", "show", case_id, as_user="rev")
    task = ready_task(view, "register_report")
    data = json.dumps(fill(view, task, {}))
    stale = ready("task", "complete", case_id, task["id"], "--data", data, "--version", view["version"] - 1,
                  as_user="inv")
    assert stale.code == EXIT_CODES["conflict"] == 6
    assert stale.error["error"] == "conflict" and "stale" in stale.error["message"]
    assert ready.ok("case", "show", case_id, as_user="rev")["version"] == view["version"]
    ready.ok("task", "complete", case_id, task["id"], "--data", data, "--version", view["version"], as_user="inv")
    again = ready("task", "complete", case_id, task["id"], "--data", data, as_user="inv")
    assert again.code == 6  # completed already


def test_invalid_form_data_names_the_fields(ready):
    case_id = open_case(ready)["id"]
    view = ready.ok("case", "show", case_id, as_user="rev")
    task = ready_task(view, "register_report")
    data = {**fill(view, task, {"offence_category": "piracy"}), "shoe_size": 44}
    del data["erdr_number"]
    result = ready("task", "complete", case_id, task["id"], "--data", json.dumps(data), as_user="inv")
    assert result.code == EXIT_CODES["invalid"] == 3
    fields = result.error["fields"]
    assert {"offence_category", "erdr_number", "shoe_size"} <= set(fields)
    assert ready.ok("case", "show", case_id, as_user="rev")["version"] == view["version"]


def test_a_role_outside_the_lane_is_forbidden(ready):
    case_id = open_case(ready)["id"]
    view = ready.ok("case", "show", case_id, as_user="rev")
    task = ready_task(view, "register_report")
    data = json.dumps(fill(view, task, {}))
    for user in ("rev", "pros"):
        result = ready("task", "complete", case_id, task["id"], "--data", data, as_user=user)
        assert result.code == EXIT_CODES["forbidden"] == 5, (user, result.err)
        assert result.error["error"] == "forbidden"
    assert ready("case", "open", "--data", "{}", as_user="rev").code == 5
    assert ready.ok("case", "show", case_id, as_user="rev")["version"] == view["version"]


def test_overrides_follow_the_rule_of_each_checkpoint(ready):
    case_id = open_case(ready)["id"]
    never = ready("override", case_id, "juvenile_safeguards", "--reason", "urgent", "--legal-ground", "none",
                  as_user="super")
    assert never.code == EXIT_CODES["forbidden"] == 5
    assert never.error["error"] == "override_refused"
    assert catalogue.get("juvenile_safeguards").legal_basis in never.error["message"]
    absolute = ready("override", case_id, "interpreter", "--reason", "No interpreter reachable today",
                     "--legal-ground", "CPC art 192", as_user="super")
    assert absolute.code == 5 and absolute.error["error"] == "override_refused"
    by_prosecutor = ready("override", case_id, "family_consular_notice", "--reason", "r", "--legal-ground", "g",
                          as_user="pros")
    assert by_prosecutor.code == 5 and by_prosecutor.error["error"] == "forbidden"
    out = ready.ok("override", case_id, "family_consular_notice", "--reason", "Family abroad, unreachable",
                   "--legal-ground", "CPC art 135", as_user="super")
    assert out["case"] == case_id and out["checkpoint"] == "family_consular_notice"
    assert isinstance(out["override"], int)
    assert audit_actions(ready, case_id)[-1] == "checkpoint.overridden"
    report = {line["checkpoint"]: line for line in ready.ok("report", "compliance")["checkpoints"]}
    assert report["family_consular_notice"]["overridden"] == 1
    unknown = ready("override", case_id, "torture_ok", "--reason", "r", "--legal-ground", "g", as_user="super")
    assert unknown.code == 2


# ---------------------------------------------------------------- audit and reports

@pytest.mark.parametrize("tampering", [
    "UPDATE audit_log SET payload = '{\"username\": \"mallory\", \"role\": \"admin\", \"unit\": \"\"}' WHERE seq = 2",
    "DELETE FROM audit_log WHERE seq = 3",
], ids=["edit", "delete_middle"])
def test_audit_verify_detects_tampering(ready, tampering):
    case_id = case_at_interrogation(ready)
    clean = ready("audit", "verify")
    assert clean.code == 0 and clean.json["ok"] is True and clean.json["entries"] > 5
    assert audit_actions(ready, case_id)[0] == "case.opened"
    ready.sql(tampering)
    broken = ready("audit", "verify")
    assert broken.code == EXIT_CODES["audit_broken"] == 8
    assert broken.json["ok"] is False and broken.json["problems"]
    expected = "#2: content does not match" if tampering.startswith("UPDATE") else "#4: expected sequence 3"
    assert any(expected in p for p in broken.json["problems"]), broken.json["problems"]


def test_audit_verify_detects_a_removed_tail(ready):
    ready.sql("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")
    broken = ready("audit", "verify")
    assert broken.code == 8 and any("chain head" in p for p in broken.json["problems"])


def test_audit_verify_detects_the_whole_trail_deleted_against_the_anchor(ready):
    case_at_interrogation(ready)
    head = ready.ok("audit", "anchor")
    assert head["seq"] > 5 and len(head["hash"]) == 64
    ready.sql("DELETE FROM audit_log")
    ready.sql("DELETE FROM audit_head")
    broken = ready("audit", "verify")
    assert broken.code == 8
    assert any(f"anchored entry #{head['seq']} is missing" in p for p in broken.json["problems"])


def test_compliance_report_as_json_and_csv(ready):
    case_id = case_at_interrogation(ready)
    assert complete(ready, case_id, "interrogate_suspect").code == 7
    report = ready.ok("report", "compliance", "--format", "json")
    lines = {line["checkpoint"]: line for line in report["checkpoints"]}
    assert list(lines) == list(catalogue.CATALOGUE) and len(lines) == 16
    # the refused interrogation is an attempt, counted apart, never a failed or pending evaluation
    counsel = lines["counsel_before_interrogation"]
    assert counsel["refused_attempts"] >= 1 and counsel["pending"] + counsel["failed"] == 0
    assert lines["suspect_status_approval"]["passed"] >= 1
    result = ready("report", "compliance", "--format", "csv")
    assert result.code == 0
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0][:5] == ["checkpoint", "right", "legal_basis", "failure", "total"]
    assert len(rows) == 1 + 16 and [r[0] for r in rows[1:]] == list(catalogue.CATALOGUE)
    header = rows[0]
    by_id = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    for cid, line in lines.items():
        assert int(by_id[cid]["total"]) == line["total"]
    future = ready.ok("report", "compliance", "--from", (now() + timedelta(days=1)).isoformat())
    assert all(line["total"] == 0 for line in future["checkpoints"])


def test_demo_leaves_cases_in_several_stages(db):
    out = db.ok("demo", "--processes", PROCESSES)
    assert {"investigator", "supervisor", "reviewer"} <= set(out["users"])
    assert all("api_token" in u and "password" in u for u in out["users"].values())
    cases = out["cases"]
    views = {name: db.ok("case", "show", case_id, as_user="reviewer") for name, case_id in cases.items()}
    stages = {name: (view["stage"], view["status"]) for name, view in views.items()}
    assert len({stage for stage, _ in stages.values()}) >= 3, stages
    assert stages["refused_for_want_of_counsel"] == ("suspicion", "open")
    assert stages["interpreter_provided"][0] == "interrogation"
    child = views["child_detained_and_released"]
    assert [e["status"] for e in child["episodes"]] == ["released"]
    assert child["facts"]["detained"] is False
    derogated = views["statement_under_derogation_flagged"]
    assert [f["checkpoint"] for f in derogated["flags"]] == ["counsel_before_interrogation"]
    extended = [e for e in views["at_trial"]["evidence"] if e["checkpoint"] == "custody_term_review"]
    assert len(extended) == 2 and extended[-1]["data"]["petition_at"]
    assert stages["terminated"][1] == "closed"
    complained = views["complaint_and_allegation"]
    assert [c["challenges_detention"] for c in complained["complaints"]] == [True]
    assert [a["made_by"] for a in complained["allegations"]] == ["defence"]
    assert any(e["kind"] == "referral" for e in complained["escalations"])
    refused = db.ok("case", "audit", cases["refused_for_want_of_counsel"], as_user="reviewer")
    refusal = [e for e in refused if e["action"] == "task.refused"]
    assert refusal and "counsel_before_interrogation" in {c["id"] for c in refusal[0]["payload"]["checkpoints"]}
    report = {line["checkpoint"]: line for line in db.ok("report", "compliance")["checkpoints"]}
    assert report["counsel_before_interrogation"]["overridden"] >= 1
    assert db("audit", "verify").code == 0
    again = db.ok("demo", "--processes", PROCESSES)  # users and versions exist already: new cases only
    assert again["users"] == {} and not any(d["created"] for d in again["deployed"])


# ---------------------------------------------------------------- help

def _command_paths(parser: argparse.ArgumentParser, prefix=()):
    yield prefix
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _command_paths(sub, prefix + (name,))


COMMAND_PATHS = list(_command_paths(cli.build_parser()))


def test_every_command_is_reachable_for_help():
    names = {" ".join(p) for p in COMMAND_PATHS}
    assert {"init", "validate", "deploy", "demo", "user add", "case open", "case show", "task complete",
            "evidence add", "override", "escalation resolve", "audit verify", "report compliance"} <= names


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(p) or "habeas")
def test_help_works_for_every_command(capsys, path):
    result = run(capsys, *path, "--help")
    assert result.code == 0
    assert result.out.startswith(f"usage: habeas{''.join(' ' + p for p in path)}")


def test_no_command_prints_help_and_exits_with_usage(capsys):
    result = run(capsys)
    assert result.code == EXIT_CODES["usage"] and "usage: habeas" in result.out


def test_complaint_and_allegation_from_the_command_line(ready):
    case_id = case_at_interrogation(ready)
    learned = (now() - timedelta(days=1)).isoformat()
    bad = ready("complaint", "file", case_id, "--act", " ", "--learned-at", learned, as_user="inv")
    assert bad.code == EXIT_CODES["invalid"] and "act_complained_of" in bad.error["fields"]
    filed = ready.ok("complaint", "file", case_id, "--act", "summons served without the suspicion notice",
                     "--learned-at", learned, "--complainant", "person", as_user="inv")
    assert filed["case_id"] == case_id and filed["challenges_detention"] is False
    alleged = ready.ok("allegation", "record", case_id, "--description", "threatened during the summons",
                       as_user="inv")
    assert alleged["referral_due_at"] and "UNCAT" in alleged["legal_basis"]
    assert ready("allegation", "refer", case_id, alleged["id"], "--referred-to", "x", as_user="inv").code == \
        EXIT_CODES["forbidden"]
    referred = ready.ok("allegation", "refer", case_id, alleged["id"], "--referred-to", "special unit",
                        as_user="pros")
    assert referred["late"] is False
    figures = {i["id"]: i for i in ready.ok("report", "indicators")["indicators"]}
    assert figures["allegations"]["cases"]["referred_in_time"] == [case_id]
    assert figures["complaints"]["cases"]["awaiting_ruling"] == [filed["id"]]
