"""The growth plot: service and floor time against the number of resources of the record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: write the file only
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend

SERIES = (("service", "service (SQLite store, as deployed)", "tab:red"),
          ("service_nostore", "service, store left out", "tab:orange"),
          ("floor", "floor (parse body, constant card)", "tab:blue"))


def growth_plot(rows: Sequence[Mapping[str, Any]], target_ms: float, path: Path, title: str) -> None:
    sizes = [row["resources"] for row in rows]
    figure, (linear, logarithmic) = plt.subplots(1, 2, figsize=(11, 4.5))
    for axes in (linear, logarithmic):
        for key, label, colour in SERIES:
            if key not in rows[0]:
                continue
            medians = [row[key]["wall"]["median_ms"] for row in rows]
            p99s = [row[key]["wall"]["p99_ms"] for row in rows]
            axes.plot(sizes, medians, "o-", color=colour, label=f"{label}, median")
            axes.plot(sizes, p99s, ":", color=colour, alpha=0.6, label=f"{label}, p99")
        axes.axhline(target_ms, color="grey", linestyle="--", linewidth=1, label=f"target {target_ms:g} ms")
        axes.set_xlabel("distinct resources of the record (labs are sent in two prefetch keys)")
        axes.set_ylabel("ms per request (wall)")
        axes.grid(True, alpha=0.3)
    logarithmic.set_xscale("log")
    logarithmic.set_yscale("log")
    linear.set_title("linear axes")
    logarithmic.set_title("log-log axes (slope 1 = linear growth)")
    linear.legend(fontsize=7, loc="upper left")
    figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
