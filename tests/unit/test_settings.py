"""An installation's settings (``engine.settings``): what counts as loopback, which secret keys may
guard a server others reach, what ``habeas config check`` reports, and that secrets never show."""
import json

import pytest

from engine import settings

GOOD_KEY = "k3y-" + "x" * 40


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("10.0.0.5", False), ("habeas.office.kz", False), ("", False),
])
def test_only_loopback_addresses_count_as_loopback(host, loopback):
    assert settings.is_loopback(host) is loopback


@pytest.mark.parametrize("key, reason", [
    (None, "no secret key is set"), ("", "empty"), ("change-me", "placeholder"), ("Secret", "placeholder"),
    ("a" * 31, "too short (31 characters"),
])
def test_a_key_of_no_use_to_an_office_is_named(key, reason):
    assert reason in settings.secret_key_problem(key)


def test_a_long_key_of_the_offices_own_is_accepted():
    assert settings.secret_key_problem(GOOD_KEY) is None


def test_beyond_loopback_a_missing_key_is_unsafe_on_loopback_it_is_not():
    assert settings.review({}, host="127.0.0.1").unsafe == []
    unsafe = settings.review({}, host="0.0.0.0").unsafe
    assert len(unsafe) == 1 and "no secret key" in unsafe[0] and "0.0.0.0" in unsafe[0]


@pytest.mark.parametrize("value", ["", "   ", "dev", "short-but-not-a-placeholder"])
def test_an_empty_placeholder_or_short_key_is_unsafe_beyond_loopback(value):
    review = settings.review({"HABEAS_SECRET_KEY": value}, host="0.0.0.0")
    assert review.refusals and not review.to_dict()["ok"]


def test_a_good_key_from_the_environment_or_a_file_is_safe(tmp_path):
    assert settings.review({"HABEAS_SECRET_KEY": GOOD_KEY}, host="0.0.0.0").refusals == []
    key_file = tmp_path / "secret"
    key_file.write_text(GOOD_KEY + "\n")
    environ = {"HABEAS_SECRET_KEY_FILE": str(key_file)}
    assert settings.secret_key(environ) == GOOD_KEY
    assert settings.review(environ, host="0.0.0.0").refusals == []


def test_a_key_file_that_cannot_be_read_is_invalid_even_on_loopback(tmp_path):
    review = settings.review({"HABEAS_SECRET_KEY_FILE": str(tmp_path / "missing")}, host="127.0.0.1")
    assert len(review.invalid) == 1 and "HABEAS_SECRET_KEY_FILE" in review.invalid[0]
    assert not review.to_dict()["ok"]


@pytest.mark.parametrize("name, value", [
    ("HABEAS_TIMEZONE", "Mars/Olympus"), ("HABEAS_SCHEDULER_INTERVAL", "soon"), ("HABEAS_SCHEDULER_INTERVAL", "0"),
    ("HABEAS_WORKERS", "two"), ("HABEAS_PORT", "0"), ("HABEAS_SCHEDULER", "yes"),
    ("HABEAS_PARAM_JUDICIAL_REVIEW_HOURS", "forty-eight"), ("HABEAS_DATABASE_URL", "mysql://root:pw@db/habeas"),
    ("HABEAS_DATABASE_URL", "/var/lib/habeas/habeas.sqlite3"), ("HABEAS_LANGUAGE", "fr"),
    ("HABEAS_TRUSTED_PROXIES", "-1"),
])
def test_a_value_that_cannot_be_used_is_invalid(name, value):
    invalid = settings.review({"HABEAS_SECRET_KEY": GOOD_KEY, name: value}, host="127.0.0.1").invalid
    assert len(invalid) == 1 and name.split("_PARAM_")[0] in invalid[0]


def test_defaults_are_valid():
    assert settings.review({}, host="127.0.0.1").invalid == []


@pytest.mark.parametrize("url", ["sqlite:////var/lib/habeas/habeas.sqlite3", "postgresql://habeas:pw@db/habeas",
                                 "postgres://habeas@db/habeas", "postgresql+psycopg://habeas@db/habeas"])
def test_the_databases_habeas_runs_on_are_valid(url):
    assert settings.review({"HABEAS_DATABASE_URL": url}, host="127.0.0.1").invalid == []


def test_warnings_name_what_an_office_should_fix():
    review = settings.review({"HABEAS_SECRET_KEY": GOOD_KEY, "HABEAS_WORKERS": "3", "HABEAS_PARAM_JUDICAL_REVIEW": "1",
                              "HABEAS_FAKE_NOW": "2026-03-02T09:00:00+00:00", "HABEAS_AUDIT_KEY": "short"},
                             host="0.0.0.0")
    text = " | ".join(review.warnings)
    for expected in ("SQLite", "HABEAS_PARAM_JUDICAL_REVIEW", "HABEAS_FAKE_NOW", "HABEAS_SECURE_COOKIES",
                     "HABEAS_DATABASE_URL is not set", "audit key is too short (5 characters"):
        assert expected in text
    assert review.refusals == []
    assert any("no audit key set" in w for w in settings.review({}, host="127.0.0.1").warnings)


def test_the_report_masks_every_secret_and_the_database_password(tmp_path):
    environ = {"HABEAS_SECRET_KEY": GOOD_KEY, "HABEAS_AUDIT_KEY": "audit-" + "y" * 40,
               "HABEAS_DATABASE_URL": "postgresql://habeas:pa55word@db.office/habeas", "HABEAS_TIMEZONE": "Asia/Aqtobe",
               "HABEAS_PARAM_JUDICIAL_REVIEW_HOURS": "72"}
    report = settings.review(environ, host="127.0.0.1").to_dict()
    text = json.dumps(report)
    assert GOOD_KEY not in text and "y" * 40 not in text and "pa55word" not in text
    shown = report["settings"]
    assert shown["HABEAS_DATABASE_URL"]["value"] == "postgresql://habeas:***@db.office/habeas"
    assert shown["HABEAS_SECRET_KEY"] == {"value": f"*** ({len(GOOD_KEY)} characters)", "source": "environment"}
    assert shown["HABEAS_TIMEZONE"] == {"value": "Asia/Aqtobe", "source": "environment"}
    assert shown["HABEAS_PARAM_JUDICIAL_REVIEW_HOURS"]["value"] == "72"
    assert shown["HABEAS_WORKERS"]["source"] == "default"


def test_every_setting_read_in_the_sources_is_in_the_table():
    """The README's table is this table: a setting the code reads but the table lacks is undocumented."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    read = set()
    for path in list((root / "engine").rglob("*.py")) + list((root / "web").rglob("*.py")):
        read |= set(re.findall(r"""environ(?:\.get)?[\(\[]\s*["'](HABEAS_[A-Z_]+)["']""", path.read_text()))
    documented = {s.name for s in settings.SETTINGS}
    assert read - documented - {"HABEAS_PARAM_"} == set()
    readme = (root / "README.md").read_text()
    assert {name for name in documented if f"`{name}`" not in readme} == set()
