"""The app shell: login, CSRF, security headers, errors as JSON or pages, never a traceback."""
import pytest

from tests.webapp.conftest import csrf_token, login


def test_login_with_a_wrong_password_is_refused_then_rate_limited(client, app):
    token = csrf_token(client)
    for _ in range(app.config["LOGIN_ATTEMPTS"]):
        assert client.post("/login", data={"username": "judge", "password": "nope", "csrf_token": token}).status_code == 401
    refused = client.post("/login", data={"username": "judge", "password": "correct horse battery", "csrf_token": token})
    assert refused.status_code == 429


def test_a_form_without_csrf_token_is_refused(client):
    assert client.post("/login", data={"username": "judge", "password": "correct horse battery"}).status_code == 400
    login(client, "judge")
    assert client.post("/logout").status_code == 400


def test_security_headers_and_cookie_flags(client):
    response = client.get("/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    login(client, "judge")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_login_never_redirects_off_site(client):
    token = csrf_token(client)
    response = client.post("/login?next=//evil.example/", data={"username": "judge", "password": "correct horse battery",
                                                                 "csrf_token": token})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/no-such-page"])
def test_unknown_paths_answer_404_without_traceback(client, path):
    response = client.get(path)
    assert response.status_code == 404 and "Traceback" not in response.get_data(as_text=True)


def test_the_default_sqlite_database_is_the_one_the_cli_initialised(tmp_path, monkeypatch):
    """`make run`: `habeas init` and the web app must find the same instance/ file."""
    from engine.cli import main
    from web import create_app
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HABEAS_DATABASE_URL", raising=False)
    assert main(["init"]) == 0
    assert main(["user", "add", "aliya", "--role", "investigator", "--password", "plum orchard under snow"]) == 0
    client = create_app({"SCHEDULER": False}).test_client()
    token = csrf_token(client)
    response = client.post("/login", data={"username": "aliya", "password": "plum orchard under snow", "csrf_token": token})
    assert response.status_code == 302
