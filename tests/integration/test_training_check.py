"""`habeas training check`: a trainer's new scenario is played on a throwaway database; a sound
one exits 0, one whose mistake walk does not break what it says exits 3 naming the problem."""
import json

from engine import cli
from engine.services.training import DEFAULT_DIR
from tests.conftest import PROCESSES


def test_a_sound_scenario_passes_the_check(capsys):
    assert cli.main(["training", "check", "--scenario", "child_at_night", "--processes", str(PROCESSES)]) == 0
    report = json.loads(capsys.readouterr().out)
    [result] = report["scenarios"]
    assert report["ok"] and result["reference"]["score"] == result["max_score"] == 4
    assert result["mistake"]["lost"] == ["juvenile_safeguards"]


def test_a_scenario_whose_mistake_breaks_something_else_is_refused(tmp_path, monkeypatch, capsys):
    data = json.loads((DEFAULT_DIR / "01_salduz_first_hours.json").read_text(encoding="utf-8"))
    data["mistake"]["breaks"] = ["silence_caution"]
    (tmp_path / "salduz.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("HABEAS_TRAINING_DIR", str(tmp_path))
    assert cli.main(["training", "check", "--processes", str(PROCESSES)]) == 3
    report = json.loads(capsys.readouterr().out)
    assert not report["ok"]
    assert report["scenarios"][0]["problems"] == [
        "the mistake walk loses ['counsel_before_interrogation'], not ['silence_caution']"]
