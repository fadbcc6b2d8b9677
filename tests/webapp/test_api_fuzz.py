"""The JSON API under a fuzzer: schemathesis generates requests from /api/v1/openapi.json (every
operation, bodies and query strings both valid and not) and sends them to the app in process,
with real tokens, on SQLite and PostgreSQL.  Whatever it sends, the API answers with a client
error or a success, never a 5xx.  The examples are bounded and derandomised, so the run is short
and repeatable."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.webapp.api_support import fast_password_hashing, tokens  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
EXAMPLES = 6  # per operation
ROLES = ("investigator", "supervising_prosecutor", "judge")


def operations(app) -> list:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_of_the_document_is_fuzzed(app):
    paths = {op.path for op in operations(app)}
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}/tasks/{task_id}/complete",
            "/api/v1/cases/{case_id}/evidence", "/api/v1/processes"} <= paths


def test_no_generated_request_gets_a_server_error(app, tokens):
    server_errors, calls = [], []
    found = operations(app)
    for operation in found:
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(), role=st.sampled_from(ROLES))
        def fuzz(case, role):
            response = case.call(headers={"Authorization": f"Bearer {tokens[role]}"})
            calls.append(response.status_code)
            if response.status_code >= 500:
                server_errors.append((case.method, case.formatted_path, response.status_code,
                                      response.text[:300]))
        fuzz()
    assert len(calls) >= 2 * len(found)  # every operation was really sent, more than once
    assert server_errors == []
