"""Issue 13, finding 9: with the database unreachable /health still said ok."""
from web import create_app


def test_health_reports_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.get_json()["database"] == "ok"


def test_health_is_503_when_the_database_is_unreachable():
    app = create_app({"TESTING": True, "SCHEDULER": False, "SECRET_KEY": "test-secret",
                      "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert (body["status"], body["database"]) == ("unavailable", "unreachable")
