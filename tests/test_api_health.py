"""GET /healthz and /readyz."""

from tests.api import UnreachableStore, error_message


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_is_ready_when_the_store_answers(client):
    assert client.get("/readyz").get_json() == {"status": "ready", "dependencies": {"store": "sqlite: up"}}


def test_readyz_is_503_when_the_store_is_unreachable(make_app):
    response = make_app(store=UnreachableStore()).test_client().get("/readyz")
    assert response.status_code == 503
    assert "feedback store (sqlite)" in error_message(response)
