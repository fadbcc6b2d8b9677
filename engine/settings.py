"""An installation's settings: what each environment variable means, what it is set to, and what
in it is unsafe.

One table (``SETTINGS``) is what the README documents, what ``habeas config check`` prints and
what ``habeas serve`` checks before it starts: serving beyond loopback with no secret key of the
office's own (unset, empty, a placeholder, too short) is refused.  Pure standard library: the web
app reads its secret key through ``secret_key`` so both sides agree on what is configured."""
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MIN_SECRET_LENGTH = 32
PLACEHOLDER_SECRETS = {"changeme", "change-me", "change_me", "replace-me", "secret", "secret-key", "dev",
                       "development", "test", "test-secret", "habeas", "default", "password", "xxx"}


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    meaning: str
    secret: bool = False


SETTINGS = (
    Setting("HABEAS_DATABASE_URL", "sqlite:///instance/habeas.sqlite3 (under the working directory)",
            "the database: `sqlite:////var/lib/habeas/habeas.sqlite3` or `postgresql://user:pass@host/db`",
            secret=True),
    Setting("HABEAS_SECRET_KEY", "a key generated in the instance folder (loopback only)",
            "signs sessions and CSRF tokens; at least 32 random characters, the same on every app machine",
            secret=True),
    Setting("HABEAS_SECRET_KEY_FILE", "", "a file holding the secret key (instead of HABEAS_SECRET_KEY)"),
    Setting("HABEAS_AUDIT_KEY", "a key generated in instance/audit.key",
            "key (16+ characters) that signs the audit chain, kept outside the database", secret=True),
    Setting("HABEAS_AUDIT_KEY_FILE", "", "a file holding the audit key (instead of HABEAS_AUDIT_KEY)"),
    Setting("HABEAS_AUDIT_ANCHOR", "instance/audit-anchor.jsonl",
            "append-only file the audit chain's head is written to after every commit"),
    Setting("HABEAS_TIMEZONE", "Asia/Almaty", "time zone in which times are shown (an IANA name)"),
    Setting("HABEAS_LANGUAGE", "en", "interface language when neither the user nor the browser chooses one "
            "(kk, ru or en)"),
    Setting("HABEAS_HOST", "127.0.0.1", "address `habeas serve` binds (0.0.0.0: every interface)"),
    Setting("HABEAS_PORT", "8000", "port `habeas serve` binds"),
    Setting("HABEAS_WORKERS", "1", "gunicorn worker processes of `habeas serve` (more than one: PostgreSQL)"),
    Setting("HABEAS_THREADS", "4", "threads per worker"),
    Setting("HABEAS_SCHEDULER", "1", "1: the web server runs the legal-clock scheduler; 0: a tick worker does"),
    Setting("HABEAS_SCHEDULER_INTERVAL", "30", "seconds between the web server's scheduler ticks"),
    Setting("HABEAS_SECURE_COOKIES", "", "1: cookies only over HTTPS (set it behind TLS); 0: also over HTTP"),
    Setting("HABEAS_TRUSTED_PROXIES", "0", "reverse proxies in front (their X-Forwarded-For is believed)"),
    Setting("HABEAS_BACKUP_DIR", "backups/ beside a SQLite file, else ./backups",
            "where `habeas upgrade` puts the backup it takes first"),
    Setting("HABEAS_RUN_CACHE", "32", "workflows each worker keeps in memory"),
    Setting("HABEAS_REPORT_STALENESS", "60", "seconds the reviewers' page may lag behind the latest act (its "
            "snapshot, refreshed by the tick worker); 0: computed on every render"),
    Setting("HABEAS_TOKEN_CACHE_SECONDS", "5", "how long a worker remembers a valid API token (0: not at all); "
            "a token revoked elsewhere works at most this long in it"),
    Setting("HABEAS_PARAM_<NAME>", "engine/domain/params.py", "legal figures marked (param) in the brief"),
    Setting("HABEAS_SCRIPT_SECONDS", "2", "wall-clock budget of one BPMN script or condition"),
    Setting("HABEAS_SCRIPT_MEMORY_MB", "256", "how far a script may grow the worker's peak memory"),
    Setting("HABEAS_STEP_SECONDS", "10", "budget of all the scripts of one step"),
    Setting("HABEAS_TRAINING_DIR", "the training scenarios that come with Habeas",
            "a folder of training scenarios to use instead"),
    Setting("HABEAS_USER", "", "the user the command line acts as (instead of --as)"),
    Setting("HABEAS_FAKE_NOW", "", "rehearsal only: the CLI acts as if it were this moment; never in service"),
)
BY_NAME = {s.name: s for s in SETTINGS}
DEFAULTS = {"HABEAS_TIMEZONE": "Asia/Almaty", "HABEAS_HOST": "127.0.0.1", "HABEAS_PORT": "8000",
            "HABEAS_WORKERS": "1", "HABEAS_THREADS": "4", "HABEAS_SCHEDULER": "1", "HABEAS_SCHEDULER_INTERVAL": "30",
            "HABEAS_LANGUAGE": "en", "HABEAS_RUN_CACHE": "32", "HABEAS_TRUSTED_PROXIES": "0",
            "HABEAS_REPORT_STALENESS": "60",
            "HABEAS_TOKEN_CACHE_SECONDS": "5"}
LANGUAGES = ("kk", "ru", "en")
MIN_AUDIT_KEY_LENGTH = 16


class SettingError(ValueError):
    """A setting that cannot be used as given (a missing key file, a time zone that does not exist)."""


def get(name: str, environ=None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get(name, DEFAULTS.get(name, ""))


def is_loopback(host: str) -> bool:
    """Only loopback addresses and ``localhost`` count; ``0.0.0.0``, ``::`` and other names do not."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _from_file(variable: str, environ) -> str | None:
    path = environ.get(variable)
    if not path:
        return None
    try:
        return Path(path).read_text().strip()
    except OSError as err:
        raise SettingError(f"{variable}: cannot read {path}: {err.strerror}") from None


def secret_key(environ=None) -> str | None:
    """The configured secret key (``HABEAS_SECRET_KEY`` or the file ``HABEAS_SECRET_KEY_FILE``
    names), or None when neither is set; an empty value is returned as it is (it is unsafe)."""
    environ = os.environ if environ is None else environ
    if "HABEAS_SECRET_KEY" in environ:
        return environ["HABEAS_SECRET_KEY"].strip()
    return _from_file("HABEAS_SECRET_KEY_FILE", environ)


def audit_key(environ=None) -> str | None:
    environ = os.environ if environ is None else environ
    if "HABEAS_AUDIT_KEY" in environ:
        return environ["HABEAS_AUDIT_KEY"].strip()
    return _from_file("HABEAS_AUDIT_KEY_FILE", environ)


def secret_key_problem(key: str | None) -> str | None:
    """Why a secret key must not guard a server others can reach, or None when it may."""
    if key is None:
        return ("no secret key is set (HABEAS_SECRET_KEY or HABEAS_SECRET_KEY_FILE); the generated one "
                "in the instance folder is for loopback only")
    if not key:
        return "the secret key is empty"
    if key.lower() in PLACEHOLDER_SECRETS:
        return "the secret key is a well-known placeholder"
    if len(key) < MIN_SECRET_LENGTH:
        return f"the secret key is too short ({len(key)} characters; at least {MIN_SECRET_LENGTH})"
    return None


@dataclass
class Review:
    """What ``habeas config check`` prints: the effective settings, and what is wrong with them.
    ``invalid``: cannot be used at all; ``unsafe``: refused when serving on ``host``;
    ``warnings``: worth fixing, not refused."""
    host: str
    settings: dict
    invalid: list
    unsafe: list
    warnings: list

    @property
    def refusals(self) -> list:
        return self.invalid + self.unsafe

    def to_dict(self) -> dict:
        return {"host": self.host, "loopback": is_loopback(self.host), "settings": self.settings,
                "invalid": self.invalid, "unsafe": self.unsafe, "warnings": self.warnings,
                "ok": not self.refusals}


def mask_url(url: str) -> str:
    """A database URL with its password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def _shown(setting: Setting, environ) -> dict:
    raw = environ.get(setting.name)
    if raw is None:
        return {"value": setting.default or "(not set)", "source": "default"}
    if setting.name == "HABEAS_DATABASE_URL":
        value = mask_url(raw)
    elif setting.secret:
        value = f"*** ({len(raw.strip())} characters)" if raw.strip() else "(empty)"
    else:
        value = raw
    return {"value": value, "source": "environment"}


def effective(environ=None) -> dict:
    """Every setting with its value (secrets masked) and where it came from."""
    environ = os.environ if environ is None else environ
    shown = {s.name: _shown(s, environ) for s in SETTINGS if "<" not in s.name}
    for name in sorted(environ):
        if name.startswith("HABEAS_PARAM_"):
            shown[name] = {"value": environ[name], "source": "environment"}
    return shown


def _check_numbers(environ, invalid: list) -> None:
    for name, minimum in (("HABEAS_PORT", 1), ("HABEAS_WORKERS", 1), ("HABEAS_THREADS", 1), ("HABEAS_RUN_CACHE", 0),
                          ("HABEAS_TRUSTED_PROXIES", 0), ("HABEAS_REPORT_STALENESS", 0),
                          ("HABEAS_TOKEN_CACHE_SECONDS", 0)):
        raw = get(name, environ)
        if not raw.isdigit() or int(raw) < minimum:
            invalid.append(f"{name}: {raw!r} is not a whole number of at least {minimum}")
    raw = get("HABEAS_SCHEDULER_INTERVAL", environ)
    try:
        if float(raw) <= 0:
            raise ValueError
    except ValueError:
        invalid.append(f"HABEAS_SCHEDULER_INTERVAL: {raw!r} is not a positive number of seconds")
    for name in ("HABEAS_SCHEDULER", "HABEAS_SECURE_COOKIES"):
        if get(name, environ) not in ("0", "1", ""):
            invalid.append(f"{name}: {get(name, environ)!r} is neither 0 nor 1")
    if get("HABEAS_LANGUAGE", environ) not in LANGUAGES:
        invalid.append(f"HABEAS_LANGUAGE: {get('HABEAS_LANGUAGE', environ)!r} is not one of {', '.join(LANGUAGES)}")


def _check_params(environ, invalid: list, warnings: list) -> None:
    from dataclasses import fields

    from .domain.params import Params
    known = {f"HABEAS_PARAM_{f.name.upper()}" for f in fields(Params)}
    unknown = sorted(n for n in environ if n.startswith("HABEAS_PARAM_") and n not in known)
    if unknown:
        warnings.append(f"unknown legal figures, ignored: {', '.join(unknown)}")
    try:
        Params.from_env(environ)
    except (TypeError, ValueError) as err:
        names = sorted(n for n in environ if n.startswith("HABEAS_PARAM_"))
        invalid.append(f"HABEAS_PARAM_*: {err} (set: {', '.join(names)})")


def _check_zone(environ, invalid: list) -> None:
    zone = get("HABEAS_TIMEZONE", environ)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        invalid.append(f"HABEAS_TIMEZONE: {zone!r} is not a known time zone")


def _check_secrets(environ, host: str, invalid: list, unsafe: list, warnings: list) -> None:
    try:
        problem = secret_key_problem(secret_key(environ))
    except SettingError as err:
        invalid.append(str(err))
        problem = None
    if problem and not is_loopback(host):
        unsafe.append(f"{problem}: refused when serving on {host}")
    elif problem and environ.get("HABEAS_SECRET_KEY") is not None:
        warnings.append(problem)
    try:
        key = audit_key(environ)
    except SettingError as err:
        invalid.append(str(err))
        return
    if key is None:
        warnings.append("no audit key set (HABEAS_AUDIT_KEY or HABEAS_AUDIT_KEY_FILE): keep the office's own "
                        "outside the database, and a copy off the machine")
    elif len(key) < MIN_AUDIT_KEY_LENGTH:
        warnings.append(f"the audit key is too short ({len(key)} characters; at least {MIN_AUDIT_KEY_LENGTH})")


def _check_database(environ, invalid: list) -> None:
    url = environ.get("HABEAS_DATABASE_URL")
    if url and not url.startswith(("sqlite:///", "postgresql://", "postgres://", "postgresql+psycopg://")):
        invalid.append(f"HABEAS_DATABASE_URL: {mask_url(url)!r} is neither sqlite:///PATH nor "
                       "postgresql://USER:PASSWORD@HOST/DATABASE")


def _check_service(environ, host: str, unsafe: list, warnings: list) -> None:
    if environ.get("HABEAS_FAKE_NOW"):
        warnings.append("HABEAS_FAKE_NOW is set: `habeas tick` and `habeas deadlines` would run on a rehearsal time")
    url = environ.get("HABEAS_DATABASE_URL", "")
    sqlite = not url or url.startswith("sqlite")
    workers = get("HABEAS_WORKERS", environ)
    if sqlite and workers.isdigit() and int(workers) > 1:
        warnings.append("more than one worker on SQLite: writers queue for one lock; use PostgreSQL")
    if not url:
        warnings.append("HABEAS_DATABASE_URL is not set: the database is instance/habeas.sqlite3 under the "
                        "working directory")
    if not is_loopback(host) and get("HABEAS_SECURE_COOKIES", environ) != "1":
        warnings.append("HABEAS_SECURE_COOKIES is not 1: put TLS in front and set it, so that session cookies "
                        "never travel over plain HTTP")


def review(environ=None, host: str | None = None) -> Review:
    """The effective settings and their problems, judged for serving on ``host`` (default
    ``HABEAS_HOST``)."""
    environ = os.environ if environ is None else environ
    host = host or get("HABEAS_HOST", environ)
    invalid, unsafe, warnings = [], [], []
    _check_numbers(environ, invalid)
    _check_zone(environ, invalid)
    _check_params(environ, invalid, warnings)
    _check_database(environ, invalid)
    _check_secrets(environ, host, invalid, unsafe, warnings)
    _check_service(environ, host, unsafe, warnings)
    return Review(host, effective(environ), invalid, unsafe, warnings)
