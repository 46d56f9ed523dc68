"""The service as deployed (`myositis-cds serve`, gevent workers), each figure against the floor
(`bench/floor.py`) served the same way (`bench/floor_server.py`), on loopback:

- latency: one client sending the typical patient-view one call after another (no queue) to the
  service, to the service with JWT authentication on, and to the floor in turn, so that a change in
  the machine's load falls on all three alike. service/floor of the medians is the issue's
  acceptance measurement; the median of (JWT call - the plain call next to it) is what
  authentication adds per call (each call has its own token, signed with an ES256 key of a trusted
  issuer written for the run, minted before the timing starts), and the token check alone is also
  timed in process;
- cold start: a fresh one-worker server per round, the first call of each hook against the median
  of the calls after it, all on one connection opened (with a /healthz call) before the timing;
- capacity: requests per second at saturation (8 clients, the three typical requests in turn) of the
  service and of the floor, driven in alternating slices, and the service's share of the floor's.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from bench.http_load import Target, _saturation, floor_command, served
from bench.stats import summary
from cds_service.security.auth import Verifier, load_trust
from cds_service.security.replay_cache import SqliteReplayCache

ISSUER = "https://bench-ehr.invalid"
KID = "bench-es256"
TOKEN_LIFETIME_S = 300


def _issuer_file(directory: Path) -> tuple[Path, Any]:
    key = ec.generate_private_key(ec.SECP256R1())
    public = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    path = directory / "bench-trusted-issuers.json"
    path.write_text(json.dumps({"issuers": [{"iss": ISSUER, "jwks": {"keys": [
        {**public, "kid": KID, "use": "sig", "alg": "ES256"}]}}]}), encoding="utf-8")
    return path, key


def _tokens(key: Any, audience: str, count: int) -> list[str]:
    now = int(time.time())
    return [jwt.encode({"iss": ISSUER, "aud": audience, "iat": now, "exp": now + TOKEN_LIFETIME_S,
                        "jti": str(uuid.uuid4())}, key, algorithm="ES256", headers={"kid": KID, "typ": "JWT"})
            for _ in range(count)]


def _sequential(base: str, target: Target, calls: int, tokens: Sequence[str] = (),
                client: httpx.Client | None = None) -> list[float]:
    """Milliseconds of `calls` calls sent one after another on one keep-alive connection (the
    client's, when given: connection set-up is then not in the first call's time)."""
    samples = []
    with ExitStack() as stack:
        client = client or stack.enter_context(httpx.Client(base_url=base, timeout=10))
        for index in range(calls):
            headers = {"Content-Type": "application/json"}
            if tokens:
                headers["Authorization"] = f"Bearer {tokens[index]}"
            started = time.perf_counter()
            response = client.post(target.path, content=target.body, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{base}{target.path} answered {response.status_code}")
            samples.append(elapsed)
    return samples


def latency(patient_view: Target, *, workers: int, rounds: int, calls: int, log_dir: Path,
            env: dict[str, str]) -> dict[str, Any]:
    """Service, service with JWT and floor called in turn, one call each, so that each sample of one
    has samples of the others taken within milliseconds of it (the machine's load falls on all alike). The
    order turns from one call to the next (`in_turn`): what a worker does after it has answered (its record
    of the cards, freeing the request) takes the CPU from the call that follows, and in a fixed order that
    was always the floor's call after the service's, which flattered the service."""
    issuers, key = _issuer_file(log_dir)
    samples: dict[str, list[float]] = {"service": [], "service_jwt": [], "floor": []}
    with ExitStack() as stack:
        bases = {
            "service": stack.enter_context(served(workers, log_dir, env, name="latency-service")).base,
            "service_jwt": stack.enter_context(served(workers, log_dir, {**env, "CDS_TRUSTED_ISSUERS": str(issuers)},
                                                      name="latency-service-jwt")).base,
            "floor": stack.enter_context(served(workers, log_dir, env, command=floor_command,
                                                name="latency-floor")).base,
        }
        clients = {name: stack.enter_context(httpx.Client(base_url=base, timeout=10)) for name, base in bases.items()}
        audience = f"{bases['service_jwt']}{patient_view.path}"
        for round_ in range(rounds + 1):  # round 0 opens the connections and is not counted
            tokens = _tokens(key, audience, calls)
            for index in range(calls):
                for name in in_turn(list(clients), index):
                    client = clients[name]
                    chosen = [tokens[index]] if name == "service_jwt" else ()
                    sample = _sequential(bases[name], patient_view, 1, chosen, client=client)
                    if round_:
                        samples[name] += sample
    result: dict[str, Any] = {name: summary(values) for name, values in samples.items()}
    result["ratio_median"] = round(result["service"]["median_ms"] / result["floor"]["median_ms"], 2)
    paired = [secured - plain for secured, plain in zip(samples["service_jwt"], samples["service"])]
    result["jwt_added_median_ms"] = round(summary(paired)["median_ms"], 2)
    result["jwt_verify_in_process_ms"] = _verify_cost(key, issuers, log_dir, calls)
    result["setup"] = {"workers": workers, "rounds": rounds, "calls_per_round": calls, "jwt_alg": "ES256"}
    return result


def in_turn(names: list[str], index: int) -> list[str]:
    """The order of call `index`: every order of the names in turn, so that each follows every other one."""
    orders = list(itertools.permutations(names))
    return list(orders[index % len(orders)])


def _verify_cost(key: Any, issuers: Path, log_dir: Path, calls: int) -> float:
    """Median milliseconds of the service's own token check (signature, claims, SQLite replay cache)."""
    verifier = Verifier(load_trust(str(issuers)), replay=SqliteReplayCache(log_dir / "verify-replay.sqlite3"))
    audience = "http://127.0.0.1/cds-services/myositis-patient-view"
    timings = []
    for token in _tokens(key, audience, calls):
        started = time.perf_counter()
        verifier.verify(token, audience)
        timings.append((time.perf_counter() - started) * 1000)
    return round(summary(timings)["median_ms"], 3)


def cold_start(targets: Sequence[tuple[str, Target]], *, rounds: int, warm_calls: int, log_dir: Path,
               env: dict[str, str]) -> dict[str, Any]:
    firsts: dict[str, list[float]] = {hook: [] for hook, _ in targets}
    warm: dict[str, list[float]] = {hook: [] for hook, _ in targets}
    for index in range(rounds):
        with served(1, log_dir, env, name=f"cold-{index}") as server, \
                httpx.Client(base_url=server.base, timeout=10) as client:
            client.get("/healthz")  # the connection is open before the first hook call is timed
            for hook, target in targets:
                firsts[hook] += _sequential(server.base, target, 1, client=client)
            for hook, target in targets:
                warm[hook] += _sequential(server.base, target, warm_calls, client=client)
    rows = []
    for hook, _ in targets:
        warm_median = summary(warm[hook])["median_ms"]
        worst_first = max(firsts[hook])
        rows.append({"hook": hook, "first_ms": [round(ms, 1) for ms in firsts[hook]], "warm_median_ms": warm_median,
                     "worst_first_over_warm": round(worst_first / warm_median, 2)})
    return {"rounds": rounds, "rows": rows}


def capacity(targets: Sequence[Target], *, workers: int, clients: int, duration_s: float, slices: int,
             log_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    """Saturation throughput of service and floor, both served at once and driven in alternating
    slices of duration_s / slices seconds each (a change in the machine's load falls on both)."""
    ok = {"service": 0, "floor": 0}
    elapsed = {"service": 0.0, "floor": 0.0}
    errors = 0
    with ExitStack() as stack:
        bases = {"service": stack.enter_context(served(workers, log_dir, env, name="capacity-service")).base,
                 "floor": stack.enter_context(served(workers, log_dir, env, command=floor_command,
                                                     name="capacity-floor")).base}
        for base in bases.values():  # first calls and connections out of the figures
            asyncio.run(_saturation(base, targets, clients, min(2.0, duration_s), 10_000))
        for _ in range(slices):
            for name, base in bases.items():
                run = asyncio.run(_saturation(base, targets, clients, duration_s / slices, 100_000))
                ok[name] += run["ok"]
                elapsed[name] += run["elapsed_s"]
                errors += run["errors"]
    per_s = {name: round(ok[name] / elapsed[name], 1) for name in ok}
    return {"clients": clients, "duration_s": duration_s, "slices": slices, "workers": workers,
            "service_per_s": per_s["service"], "floor_per_s": per_s["floor"], "errors": errors,
            "service_share_of_floor": round(per_s["service"] / per_s["floor"], 2)}
