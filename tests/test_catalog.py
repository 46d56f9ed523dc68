"""The recommendation catalog is generated from the registry, and docs/recommendations.md is current."""

from pathlib import Path

from cds_service.command_line import catalog
from hooks import consolidate
from hooks import settings as rule_settings
from hooks.order_safety import params as order_safety
from hooks.registry import all_recommendations
from tests.test_cli import run

DOC = Path(__file__).resolve().parent.parent / "docs" / "recommendations.md"


def test_committed_catalog_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == catalog.markdown(all_recommendations()), (
        "docs/recommendations.md is out of date: run `make catalog`"
    )


def test_every_recommendation_has_a_section_with_its_citation_and_trigger():
    text = catalog.markdown(all_recommendations())
    for recommendation in all_recommendations():
        section = text.split(f"\n## {recommendation.id}\n", 1)[1].split("\n## ", 1)[0]
        assert recommendation.citation.url in section
        assert recommendation.trigger in section


def test_every_parameter_is_listed_with_its_default_and_source():
    text = catalog.markdown(all_recommendations())
    for recommendation in all_recommendations():
        for name, parameter in recommendation.parameters.items():
            assert f"| `{name}` | `{parameter.default!r}` |" in text
            assert catalog.link_evidence(parameter.source.replace("|", "\\|")) in text


def test_catalog_command_prints_text_and_markdown():
    code, out, _ = run("catalog")
    assert code == 0 and "steroid-sparing-agent: Add a steroid-sparing agent" in out
    code, out, _ = run("catalog", "--format", "markdown")
    assert code == 0 and out == catalog.markdown(all_recommendations())


SETTINGS_FILE = Path(__file__).resolve().parent.parent / "config" / "rule-settings.toml"


def test_committed_rule_settings_file_is_up_to_date():
    assert SETTINGS_FILE.read_text(encoding="utf-8") == catalog.settings_toml(all_recommendations()), (
        "config/rule-settings.toml is out of date: run `make catalog`"
    )


def test_rule_settings_file_loads_to_exactly_the_defaults():
    recommendations = all_recommendations()
    loaded = rule_settings.load(recommendations, str(SETTINGS_FILE))
    assert loaded == {**{r.id: r.defaults() for r in recommendations}, order_safety.TABLE: order_safety.defaults(),
                      consolidate.TABLE: consolidate.defaults()}


def test_rule_settings_file_lists_every_order_safety_threshold_with_its_source():
    text = catalog.settings_toml(all_recommendations())
    section = text.split(f"\n[{order_safety.TABLE}]\n", 1)[1]
    for name, parameter in order_safety.PARAMETERS.items():
        assert f"\n{name} = " in f"\n{section}"
        assert " ".join(parameter.source.split()) in section


def test_catalog_lists_every_order_safety_threshold_with_its_default_and_source():
    text = catalog.markdown(all_recommendations()).split(f"\n## {order_safety.TABLE}\n", 1)[1]
    for name, parameter in order_safety.PARAMETERS.items():
        assert f"| `{name}` | `{parameter.default!r}` |" in text
        assert parameter.source.replace("|", "\\|") in text


def test_rule_settings_file_lists_every_parameter_with_its_source():
    text = catalog.settings_toml(all_recommendations())
    for recommendation in all_recommendations():
        for name, parameter in recommendation.parameters.items():
            assert f"\n{name} = " in text
            assert " ".join(parameter.source.split()) in text


def test_catalog_command_prints_the_rule_settings_file():
    code, out, _ = run("catalog", "--format", "toml")
    assert code == 0 and out == catalog.settings_toml(all_recommendations())


def test_evidence_sections_are_links_in_the_markdown_catalog():
    assert catalog.link_evidence("BSR 2022 (docs/evidence.md#gc-taper)") == (
        "BSR 2022 ([evidence: gc-taper](evidence.md#gc-taper))"
    )
