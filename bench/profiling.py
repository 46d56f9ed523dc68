"""Where a hook call's time goes: pyinstrument over repeated in-process calls.

Writes the call tree as text and reports two summaries: the share of each stage of the endpoint
(the children of `call_service`, with `evaluate` split into facts, recommendations and cards) and
the functions with the most time of their own.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from pyinstrument.frame import Frame

from bench.inprocess import Endpoint, WsgiApp
from bench.workloads import Workload

ENDPOINT_FUNCTION = "call_service"
#: The stage of the endpoint reported by its parts (facts, recommendations, cards).
EXPANDED_STAGE = ("evaluate", "cds_service/protocol/evaluation.py")


def _frames(frame: Frame) -> Iterator[Frame]:
    yield frame
    for child in frame.children:
        yield from _frames(child)


def _label(frame: Frame) -> str:
    return f"{frame.function} ({frame.file_path_short}:{frame.line_no})"


def profile(app: WsgiApp, workload: Workload, *, calls: int, out: Path) -> dict[str, Any]:
    endpoint = Endpoint(app, workload.service_id, json.dumps(workload.body).encode())
    endpoint.call()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(calls):
        endpoint.call()
    session = profiler.stop()
    out.write_text(profiler.output_text(unicode=False, color=False, show_all=False), encoding="utf-8")
    root = session.root_frame()
    if root is None:
        return {"workload": workload.name, "calls": calls}
    total = root.time
    stages: Counter[str] = Counter()
    for frame in _frames(root):
        if frame.function == ENDPOINT_FUNCTION and "cds_service" in frame.file_path_short:
            for child in frame.children:
                expand = child.function == EXPANDED_STAGE[0] and EXPANDED_STAGE[1] in child.file_path_short
                for stage in child.children if expand else (child,):
                    stages[_label(stage)] += stage.time
    own: Counter[str] = Counter()
    for frame in _frames(root):
        if not frame.is_synthetic:
            own[_label(frame)] += frame.total_self_time
    return {
        "workload": workload.name,
        "calls": calls,
        "ms_per_call": round(total / calls * 1000, 2),
        "stages": [{"stage": name, "share": round(t / total, 3)} for name, t in stages.most_common(8)],
        "self_time": [{"function": name, "share": round(t / total, 3)} for name, t in own.most_common(12)],
        "tree": out.name,
    }
