"""Issue 13, finding 5: any password was accepted ("x")."""
import pytest

from engine.domain import passwords


@pytest.mark.parametrize("password, problem", [
    ("x", "at least 12"),
    ("aliya-secret-2026", "user name"),
    ("ALIYA-secret-2026", "user name"),
    ("password1234", "too common"),
    ("Qwerty 123456", "too common"),
    ("aaaaaaaaaaaaaaa", "too common"),
])
def test_weak_passwords_are_refused_with_the_reason(password, problem):
    assert any(problem in p for p in passwords.problems("aliya", password))


def test_a_long_personal_passphrase_is_accepted():
    assert passwords.problems("aliya", "plum orchard under snow") == []

