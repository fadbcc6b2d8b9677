"""Issue 13, finding 9: no retention or erasure of personal data.  Erasing a closed case past
retention removes its personal data everywhere and leaves the audit chain verifiable."""
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from engine.domain.errors import Forbidden
from engine.persistence import audit
from engine.persistence.models import AuditEntry, Case
from engine.services import inbox, queries, retention, rights
from engine.services.demo import Driver, registration

NAME = "Arman Seitkali"


@pytest.fixture
def closed_case(seeded, actors):
    driver = Driver(seeded, actors)
    case_id = driver.open({**registration(seeded.now()), "suspect_name": NAME})
    driver.complete(case_id, "register_report")
    driver.evidence(case_id, "rights_information")
    rights.override(seeded, actors["supervising_prosecutor"], case_id, "silence_caution",
                    f"{NAME} was cautioned on video", "CPC art. 64")
    inbox.add_comment(seeded, actors["prosecutor"], case_id, f"{NAME} asked for his lawyer again")
    with seeded.unit_of_work() as s:  # closed, as the end of the process would leave it
        case = s.get(Case, case_id)
        case.status, case.stage = "closed", "closed"
    return case_id


def dump(ctx) -> str:
    """Every personal-data column of the database, as text."""
    with ctx.unit_of_work() as s:
        return " ".join(str(v) for q in (
            "SELECT facts, workflow_state FROM cases", "SELECT data FROM evidence", "SELECT reason FROM overrides", "SELECT detail FROM checkpoint_evaluations",
            "SELECT body FROM case_comments",
            "SELECT payload FROM audit_log") for v in s.execute(text(q)).scalars())


def verify(ctx):
    with ctx.unit_of_work() as s:
        return audit.verify(s, anchor_file=ctx.anchor)


def test_erasing_a_closed_case_past_retention_keeps_the_chain_verifiable(seeded, actors, closed_case, clock):
    assert NAME in dump(seeded)
    other = Driver(seeded, actors).open({**registration(seeded.now()), "suspect_name": "Still Open"})
    assert retention.closed_before(seeded, clock.now() - timedelta(days=1)) == []
    out = retention.erase_closed(seeded, actors["admin"], clock.now() + timedelta(days=1))
    assert out["cases"] == [closed_case]
    assert NAME not in dump(seeded) and "Still Open" in dump(seeded)
    report = verify(seeded)
    assert report.ok, report.problems
    view = queries.show_case(seeded, actors["reviewer"], closed_case)  # still readable
    assert view["status"] == "closed" and view["facts"] == {"erased": True}
    assert retention.closed_before(seeded, clock.now() + timedelta(days=1)) == []  # done once
    assert other not in out["cases"]


def test_a_payload_removed_without_an_erasure_is_detected(seeded, closed_case):
    with seeded.unit_of_work() as s:
        s.execute(text("UPDATE audit_log SET payload = '{\"erased\": true}', erased_at = at WHERE seq = 2"))
    report = verify(seeded)
    assert not report.ok
    assert any("#2: payload removed without an erasure" in p for p in report.problems), report.problems


def test_only_an_admin_erases(seeded, actors, closed_case, clock):
    with pytest.raises(Forbidden):
        retention.erase_closed(seeded, actors["reviewer"], clock.now() + timedelta(days=1))
    assert NAME in dump(seeded)
