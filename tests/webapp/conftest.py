"""Web fixtures: the app on the test database, logged-in clients, a live server and Chromium."""
import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engine.domain.clock import FixedClock
from tests.conftest import PASSWORD, PG_SCHEMA, START, _empty, seed

from web import create_app

CHROMIUM = os.environ.get("HABEAS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def make_app(engine, clock, **config):
    options = {}
    if engine.dialect.name == "postgresql":
        options = {"connect_args": {"options": f"-csearch_path={PG_SCHEMA}"}}
    return create_app({"TESTING": True, "SCHEDULER": False, "SECRET_KEY": "test-secret",
                       "DATABASE_URL": engine.url.render_as_string(hide_password=False),
                       "ENGINE_OPTIONS": options, "CLOCK": clock, **config})


@pytest.fixture
def app(db_engine, clock, seeded):
    app = make_app(db_engine, clock)
    yield app
    with app.app_context():
        from web.extensions import db
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path="/login") -> str:
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def login(client, username: str, password: str = PASSWORD):
    token = csrf_token(client)
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


@pytest.fixture
def login_as(app):
    """``login_as("judge")`` -> a test client with that user's session (user names as in `actors`)."""
    def _login(username):
        return login(app.test_client(), username)
    return _login


# ---- browser tests: a live server on 127.0.0.1 and Debian's Chromium driven by Playwright ----

@pytest.fixture
def live_server(sqlite_engine):
    """The app on SQLite, served on a free loopback port in a thread (browser tests use SQLite)."""
    from engine.domain.params import Params
    from engine.persistence.database import session_factory
    from engine.services.context import Habeas
    _empty(sqlite_engine)
    clock = FixedClock(START)
    habeas = Habeas(sessions=session_factory(sqlite_engine), clock=clock, params=Params())
    seed(habeas)
    app = make_app(sqlite_engine, clock)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app, "habeas": habeas, "clock": clock}
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("HABEAS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required (HABEAS_REQUIRE_BROWSER=1) but no Chromium at {CHROMIUM}")
        pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync"])
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a screenshot of a key page as a test artifact (test-artifacts/NAME.png)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
