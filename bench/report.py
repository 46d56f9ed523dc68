"""The issue's targets checked against the results, and the printed table."""

from __future__ import annotations

from typing import Any

#: Issue 7's targets.
RATIO_MAX = 3.0
GROWTH_5000_MS = 100.0
GROWTH_EXPONENT_MAX = 1.2  # log-log slope of CPU time against size, 1,000 to 5,000 resources; 1.0 is linear
HTTP_P99_MS = 50.0
FALLBACK_P95_MS = 500.0
#: Issue 16's targets for the deployed mode.
HTTP_RATIO_MAX = 1.5
JWT_ADDED_MS_MAX = 2.0
COLD_OVER_WARM_MAX = 2.0
#: Issue 27's: the 198 KiB patient-view against the floor over HTTP, and capacity against the floor's.
HTTP_RATIO_SMALL_MAX = 2.0
CAPACITY_SHARE_MIN = 0.75


def _target(target: str, measured: Any, met: bool) -> dict[str, Any]:
    return {"target": target, "measured": measured, "met": met}


def targets(results: dict[str, Any]) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for row in results["typical"]:
        ratio = row["service"]["ratio"]["median"]
        checked[f"ratio {row['workload']}"] = _target(f"service/floor median <= {RATIO_MAX:g}", ratio, ratio <= RATIO_MAX)
    at_5000 = next(row for row in results["growth"] if row["resources"] == 5000)
    checked["growth 5000"] = _target(f"5000 resources median < {GROWTH_5000_MS:g} ms",
                                     at_5000["service"]["wall"]["median_ms"],
                                     at_5000["service"]["wall"]["median_ms"] < GROWTH_5000_MS)
    checked["growth linear"] = _target(f"log-log slope of CPU time, {_largest_two(results)} resources <= "
                                       f"{GROWTH_EXPONENT_MAX:g}",
                                       results["growth_exponent"], results["growth_exponent"] <= GROWTH_EXPONENT_MAX)
    fixed = results["http"].get("fixed_rate")
    if fixed is not None:
        p99 = fixed.get("latency", {}).get("p99_ms")
        checked["http p99 at 200/s"] = _target(f"p99 < {HTTP_P99_MS:g} ms, 0 errors", {"p99_ms": p99, "errors": fixed["errors"]},
                                              p99 is not None and p99 < HTTP_P99_MS and fixed["errors"] == 0)
    deployed = results.get("deployed")
    if deployed is not None:
        ratio = deployed["latency"]["ratio_median"]
        checked["http ratio patient-view"] = _target(f"service/floor median over HTTP <= {HTTP_RATIO_MAX:g}", ratio,
                                                     ratio <= HTTP_RATIO_MAX)
        small = deployed.get("latency_small")
        if small is not None:
            checked["http ratio patient-view-small"] = _target(
                f"service/floor median over HTTP, 198 KiB patient-view <= {HTTP_RATIO_SMALL_MAX:g}",
                small["ratio_median"], small["ratio_median"] <= HTTP_RATIO_SMALL_MAX)
        share = deployed["capacity"]["service_share_of_floor"]
        checked["capacity"] = _target(f"requests/s at saturation >= {CAPACITY_SHARE_MIN:g} of the floor's", share,
                                      share >= CAPACITY_SHARE_MIN)
        added = deployed["latency"]["jwt_added_median_ms"]
        checked["jwt added"] = _target(f"JWT adds <= {JWT_ADDED_MS_MAX:g} ms per call (median)", added,
                                       added <= JWT_ADDED_MS_MAX)
        worst = max(row["worst_first_over_warm"] for row in deployed["cold_start"]["rows"])
        checked["cold start"] = _target(f"first call of each hook on a fresh worker <= {COLD_OVER_WARM_MAX:g} x warm median",
                                        worst, worst <= COLD_OVER_WARM_MAX)
    if "latency" in results["fallback"]:
        p95 = results["fallback"]["latency"]["p95_ms"]
        checked["fallback p95"] = _target(f"p95 < {FALLBACK_P95_MS:g} ms", p95, p95 < FALLBACK_P95_MS)
    return checked


def _largest_two(results: dict[str, Any]) -> str:
    return "-".join(str(row["resources"]) for row in results["growth"][-2:])


def _ms(summary: dict[str, Any]) -> str:
    return f"{summary['median_ms']:8.1f} {summary['p99_ms']:8.1f}"


def _in_process(rows: list[dict[str, Any]], title: str) -> list[str]:
    lines = [title,
             f"{'workload':<20}{'res':>6}{'sent':>6}{'KiB':>7} | {'service med':>12}{'p99':>9} | {'no store med':>12}{'p99':>9} |"
             f" {'floor med':>10}{'p99':>9} | ratio med  p99  cpu-med"]
    for row in rows:
        ratio = row["service"]["ratio"]
        lines.append(
            f"{row['workload']:<20}{row['resources']:>6}{row['prefetch_entries']:>6}{row['body_bytes'] // 1024:>7} |"
            f" {_ms(row['service']['wall']):>21} |"
            f" {_ms(row['service_nostore']['wall']):>21} | {_ms(row['floor']['wall']):>19} |"
            f" {ratio['median']:>8.1f} {ratio['p99']:>5.1f} {ratio['median_cpu']:>7.1f}"
        )
    return lines


def _http(http: dict[str, Any]) -> list[str]:
    if "skipped" in http:
        return [f"HTTP load: skipped ({http['skipped']})"]
    lines = [f"HTTP: myositis-cds serve --workers {http['workers']} on loopback, mix {', '.join(http['mix'])}",
             f"{'run':<24}{'sent':>7}{'ok':>7}{'errors':>8}{'req/s':>8}{'p50':>9}{'p95':>9}{'p99':>9}  client CPU"]
    runs = (("saturation", http["saturation"]), ("fixed rate", http["fixed_rate"]),
            ("fixed rate", http["sustainable_rate"]))
    for name, run in runs:
        label = f"{name} {run['rate_per_s']:g}/s" if "rate_per_s" in run else f"{name} {run['clients']} clients"
        latency = run.get("latency", {"median_ms": float("nan"), "p95_ms": float("nan"), "p99_ms": float("nan")})
        lines.append(f"{label:<24}{run['sent']:>7}{run['ok']:>7}{run['errors']:>8}{run['throughput_per_s']:>8.1f}"
                     f"{latency['median_ms']:>9.1f}{latency['p95_ms']:>9.1f}{latency['p99_ms']:>9.1f}"
                     f"  {run['client_cpu_cores']:.2f} cores")
        if run["error_kinds"]:
            lines.append(f"  errors: {run['error_kinds']}")
    lines.append(f"peak RSS of a worker after the load: {http['peak_worker_rss_mib']} MiB")
    return lines


def _deployed(deployed: dict[str, Any] | None) -> list[str]:
    if deployed is None:
        return ["Deployed mode: skipped (--skip-http)"]
    latency, capacity = deployed["latency"], deployed["capacity"]
    setup = latency["setup"]
    lines = [f"Deployed mode (gevent workers; the floor served the same way), patient-view, one client, "
             f"{setup['rounds']} x {setup['calls_per_round']} calls each, ms:",
             f"{'':<22}{'p50':>8}{'p95':>8}{'p99':>8}"]
    for name, label in (("service", "service"), ("service_jwt", f"service + JWT {setup['jwt_alg']}"), ("floor", "floor")):
        row = latency[name]
        lines.append(f"{label:<22}{row['median_ms']:>8.1f}{row['p95_ms']:>8.1f}{row['p99_ms']:>8.1f}")
    lines.append(f"service/floor (medians) {latency['ratio_median']}; JWT adds {latency['jwt_added_median_ms']} ms per call "
                 f"(median of paired differences; the token check in process: {latency['jwt_verify_in_process_ms']} ms)")
    small = deployed.get("latency_small")
    if small is not None:
        lines.append(f"198 KiB patient-view, the same way: service p50 {small['service']['median_ms']:.1f}, "
                     f"floor p50 {small['floor']['median_ms']:.1f}, service/floor (medians) {small['ratio_median']}; "
                     f"JWT adds {small['jwt_added_median_ms']} ms")
    lines.append(f"Cold start ({deployed['cold_start']['rounds']} fresh one-worker servers): first call of each hook, ms")
    for row in deployed["cold_start"]["rows"]:
        lines.append(f"  {row['hook']:<14} first {row['first_ms']}  warm median {row['warm_median_ms']:.1f}"
                     f"  worst first / warm {row['worst_first_over_warm']}")
    lines.append(f"Capacity at saturation ({capacity['clients']} clients, {capacity['duration_s']:g} s each in "
                 f"{capacity['slices']} alternating slices, "
                 f"{capacity['workers']} workers, typical mix): service {capacity['service_per_s']}/s, "
                 f"floor {capacity['floor_per_s']}/s, service = {capacity['service_share_of_floor']} of the floor; "
                 f"errors {capacity['errors']}")
    return lines


def _fallback(result: dict[str, Any]) -> list[str]:
    if "skipped" in result:
        return [f"Fallback (no prefetch): skipped ({result['skipped']})"]
    service, server = result["latency"], result["fhir_server_alone"]
    return [
        f"Fallback (no prefetch, {result['resources_on_server']} resources on the test FHIR server), ms:",
        f"  service  p50 {service['median_ms']:.1f}  p95 {service['p95_ms']:.1f}   (n={service['n']})",
        f"  the same six searches sent straight to the FHIR server: p50 {server['median_ms']:.1f}  p95 {server['p95_ms']:.1f}",
        f"  added by the service (per call, service - server): p50 {result['added_by_service']['median_ms']:.1f}",
        f"  cards equal to those of the same record sent as prefetch: {result['same_cards']}",
    ]


def table(results: dict[str, Any]) -> str:
    machine = results["machine"]
    lines = [f"myositis-cds benchmark ({'QUICK, not figures to quote' if results['quick'] else 'full'}), "
             f"{machine['cores']} cores, {machine['cpu']}, Python {machine['python']}, commit {machine['commit']}, "
             f"load average at start {machine['loadavg_start'][0]:.2f}, at end {machine['loadavg_end'][0]:.2f}",
             "times in ms, wall clock; ratio = service / floor; res = distinct resources of the record, "
             "sent = resources in the prefetch as sent (labs are in two keys)", ""]
    lines += _in_process(results["typical"], "In process, typical record")
    lines += [""] + _in_process(results["growth"], f"Growth (patient-view); log-log slope of service CPU time, "
                                                   f"{_largest_two(results)} resources: {results['growth_exponent']}")
    lines += [""] + _http(results["http"]) + [""] + _deployed(results.get("deployed"))
    lines += [""] + _fallback(results["fallback"]) + ["", "Profile (share of wall time):"]
    for item in results["profile"]:
        top = ", ".join(f"{s['stage'].split(' (')[0]} {s['share']:.0%}" for s in item["stages"][:5])
        lines.append(f"  {item['workload']} ({item['ms_per_call']} ms/call): {top}")
    lines += ["", "Targets:"]
    for name, check in results["targets"].items():
        lines.append(f"  [{'met' if check['met'] else 'NOT MET'}] {name}: {check['target']}; measured {check['measured']}")
    return "\n".join(lines)
