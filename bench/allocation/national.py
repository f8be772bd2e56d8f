"""National-scale benchmark: the allocation engine against OR-Tools' min-cost-flow solver.

    .venv/bin/python bench/allocation/national.py              # 1M requests, 250k slots, 3 runs
    .venv/bin/python bench/allocation/national.py --scale 0.1  # a tenth of that

Each solver runs in its own subprocess, one after the other (never concurrently), on the
same deterministic instance (instance.py). For each run we report wall time, CPU time and
peak resident memory during the run (VmHWM, reset before the run through
/proc/self/clear_refs, so the instance itself is counted but the generator's garbage is
not), then medians and the OR-Tools / engine time ratio.

* engine: `creneau.allocation.allocate`, everything included: lottery ranks, ordering, both
  phases, the canonical instance JSON and both digests.
* ortools: the *plain maximum matching* only (no priorities, no lottery, no slot choice),
  solved by `SimpleMinCostFlow.solve_max_flow_with_min_cost` with zero costs on a graph that
  is compressed the same way as the engine's: slots grouped into classes of identical
  compatibility (capacity = class size), requests into types (supply = type size), one arc
  per compatible (type, class) pair. Its time includes that compression and the graph build
  (numpy arrays), reported separately from the C++ solve.

The engine must serve exactly as many requests as OR-Tools' maximum flow.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.allocation.instance import generate  # noqa: E402


def _status(field: str) -> int:
    match = re.search(rf"{field}:\s+(\d+) kB", Path("/proc/self/status").read_text())
    return int(match.group(1)) * 1024 if match else 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def run_engine(requests: list[Any], slots: list[Any], params: Any) -> dict[str, Any]:
    from creneau.allocation import allocate

    result = allocate(requests, slots, b"national benchmark seed", params)
    return {"served": result.counts["served"], "output_digest": result.output_digest}


def run_ortools(requests: list[Any], slots: list[Any], params: Any) -> dict[str, Any]:
    import numpy as np
    from ortools.graph.python import min_cost_flow

    t0 = time.perf_counter()
    earliest = params.now + params.min_notice
    class_of: dict[tuple[Any, ...], int] = {}
    class_cap: list[int] = []
    class_date: list[Any] = []
    class_feat: list[tuple[bool, frozenset[str]]] = []
    by_site_procedure: dict[tuple[str, str], list[int]] = {}
    for s in slots:
        if s.start < earliest:
            continue
        key = (s.site, s.local_date, s.procedures, s.step_free, s.interpreter_languages)
        c = class_of.get(key)
        if c is None:
            c = class_of[key] = len(class_cap)
            class_cap.append(0)
            class_date.append(s.local_date)
            class_feat.append((s.step_free, s.interpreter_languages))
            for p in s.procedures:
                by_site_procedure.setdefault((s.site, p), []).append(c)
        class_cap[c] += 1
    type_count: dict[tuple[Any, ...], int] = {}
    for r in requests:
        key = (r.procedure, r.sites, r.unavailable_dates, r.step_free, r.interpreter)
        type_count[key] = type_count.get(key, 0) + 1
    n_types, n_classes = len(type_count), len(class_cap)
    source, sink = n_types + n_classes, n_types + n_classes + 1
    tails: list[int] = []
    heads: list[int] = []
    base_cache: dict[tuple[Any, ...], list[int]] = {}
    for t, (procedure, sites, unavailable, step_free, interpreter) in enumerate(type_count):
        base_key = (procedure, sites, step_free, interpreter)
        base = base_cache.get(base_key)
        if base is None:
            base = [
                c
                for site in sites
                for c in by_site_procedure.get((site, procedure), ())
                if (not step_free or class_feat[c][0])
                and (interpreter is None or interpreter in class_feat[c][1])
            ]
            base_cache[base_key] = base
        compatible = [c for c in base if class_date[c] not in unavailable] if unavailable else base
        heads.extend(compatible)
        tails.extend([t] * len(compatible))
    t1 = time.perf_counter()
    total = len(requests)
    arc_tails = np.concatenate(
        [np.full(n_types, source), np.asarray(tails, dtype=np.int64), n_types + np.arange(n_classes)]
    )
    arc_heads = np.concatenate(
        [np.arange(n_types), n_types + np.asarray(heads, dtype=np.int64), np.full(n_classes, sink)]
    )
    capacities = np.concatenate(
        [
            np.fromiter(type_count.values(), dtype=np.int64, count=n_types),
            np.full(len(heads), total),
            np.asarray(class_cap, dtype=np.int64),
        ]
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        arc_tails, arc_heads, capacities, np.zeros(len(arc_tails), np.int64)
    )
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    t2 = time.perf_counter()
    status = flow.solve_max_flow_with_min_cost()
    t3 = time.perf_counter()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"OR-Tools status {status}")
    return {
        "served": flow.maximum_flow(),
        "compress_s": t1 - t0,
        "build_s": t2 - t1,
        "solve_s": t3 - t2,
        "types": n_types,
        "classes": n_classes,
        "arcs": len(arc_tails),
    }


def worker(solver: str, scale: float, runs: int) -> None:
    requests, slots, params = generate(scale)
    run = {"engine": run_engine, "ortools": run_ortools}[solver]
    for _ in range(runs):
        gc.collect()
        baseline = _status("VmRSS")
        peak_ok = _reset_peak()
        wall, cpu = time.perf_counter(), time.process_time()
        info = run(requests, slots, params)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        info.update(
            wall_s=wall, cpu_s=cpu, peak_rss=_status("VmHWM") if peak_ok else None, baseline_rss=baseline
        )
        print(json.dumps(info), flush=True)
        del info
        gc.collect()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1M requests, 250k slots")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", choices=["engine", "ortools"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.scale, args.runs)
        return 0

    results: dict[str, list[dict[str, Any]]] = {}
    for solver in ("engine", "ortools"):
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            solver,
            "--scale",
            str(args.scale),
            "--runs",
            str(args.runs),
        ]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        results[solver] = [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    def med(solver: str, key: str) -> float:
        return statistics.median(r[key] for r in results[solver])

    print(
        f"national instance at scale {args.scale}: {round(1_000_000 * args.scale):,} requests, "
        f"{round(250_000 * args.scale):,} slots, 100 sites; {args.runs} runs each, medians"
    )
    for solver in ("engine", "ortools"):
        runs = results[solver]
        walls = ", ".join(f"{r['wall_s']:.2f}" for r in runs)
        peak = med(solver, "peak_rss") / 2**30 if runs[0]["peak_rss"] else float("nan")
        wall, cpu, base = med(solver, "wall_s"), med(solver, "cpu_s"), med(solver, "baseline_rss") / 2**30
        print(
            f"  {solver:8} wall {wall:6.2f} s (runs: {walls})  cpu {cpu:6.2f} s  "
            f"peak RSS {peak:.2f} GiB (instance alone {base:.2f} GiB)  served {runs[0]['served']:,}"
        )
    o = results["ortools"][0]
    compress, build, solve = (
        med("ortools", "compress_s"),
        med("ortools", "build_s"),
        med("ortools", "solve_s"),
    )
    print(
        f"  ortools detail: compress {compress:.2f} s, build {build:.2f} s, solve {solve:.2f} s; "
        f"{o['types']:,} types, {o['classes']:,} classes, {o['arcs']:,} arcs"
    )
    ratio = med("ortools", "wall_s") / med("engine", "wall_s")
    cpu_ratio = med("ortools", "cpu_s") / med("engine", "cpu_s")
    solve_ratio = med("ortools", "solve_s") / med("engine", "wall_s")
    print(
        f"  ratio OR-Tools/engine: wall {ratio:.2f}x, cpu {cpu_ratio:.2f}x "
        f"(OR-Tools C++ solve alone / engine wall: {solve_ratio:.2f}x)"
    )
    same = {r["served"] for r in results["engine"]} == {r["served"] for r in results["ortools"]}
    digests = {r["output_digest"] for r in results["engine"]}
    print(f"  engine serves the maximum: {same}; engine output identical across runs: {len(digests) == 1}")
    return 0 if same and len(digests) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
