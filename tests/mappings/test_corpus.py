"""Corpus of generated EHR-like requests (fixtures/corpus): the parse report matches, file by file,
the counts the generator intended (recognised / uninterpretable / ignored / skipped)."""

import json
from pathlib import Path

import pytest

from fhir_mappings.parse import build_facts
from tests.factories import NOW

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "corpus"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))


def report_of(name):
    request = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    return build_facts("patient-view", request["context"], request["prefetch"], NOW).report


@pytest.mark.parametrize("name", sorted(MANIFEST["files"]))
def test_each_corpus_file_is_read_as_generated(name):
    report = report_of(name)
    found = {"recognised": report.recognised, "uninterpretable": report.uninterpretable,
             "ignored": report.ignored, "skipped": report.skipped}
    assert found == MANIFEST["files"][name]


def test_the_corpus_exercises_every_outcome():
    totals = {k: sum(f[k] for f in MANIFEST["files"].values()) for k in ("uninterpretable", "ignored", "skipped")}
    assert all(totals.values()), totals
