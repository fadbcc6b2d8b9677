"""Settings from the environment, with safe defaults for the embedded SQLite setup."""
import os
import secrets
from pathlib import Path

from engine import settings as installation
from engine.persistence.database import database_url


def load(app, test_config: dict | None) -> None:
    instance = Path(app.instance_path)
    app.config.from_mapping(
        SECRET_KEY=installation.secret_key() or _instance_secret(instance),
        DATABASE_URL=database_url(),
        ENGINE_OPTIONS={},
        TIMEZONE=os.environ.get("HABEAS_TIMEZONE", "Asia/Almaty"),
        DEFAULT_LANGUAGE=os.environ.get("HABEAS_LANGUAGE", "en"),  # when neither user nor browser says
        SCHEDULER=os.environ.get("HABEAS_SCHEDULER", "1") == "1",
        SCHEDULER_INTERVAL=float(os.environ.get("HABEAS_SCHEDULER_INTERVAL", "30")),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # None: Secure unless plain HTTP on loopback (web.auth.HabeasSessionInterface)
        SESSION_COOKIE_SECURE={"1": True, "0": False}.get(os.environ.get("HABEAS_SECURE_COOKIES", "")),
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        MAX_CONTENT_LENGTH=2_000_000,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in auth.exempt_token_requests, Bearer calls aside
        TRUSTED_PROXIES=int(os.environ.get("HABEAS_TRUSTED_PROXIES", "0")),
        LOGIN_ATTEMPTS=5,  # failed logins per user name within the window
        LOGIN_ATTEMPTS_PER_ADDRESS=20,  # from one address, whatever the user names
        LOGIN_WINDOW_SECONDS=900,
        CLOCK=None,
        # the audit chain's head goes here after every commit (outside the database); by default
        # HABEAS_AUDIT_ANCHOR or one file per database under instance/ (engine.persistence.anchor)
        AUDIT_ANCHOR=None,
    )
    if test_config:
        app.config.update(test_config)
    if not app.config["AUDIT_ANCHOR"]:
        from engine.persistence.anchor import default_path
        app.config["AUDIT_ANCHOR"] = default_path(app.config["DATABASE_URL"])  # instance/ as the CLI's
    options = dict(app.config["ENGINE_OPTIONS"])
    if app.config["DATABASE_URL"].startswith("sqlite"):
        from engine.persistence.database import SQLITE_CONNECT_ARGS
        options.setdefault("connect_args", dict(SQLITE_CONNECT_ARGS))
    else:
        options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _instance_secret(instance: Path) -> str:
    """A per-installation secret kept in instance/ (never committed), made on first start."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)  # only then: an installed package's folder may be read-only
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
