"""Helpers for the API tests: a script's API token per role, a small client that sends them,
and a way to walk a case through its forms over HTTP as each lane's user would."""
from dataclasses import dataclass
from datetime import timedelta

import pytest

from engine.services import users
from engine.services.context import Actor
from tests.conftest import ROLES

ROOT = Actor("root", "admin")


def script_user(role: str) -> str:
    return f"script-{role}"


def issue_tokens(habeas) -> dict[str, str]:
    """One script user per role (``script-<role>``), created through the users service; their tokens."""
    return {role: users.add_user(habeas, ROOT, script_user(role), role) for role in ROLES}


@dataclass
class Api:
    """Calls /api/v1 with the token of a role; ``role=None`` sends no credentials."""

    client: object
    tokens: dict

    def headers(self, role, extra=None) -> dict:
        out = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        out.update(extra or {})
        return out

    def get(self, path: str, role="reviewer", **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self.headers(role, kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, role="investigator", **kwargs):
        return self.client.post(f"/api/v1{path}", headers=self.headers(role, kwargs.pop("headers", None)), **kwargs)

    # ---- walking a case ----

    def open_case(self, data: dict, role="investigator", **extra) -> dict:
        response = self.post("/cases", role, json={"process": "criminal_case", "data": data, **extra})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def case(self, case_id: int) -> dict:
        response = self.get(f"/cases/{case_id}", "reviewer")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def task(self, case_id: int, name: str) -> dict:
        view = self.case(case_id)
        ready = {t["name"]: t for t in view["tasks"]}
        assert name in ready, f"{name} is not ready; ready: {sorted(ready)}"
        return {**ready[name], "facts": view["facts"], "version": view["version"]}

    def complete(self, case_id: int, name: str, role=None, now=None, view=None, **data):
        """Complete the ready task ``name`` as its lane's role: given values, else the case's facts,
        else a sample for each required field.  Returns the raw response (the whole case view
        with ``view="full"``, else the brief answer: version, stage, ready tasks)."""
        task = self.task(case_id, name)
        known = {**task["facts"], **data}
        filled = {f["name"]: known[f["name"]] if f["name"] in known else sample(f, now)
                  for f in task["form"] if f["required"] or f["name"] in known}
        query = f"?view={view}" if view else ""
        return self.post(f"/cases/{case_id}/tasks/{task['id']}/complete{query}", role or task["lane"],
                         json={"data": filled, "version": task["version"]})


def sample(field: dict, now) -> object:
    kind = field["type"]
    if kind == "boolean":
        return False
    if kind == "integer":
        return 1
    if kind == "date":
        return "1990-05-17"
    if kind == "datetime":
        return now.isoformat()
    if kind == "choice":
        return field["choices"][0]
    if field["name"] == "language":
        return "ru"
    return f"{field['label']} (sample)"


def registration(now, **changes) -> dict:
    from engine.fixtures.demo import registration as demo_registration
    return demo_registration(now, **changes)


def to_suspicion(api: Api, case_id: int, now, detained: bool = False, family_late: bool = False,
                 language: str = "ru") -> None:
    """Registration to a served suspicion notice; detained, the family told late when asked."""
    def ok(response):
        assert response.status_code == 200, response.get_json()
    ok(api.complete(case_id, "register_report", now=now))
    ok(api.complete(case_id, "open_investigation", now=now, next_step="detain" if detained else "summon"))
    if detained:
        ok(api.complete(case_id, "apprehend_suspect", now=now,
                        apprehended_at=(now - timedelta(hours=30)).isoformat()))
        told = now - timedelta(hours=5 if family_late else 29)
        ok(api.complete(case_id, "notify_family_consulate", now=now, family_member="Gulnara Seitkali (mother)",
                        method="telephone", family_notified_at=told.isoformat()))
    ok(api.complete(case_id, "draft_suspicion_decision", now=now))
    ok(api.complete(case_id, "approve_suspicion", now=now, approved=True))
    ok(api.complete(case_id, "serve_suspicion_notice", now=now, signed=True, language=language))


def counsel_evidence(now) -> dict:
    return {"checkpoint": "counsel_before_interrogation", "occurred_at": (now - timedelta(hours=2)).isoformat(),
            "data": {"lawyer_name": "Aigerim Bekova", "bar_number": "AL-1187",
                     "requested_at": (now - timedelta(hours=3)).isoformat(),
                     "consulted_at": (now - timedelta(hours=2)).isoformat(), "present_at_interrogation": True}}


@pytest.fixture
def fast_password_hashing(monkeypatch):
    """Seeding hashes a password per role with production argon2 settings (64 MB, about half a
    second each on a busy machine); these tests check access, not hashing, so they use the
    cheapest argon2 settings.  Use it first: ``pytestmark = pytest.mark.usefixtures(...)``."""
    from argon2 import PasswordHasher
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def tokens(app, habeas):
    return issue_tokens(habeas)


@pytest.fixture
def api(client, tokens):
    return Api(client, tokens)
