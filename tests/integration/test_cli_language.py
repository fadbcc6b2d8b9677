"""The command line's human-readable output in the operator's language (``engine.language``): the
operator's locale, else ``HABEAS_LANGUAGE``, else English; JSON output stays English."""
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from engine import language
from tests.integration.test_cli import run

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def environ(monkeypatch, tmp_path):
    """No locale or HABEAS_* setting leaks in from the shell running the tests."""
    for name in [n for n in os.environ if n.startswith("HABEAS_") or n in language.LOCALE_VARIABLES]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HABEAS_DATABASE_URL", f"sqlite:///{tmp_path / 'habeas.sqlite3'}")
    return monkeypatch


@pytest.mark.parametrize("variables, expected", [
    ({"LANG": "ru_RU.UTF-8"}, "ru"),
    ({"LC_ALL": "kk_KZ.UTF-8", "LANG": "ru_RU.UTF-8"}, "kk"),
    ({"LANGUAGE": "ru:en", "LANG": "en_US.UTF-8"}, "ru"),
    ({"LANG": "C.UTF-8", "HABEAS_LANGUAGE": "kk"}, "kk"),
    ({"LANG": "de_DE.UTF-8", "HABEAS_LANGUAGE": "ru"}, "ru"),
    ({"LANG": "en_GB.UTF-8", "HABEAS_LANGUAGE": "ru"}, "en"),
    ({"LANG": "POSIX"}, "en"),
    ({}, "en"),
])
def test_the_operators_locale_chooses_then_the_installations_default(variables, expected):
    assert language.chosen(variables) == expected


def test_config_check_speaks_russian_with_a_russian_locale(capsys, environ):
    environ.setenv("HABEAS_HOST", "0.0.0.0")
    environ.setenv("LANG", "ru_RU.UTF-8")
    result = run(capsys, "config", "check", "--format", "text")
    assert result.code == 10
    assert "Habeas" in result.out and "(доступен и с других компьютеров)" in result.out
    # the engine's own sentence about the setting stays as written, under a Russian heading
    assert "НЕБЕЗОПАСНО: no secret key is set" in result.out and "ЗАПУСК НЕБЕЗОПАСЕН" in result.out
    assert "NOT SAFE" not in result.out
    assert json.loads(run(capsys, "config", "check").out)["ok"] is False  # JSON: English keys, unchanged


def test_deadlines_are_listed_in_kazakh_and_in_russian_with_dates_as_written_there(capsys, environ):
    from tests.conftest import PROCESSES
    assert run(capsys, "init").code == 0
    assert run(capsys, "demo", "--processes", PROCESSES).code == 0
    later = (datetime.now(timezone.utc) + timedelta(hours=1, minutes=1)).isoformat()
    english = run(capsys, "deadlines", "--now", later).out
    assert "CASE" in english and "judicial review of detention" in english and "running" in english
    environ.setenv("LANG", "ru_RU.UTF-8")
    russian = run(capsys, "deadlines", "--now", later).out
    assert russian.splitlines()[0].split()[:3] == ["ДЕЛО", "СРОК", "ВИД"]
    assert "судебная проверка задержания" in russian and "идёт" in russian and "право" in russian
    assert "judicial review" not in russian and " ч " in russian
    day = datetime.now(timezone(timedelta(hours=5)))
    assert f"{day:%m.%Y}" in russian or f"{day + timedelta(days=40):%m.%Y}" in russian  # dd.mm.yyyy
    environ.setenv("LANG", "C.UTF-8")
    environ.setenv("HABEAS_LANGUAGE", "kk")
    kazakh = run(capsys, "deadlines", "--now", later).out
    assert kazakh.splitlines()[0].split()[:2] == ["ІС", "МЕРЗІМ"] and "ұстап алуды сот тексеруі" in kazakh
    listing = json.loads(run(capsys, "deadlines", "--now", later, "--format", "json").out)
    assert {d["clock"] for d in listing["deadlines"]} >= {"detention_judicial_review"}  # ids stay English
    assert all(d["title"].isascii() for d in listing["deadlines"])


def test_a_real_habeas_process_prints_russian_under_lang_ru(tmp_path):
    """As an operator runs it: a new process, LANG=ru_RU.UTF-8 in its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HABEAS_") and k not in language.LOCALE_VARIABLES}
    env.update(LANG="ru_RU.UTF-8", HABEAS_HOST="0.0.0.0", HABEAS_DATABASE_URL=f"sqlite:///{tmp_path / 'h.sqlite3'}")
    done = subprocess.run([sys.executable, "-m", "engine.cli", "config", "check", "--format", "text"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 10, done.stderr
    assert "ЗАПУСК НЕБЕЗОПАСЕН" in done.stdout
