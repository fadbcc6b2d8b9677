"""API token lookups are remembered a few seconds, never past a revocation in this process nor
past the token's expiry; a change of role is seen at once."""
from datetime import timedelta

import pytest

from engine.domain.errors import Unauthenticated
from engine.services import users
from engine.services.context import Actor, TokenCache

ADMIN = Actor("root", "admin")


@pytest.fixture
def token(habeas):
    return users.add_user(habeas, ADMIN, "scribe", "investigator")


def lookups(habeas, monkeypatch) -> list:
    """Count the database reads of token lookups from now on."""
    calls = []
    real = habeas.unit_of_work

    def counted():
        calls.append(1)
        return real()
    monkeypatch.setattr(habeas, "unit_of_work", counted)
    return calls


def test_a_valid_token_is_read_once_then_remembered(habeas, token, monkeypatch):
    calls = lookups(habeas, monkeypatch)
    assert users.actor_for_token(habeas, token) == Actor("scribe", "investigator")
    assert users.actor_for_token(habeas, token) == Actor("scribe", "investigator")
    assert len(calls) == 1


def test_a_revoked_token_stops_working_at_once(habeas, token):
    users.actor_for_token(habeas, token)
    users.revoke_tokens(habeas, ADMIN, "scribe")
    with pytest.raises(Unauthenticated, match="revoked"):
        users.actor_for_token(habeas, token)


def test_deactivation_and_a_new_role_are_seen_at_once(habeas, token):
    users.actor_for_token(habeas, token)
    users.change_role(habeas, ADMIN, "scribe", "prosecutor")
    assert users.actor_for_token(habeas, token).role == "prosecutor"
    users.deactivate(habeas, ADMIN, "scribe")
    with pytest.raises(Unauthenticated, match="deactivated"):
        users.actor_for_token(habeas, token)


def test_a_remembered_token_still_expires_on_time(habeas, clock):
    token = users.add_user(habeas, ADMIN, "temp", "investigator", expires=clock.now() + timedelta(minutes=1))
    users.actor_for_token(habeas, token)
    clock.advance(minutes=2)
    with pytest.raises(Unauthenticated, match="expired"):
        users.actor_for_token(habeas, token)


def test_an_entry_ages_out_and_a_zero_lifetime_turns_the_cache_off(monkeypatch):
    moments = iter([100.0, 106.0])
    monkeypatch.setattr("engine.services.context.monotonic", lambda: next(moments))
    cache, actor = TokenCache(seconds=5), Actor("scribe", "investigator")
    cache.put("digest", actor, None)
    assert cache.get("digest", now=None) is None  # 6 s later: read again from the database
    off = TokenCache(seconds=0)
    off.put("digest", actor, None)
    assert off.get("digest", now=None) is None
