"""`myositis-cds coverage FILE...`: the terminology coverage of an integrator's data (issue 11).

Reads hook requests, Bundles, single resources or NDJSON (one JSON document a line; `.gz` files
are read compressed) and prints, per resource type and code system, which codes the service
recognises as which concept and the most frequent ones it does not, with the dose shapes of the
recognised drug orders (`fhir_mappings.coverage`). Counts and codes only: no patient data.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from fhir_mappings.coverage import Coverage, as_json, as_text, resources_in

EXIT_UNREADABLE = 2


def documents(path: Path) -> Iterator[Any]:
    """The JSON documents of a file: the whole file, or one a line (NDJSON)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as source:  # type: ignore[operator]
        text = source.read()
    try:
        yield json.loads(text)
    except ValueError:
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except ValueError as error:
                    raise ValueError(f"line {number}: {error.msg}") from None


def run_coverage(paths: Sequence[str], output_format: str, top: int, today: date, out: TextIO, err: TextIO) -> int:
    coverage = Coverage()
    for name in paths:
        try:
            for document in documents(Path(name)):
                for resource in resources_in(document):
                    coverage.add(resource, today)
        except (OSError, ValueError) as error:
            print(f"cannot read {name}: {error}", file=err)
            return EXIT_UNREADABLE
    out.write(json.dumps(as_json(coverage, top), indent=2) + "\n" if output_format == "json"
              else as_text(coverage, top))
    return 0
