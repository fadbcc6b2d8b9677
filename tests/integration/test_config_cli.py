"""``habeas config check`` and ``habeas serve``'s refusal, driven in-process (the refusal returns
before gunicorn would replace the process), and the web app reading the key the check approved."""
import json

import pytest

from engine.cli import EXIT_CODES
from tests.integration.test_cli import run

GOOD_KEY = "office-key-" + "z" * 40


@pytest.fixture
def environ(monkeypatch, tmp_path):
    """No HABEAS_* setting leaks in from the shell running the tests."""
    import os
    for name in [n for n in os.environ if n.startswith("HABEAS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HABEAS_DATABASE_URL", f"sqlite:///{tmp_path / 'habeas.sqlite3'}")
    return monkeypatch


def test_config_check_prints_the_settings_with_secrets_masked(capsys, environ):
    environ.setenv("HABEAS_SECRET_KEY", GOOD_KEY)
    result = run(capsys, "config", "check")
    assert result.code == 0 and GOOD_KEY not in result.out
    report = result.json
    assert report["ok"] and report["host"] == "127.0.0.1" and report["loopback"]
    assert report["settings"]["HABEAS_SECRET_KEY"]["value"].startswith("***")
    assert report["settings"]["HABEAS_DATABASE_URL"]["source"] == "environment"


def test_config_check_says_what_is_unsafe_for_the_address_and_exits_10(capsys, environ):
    environ.setenv("HABEAS_HOST", "0.0.0.0")
    result = run(capsys, "config", "check", "--format", "text")
    assert result.code == EXIT_CODES["unsafe_configuration"] == 10
    assert "UNSAFE: no secret key is set" in result.out and "NOT SAFE TO SERVE" in result.out
    assert run(capsys, "config", "check", "--host", "127.0.0.1").code == 0


@pytest.mark.parametrize("key", [None, "", "changeme", "tooshort"])
def test_serve_beyond_loopback_without_a_key_of_its_own_refuses_in_one_line(capsys, environ, key):
    if key is not None:
        environ.setenv("HABEAS_SECRET_KEY", key)
    result = run(capsys, "serve", "--host", "0.0.0.0", "--port", "8999")
    assert result.code == 10 and result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    error = json.loads(lines[0])
    assert error["error"] == "unsafe_configuration" and "secret key" in error["message"]
    assert "0.0.0.0:8999" in error["message"]


def test_serve_refuses_a_setting_it_cannot_use_even_on_loopback(capsys, environ):
    environ.setenv("HABEAS_TIMEZONE", "Europe/Atlantis")
    result = run(capsys, "serve")
    assert result.code == 10 and "HABEAS_TIMEZONE" in json.loads(result.err)["message"]


def test_serve_takes_its_address_from_the_environment(capsys, environ):
    environ.setenv("HABEAS_HOST", "0.0.0.0")
    environ.setenv("HABEAS_PORT", "8123")
    result = run(capsys, "serve")
    assert result.code == 10 and "0.0.0.0:8123" in result.err


def test_the_web_app_signs_with_the_key_file_the_check_approved(environ, tmp_path):
    from web import create_app
    key_file = tmp_path / "secret_key"
    key_file.write_text(GOOD_KEY + "\n")
    environ.setenv("HABEAS_SECRET_KEY_FILE", str(key_file))
    app = create_app({"TESTING": True, "SCHEDULER": False})
    assert app.config["SECRET_KEY"] == GOOD_KEY


def test_with_a_configured_key_the_app_never_writes_to_its_instance_folder(environ, tmp_path):
    """An installed package's instance folder (``<venv>/var/web-instance``) may be read-only."""
    from flask import Flask

    from web import create_app
    instance = tmp_path / "read-only-venv" / "var" / "web-instance"
    environ.setattr(Flask, "auto_find_instance_path", lambda self: str(instance))
    environ.setenv("HABEAS_SECRET_KEY", GOOD_KEY)
    assert create_app({"TESTING": True, "SCHEDULER": False}).config["SECRET_KEY"] == GOOD_KEY
    assert not instance.exists()
    environ.delenv("HABEAS_SECRET_KEY")  # without one, a key is made there on first start and kept
    first = create_app({"TESTING": True, "SCHEDULER": False}).config["SECRET_KEY"]
    assert (instance / "secret_key").read_text().strip() == first
    assert create_app({"TESTING": True, "SCHEDULER": False}).config["SECRET_KEY"] == first
