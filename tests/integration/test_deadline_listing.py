"""Issue 14: one listing of open deadlines.  The API's list, the command line's and the case
dashboard's read the same rows under the same role rule (deadline_views.visible): they agree
for every role, a defence lawyer sees only the clocks of their own cases, and a role that may
not read cases lists nothing anywhere."""
from datetime import timedelta

import pytest

from engine.domain.errors import Forbidden
from engine.fixtures.demo import Driver, registration
from engine.services import clocks, dashboards, deadline_views

LISTERS = ("investigator", "prosecutor", "supervising_prosecutor", "judge", "defence")


def detained(d, **kwargs):
    now = d.ctx.now()
    case_id = d.open(registration(now), **kwargs)
    d.complete(case_id, "register_report")
    d.complete(case_id, "open_investigation", next_step="detain")
    d.complete(case_id, "apprehend_suspect", apprehended_at=now.isoformat())
    return case_id


@pytest.fixture
def world(seeded, actors):
    d = Driver(seeded, actors)
    mine = detained(d, defence=["defence"])
    other = detained(d)
    return seeded, mine, other


def by_api(ctx, actor):
    return {(r["case"], r["checkpoint"], r["kind"]) for r in deadline_views.open_deadlines(ctx, actor, limit=500)}


def by_cli(ctx, actor):
    return {(r["case_id"], r["clock"], r["kind"]) for r in clocks.list_deadlines(ctx, actor).deadlines}


def by_dashboard(ctx, actor):
    rows = dashboards.my_cases(ctx, actor, scope="all")
    return {(row["id"], d.checkpoint, d.kind) for row in rows for d in row["deadlines"]}


@pytest.mark.parametrize("role", LISTERS)
def test_the_three_listings_agree_for_every_role(world, actors, role):
    ctx, mine, other = world
    actor = actors[role]
    api, cli, dashboard = by_api(ctx, actor), by_cli(ctx, actor), by_dashboard(ctx, actor)
    assert api and api == cli
    shown = {case for case, _, _ in dashboard}
    assert dashboard == {row for row in api if row[0] in shown}  # the dashboard's cases, the same clocks
    if role == "defence":
        assert {case for case, _, _ in api} == {mine}
    else:
        assert {mine, other} <= {case for case, _, _ in api}


def test_overdue_and_due_within_come_from_the_same_rows(world, actors, clock):
    ctx, mine, _ = world
    clock.advance(hours=49)  # the judicial review is due 48 hours after apprehension
    overdue = {(r["case_id"], r["clock"]) for r in clocks.list_deadlines(ctx, actors["defence"], overdue=True).deadlines}
    assert overdue and {case for case, _ in overdue} == {mine}
    soon = clocks.list_deadlines(ctx, actors["judge"], due_within=timedelta(hours=1)).deadlines
    assert {(r["case_id"], r["clock"]) for r in soon} >= overdue


@pytest.mark.parametrize("role", ("designer", "trainee", "trainer"))
def test_roles_that_read_no_case_list_no_deadline(world, actors, role):
    ctx, _, _ = world
    for listing in (lambda: deadline_views.open_deadlines(ctx, actors[role]), lambda: clocks.list_deadlines(ctx, actors[role])):
        with pytest.raises(Forbidden):
            listing()
