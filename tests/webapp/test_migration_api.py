"""The migration cockpit over the JSON API: a preview that changes nothing, the chosen cases
moved, a stale preview refused (409) and nothing moved."""
import pytest

from tests.webapp.api_support import api, fast_password_hashing, tokens  # noqa: F401
from tests.webapp.test_designer_pages import RENAMED

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def test_the_migration_api_previews_and_moves_only_the_chosen_cases(api):
    opened = [api.post("/cases", "investigator", json={"process": "complaint", "data": {}}) for _ in range(2)]
    assert all(r.status_code == 201 for r in opened), [r.get_json() for r in opened]
    first, second = (r.get_json()["id"] for r in opened)
    deployed = api.post("/processes", "designer", data=RENAMED, headers={"Content-Type": "application/xml"})
    assert deployed.status_code == 201, deployed.get_json()
    preview = api.get("/processes/complaint/migration?to=2", "designer")
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert body["latest_version"] == 2 and {c["case"] for c in body["cases"] if c["movable"]} == {first, second}
    moved = api.post("/processes/complaint/migration", "designer",
                     json={"to_version": 2, "latest_version": 2, "cases": [second]})
    assert moved.status_code == 200, moved.get_json()
    assert [c["case"] for c in moved.get_json()["migrated"]] == [second] and moved.get_json()["operation"]
    stale = api.post("/processes/complaint/migration", "designer",
                     json={"to_version": 2, "latest_version": 1, "cases": [first]})
    assert stale.status_code == 409 and stale.get_json()["error"] == "conflict"
    wrong = api.post("/processes/complaint/migration", "designer",
                     json={"to_version": 2, "latest_version": 2, "cases": "all"})
    assert wrong.status_code == 422
    assert api.get("/processes/complaint/migration?to=2", "investigator").status_code == 403
    assert api.get("/processes/nothing/migration?to=2", "designer").status_code == 404
    left = api.get("/processes/complaint/migration?to=2", "designer").get_json()
    assert [c["case"] for c in left["cases"]] == [first]
