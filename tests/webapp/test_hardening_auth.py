"""Issue 13, findings 5 to 8, each reproduced: sessions outliving logout, deactivation and role
change; tokens never revoked nor expiring; any password accepted; cookies not Secure; login
throttling per worker; an open redirect after login; denials not audited.  On SQLite and
PostgreSQL (the shared app fixtures)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.domain.errors import InvalidData
from engine.persistence.models import AuditEntry
from engine.services import users
from engine.services.context import Actor
from tests.conftest import PASSWORD
from tests.webapp.conftest import csrf_token, login, make_app

ADMIN = Actor("root", "admin")


def cases_page(client):
    return client.get("/cases/")


def audit_entries(habeas, action):
    with habeas.unit_of_work() as s:
        return s.execute(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)).scalars().all()


# ---- 5. sessions and tokens --------------------------------------------------------------------

def test_a_session_cookie_replayed_after_logout_no_longer_works(login_as, app):
    judge = login_as("judge")
    stolen = judge.get_cookie("session").value
    assert cases_page(judge).status_code == 200
    judge.post("/logout", data={"csrf_token": csrf_token(judge, "/cases/")})
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    response = cases_page(replay)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("change", ["deactivate", "role"])
def test_deactivation_and_a_change_of_role_end_open_sessions(login_as, seeded, change):
    judge = login_as("judge")
    assert cases_page(judge).status_code == 200
    if change == "deactivate":
        users.deactivate(seeded, ADMIN, "judge")
    else:
        users.change_role(seeded, ADMIN, "judge", "reviewer")
    response = cases_page(judge)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_api_tokens_can_be_revoked_and_expire(client, seeded, clock):
    token = users.add_user(seeded, ADMIN, "script-a", "reviewer", expires=clock.now() + timedelta(hours=1))
    lasting = users.add_user(seeded, ADMIN, "script-b", "reviewer")
    bearer = lambda t: {"Authorization": f"Bearer {t}"}  # noqa: E731
    assert client.get("/api/v1/cases", headers=bearer(token)).status_code == 200
    clock.advance(hours=2)
    expired = client.get("/api/v1/cases", headers=bearer(token))
    assert expired.status_code == 401 and "expired" in expired.get_json()["message"]
    assert client.get("/api/v1/cases", headers=bearer(lasting)).status_code == 200
    users.revoke_tokens(seeded, ADMIN, "script-b")
    assert client.get("/api/v1/cases", headers=bearer(lasting)).status_code == 401
    fresh = users.issue_token(seeded, ADMIN, "script-b")
    assert client.get("/api/v1/cases", headers=bearer(fresh)).status_code == 200


def test_a_weak_password_is_refused_and_no_user_is_created(seeded):
    with pytest.raises(InvalidData) as refused:
        users.add_user(seeded, ADMIN, "aliya", "investigator", password="x")
    assert "at least 12" in refused.value.fields["password"][0]
    with pytest.raises(Exception):
        users.actor_named(seeded, "aliya")


@pytest.mark.parametrize("base_url, headers, secure", [
    ("http://127.0.0.1/", {}, False),
    ("http://localhost/", {}, False),
    ("http://habeas.example/", {}, True),
    ("http://127.0.0.1/", {"X-Forwarded-Proto": "https"}, True),
    ("https://127.0.0.1/", {}, True),
])
def test_the_session_cookie_is_secure_unless_plain_http_on_loopback(app, base_url, headers, secure):
    response = app.test_client().get("/login", base_url=base_url, headers=headers)  # sets the session (CSRF)
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][-1]
    assert ("; Secure" in cookie) is secure, cookie


# ---- 6. throttling shared by every worker ------------------------------------------------------

def attempt(client, username, password, address="10.0.0.7"):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address}).status_code


def test_guesses_are_counted_across_workers_and_the_right_password_works_after_the_window(db_engine, clock, seeded):
    workers = [make_app(db_engine, clock).test_client() for _ in range(2)]
    limit = workers[0].application.config["LOGIN_ATTEMPTS"]
    outcomes = [attempt(workers[i % 2], "judge", f"guess number {i}") for i in range(limit + 4)]
    assert outcomes == [401] * limit + [429] * 4
    assert attempt(workers[0], "judge", PASSWORD) == 429  # no password is checked while throttled
    clock.advance(seconds=workers[0].application.config["LOGIN_WINDOW_SECONDS"] + 1)
    assert attempt(workers[1], "judge", PASSWORD) == 302


def test_many_user_names_from_one_address_are_throttled(db_engine, clock, seeded):
    client = make_app(db_engine, clock).test_client()
    limit = client.application.config["LOGIN_ATTEMPTS_PER_ADDRESS"]
    outcomes = [attempt(client, f"someone{i}", "a wrong password") for i in range(limit + 3)]
    assert outcomes == [401] * limit + [429] * 3
    assert attempt(client, "judge", PASSWORD, address="10.0.0.8") == 302  # other addresses are not


# ---- 7. next after login: a same-site path only -----------------------------------------------

@pytest.mark.parametrize("raw_next", ["/%09/evil.example/", "/%0d%0aSet-Cookie:%20x=1", "//evil.example/",
                                      "/\\evil.example/", "https://evil.example/", "/%0a/evil.example"])
def test_login_never_redirects_off_site_nor_fails_on_control_characters(client, raw_next):
    token = csrf_token(client)
    response = client.post(f"/login?next={raw_next}", data={"username": "judge", "password": PASSWORD,
                                                             "csrf_token": token})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location and "Set-Cookie" not in location and "\n" not in location


def test_a_same_site_next_is_followed(client):
    token = csrf_token(client)
    response = client.post("/login?next=/cases/%3Fstage%3Dtrial", data={"username": "judge", "password": PASSWORD,
                                                                         "csrf_token": token})
    assert response.headers["Location"].endswith("/cases/?stage=trial")


# ---- 8. denials are audited ---------------------------------------------------------------------

def test_every_403_is_audited_with_who_what_and_where(login_as, seeded):
    investigator = login_as("investigator")
    assert investigator.get("/compliance/").status_code == 403
    assert investigator.get("/api/v1/audit/verify").status_code == 403
    denied = audit_entries(seeded, "access.denied")
    assert [(e.actor, e.payload["status"], e.payload["where"]) for e in denied] == [
        ("investigator", 403, "GET /compliance/"), ("investigator", 403, "GET /api/v1/audit/verify")]
    assert denied[0].payload["address"] == "127.0.0.1" and "investigator" in denied[0].payload["what"]


def test_a_401_naming_a_user_is_audited_and_one_naming_nobody_is_not(client, seeded):
    token = users.add_user(seeded, ADMIN, "script-c", "reviewer")
    users.revoke_tokens(seeded, ADMIN, "script-c")
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/v1/cases", headers={"Authorization": "Bearer unknown"}).status_code == 401
    assert attempt(client, "judge", "a wrong password") == 401
    assert attempt(client, "nobody-at-all", "a wrong password") == 401
    assert [(e.actor, e.payload["status"]) for e in audit_entries(seeded, "access.denied")] == [("script-c", 401)]
    assert [e.actor for e in audit_entries(seeded, "auth.login_failed")] == ["judge"]


def test_behind_a_trusted_proxy_each_client_address_is_counted(db_engine, clock, seeded):
    client = make_app(db_engine, clock, TRUSTED_PROXIES=1).test_client()
    limit = client.application.config["LOGIN_ATTEMPTS_PER_ADDRESS"]
    for i in range(limit):
        token = csrf_token(client)
        assert client.post("/login", data={"username": f"someone{i}", "password": "a wrong password",
                                           "csrf_token": token},
                           headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 401
    token = csrf_token(client)
    assert client.post("/login", data={"username": "judge", "password": PASSWORD, "csrf_token": token},
                       headers={"X-Forwarded-For": "203.0.113.10"}).status_code == 302
