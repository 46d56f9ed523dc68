"""Workers are warm before they take traffic (cds_service/server/serving.py): every hook is called once
with a bundled request, reference tables are loaded, and nothing of it is recorded."""

from __future__ import annotations

from cds_service.server.serving import load_fhir_models, load_tables, warm_up
from hooks.services import SERVICES


def test_warm_up_calls_every_hook_and_records_no_card(app) -> None:
    timings = warm_up(app)

    assert set(timings) == {service.hook for service in SERVICES}
    store = app.extensions["myositis_cds"].store
    assert store.feedback() == []
    with store._connect() as connection:
        assert connection.execute("SELECT COUNT(*) FROM issued_card").fetchone() == (0,)


def test_warm_up_restores_the_deployed_store(app) -> None:
    deployed = app.extensions["myositis_cds"].store

    warm_up(app)

    assert app.extensions["myositis_cds"].store is deployed


def test_reference_tables_loaded_on_first_use_are_loaded_by_the_warm_up() -> None:
    loaded = load_tables()

    assert any(name.startswith("fhir_mappings.") for name in loaded)
    assert "hooks.registry.all_recommendations" in loaded


def test_fhir_models_of_element_types_are_loaded_with_their_resource_types() -> None:
    loaded = load_fhir_models(["Patient"])

    assert {"Patient", "Address", "Identifier", "Meta", "HumanName", "Reference"} <= set(loaded)
