"""The unit of work on the database: a step reads the case in the same number of statements at
the first interrogation as at the tenth (not one more per act, evidence record or deadline), and
writes what it appends together at commit."""
from contextlib import contextmanager

from sqlalchemy import event

from engine.services import cases
from engine.fixtures.demo import Driver, registration
from tests.integration.test_case_paths import counsel, to_suspicion


@contextmanager
def statements(habeas):
    """The SQL statements run meanwhile, by their first word."""
    engine = habeas.sessions.kw["bind"]
    seen = []

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split(None, 1)[0].upper())
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_step_costs_the_same_statements_at_the_tenth_interrogation_as_at_the_first(seeded, actors, monkeypatch):
    d = Driver(seeded, actors)
    real, seen = cases.complete_task, []

    def counted(*args, **kwargs):  # only the step, not the driver's reading of the case view
        with statements(seeded) as run:
            try:
                return real(*args, **kwargs)
            finally:
                seen.append(list(run))
    monkeypatch.setattr(cases, "complete_task", counted)
    case_id = d.open(registration(seeded.now()))
    to_suspicion(d, case_id)
    counts = []
    for _ in range(10):
        counsel(d, case_id)
        seeded.runs = type(seeded.runs)()  # as a worker that did not save this case last: the workflow is read too
        d.complete(case_id, "interrogate_suspect", another_interrogation=True)
        counts.append((seen[-1].count("SELECT"), len(seen[-1])))
    assert len(set(counts)) == 1, counts
    selects, total = counts[0]
    # the case, its evidence, overrides and deadlines, the process version (for the workflow), the
    # audit chain's head; the open escalations only when the step needs them
    assert selects <= 6, seen[-1]
