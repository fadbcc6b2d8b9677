"""The deploy-time proof on the command line: ``habeas validate`` prints the proof and a refused
path; ``habeas deploy`` refuses a dead end (exit 3) and leaves a removal of a guarded task
pending (exit 6) until another designer or admin runs ``habeas deploy --confirm ID``."""
from tests import variants
from tests.integration.test_cli import PROCESSES, db, db_url, ready, run  # noqa: F401


def test_validate_prints_that_the_shipped_library_holds(capsys):
    for path in sorted(PROCESSES.glob("*.bpmn")):
        result = run(capsys, "validate", path)
        assert result.code == 0 and result.json["proof"] == "holds", result.out


def test_validate_prints_the_refused_path_of_a_detention_dead_end(capsys, tmp_path):
    bad = tmp_path / "dead_end.bpmn"
    bad.write_text(variants.detention_dead_end())
    result = run(capsys, "validate", bad)
    assert result.code == 3
    assert result.json["proof"] == "refused"
    [finding] = [p for p in result.json["problems"] if p["element"] == "case_terminated"]
    assert finding["rule"] == "detention_dead_end" and finding["path"][0] == "apprehend_suspect"


def test_deploy_refuses_a_dead_end_and_a_removal_waits_for_a_second_person(ready, tmp_path):
    ready.ok("user", "add", "des", "--role", "designer")
    dead = tmp_path / "dead_end.bpmn"
    dead.write_text(variants.detention_dead_end())
    refused = ready("deploy", dead, as_user="des")
    assert refused.code == 3 and refused.error["error"] == "invalid_bpmn"

    removal = tmp_path / "removal.bpmn"
    removal.write_text(variants.verdict_service_removed())
    asked = ready("deploy", removal, as_user="des")
    assert asked.code == 6 and asked.error["error"] == "confirmation_required"
    pending_id = asked.error["pending"]
    own = ready("deploy", "--confirm", pending_id, as_user="des")
    assert own.code == 5 and "four eyes" in own.error["message"]
    both = ready("deploy", removal, "--confirm", pending_id)
    assert both.code == 3
    confirmed = ready.ok("deploy", "--confirm", pending_id)  # the console administrator
    assert confirmed["process"] == "criminal_case" and confirmed["version"] == 2 and confirmed["created"]
