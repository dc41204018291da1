"""Recommendation quality over a synthetic world, and the model build at full scale.

    python bench/eval_recs.py [--visitors 5000] [--cold 1000] [--seed 2019] [--json out.json]
    python bench/eval_recs.py --build-scale 700000     # also: build for 700,000 histories

The world (`smartexpo.recommend.synthetic`) is drawn over the real demo catalogue, the 843
exhibitors of sce-2019 as the demo seeder plans them (no database: the plan is computed), and the
protocol is `smartexpo.recommend.evaluation`'s: 20 % of each visitor's visits held out,
precision@10, recall@10 and nDCG@10 for popularity, content, behaviour and the hybrid, and the
cold-start visitors (profile, no visits). The same seed gives the same figures.

Targets (issue 15): the hybrid beats popularity by at least 30 % relative nDCG@10; content beats
popularity for cold-start visitors; the build for 700,000 visitors takes under 5 minutes and
under 4 GiB. The exit status is 1 when a target is missed.

The build at scale runs in a child process of its own, so its peak RSS
(`resource.getrusage`) is the build's and the interpreter's, not the evaluation's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")
django.setup()

import numpy as np  # noqa: E402

from smartexpo.demo.interests import demo_catalogue  # noqa: E402
from smartexpo.recommend.engine import build  # noqa: E402
from smartexpo.recommend.evaluation import evaluate  # noqa: E402
from smartexpo.recommend.synthetic import Booths, InterestDrawer, visit_count  # noqa: E402

HYBRID_LIFT = 0.30
BUILD_SECONDS = 300.0
BUILD_BYTES = 4 * 1024**3
PERSONAS = 2000


def scale_histories(count: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """`count` visitors' visits as CSR arrays (indptr, item keys), drawn from the same world:
    each visitor takes one of 2,000 hidden-interest personas and draws about 12 visits from its
    visit probabilities (interests, booth pull, wandering). Returns the arrays and the seconds."""
    started = time.perf_counter()
    catalogue = demo_catalogue(seed)
    booths = Booths(catalogue.items, catalogue.prior)
    rng = random.Random(f"{seed}:scale")
    counts: dict[str, float] = {}
    by_sector: dict[str, set[str]] = {}
    for it in catalogue.items:
        counts[it.sectors[0]] = counts.get(it.sectors[0], 0) + 1
        by_sector.setdefault(it.sectors[0], set()).update(it.tags)
    drawer = InterestDrawer(counts, {s: sorted(t) for s, t in by_sector.items()})
    cumulative = np.stack(
        [np.cumsum(booths.probabilities(drawer.draw(rng))) for _ in range(PERSONAS)]
    )
    gen = np.random.default_rng(seed)
    sizes = np.asarray([visit_count(rng) for _ in range(count)], dtype=np.int64)
    persona = gen.integers(0, PERSONAS, size=count)
    owner = np.repeat(persona, sizes)
    draws = gen.random(len(owner))
    items = np.empty(len(owner), dtype=np.int32)
    for p in range(PERSONAS):
        at = np.flatnonzero(owner == p)
        cum = cumulative[p]
        items[at] = np.minimum(np.searchsorted(cum, draws[at] * cum[-1]), len(cum) - 1)
    indptr = np.concatenate([[0], np.cumsum(sizes)])
    return indptr, booths.keys[items], time.perf_counter() - started


def build_only(count: int, seed: int) -> dict:
    """Build the model for `count` synthetic histories; time and peak RSS, as JSON-ready data."""
    indptr, keys, drawn = scale_histories(count, seed)
    catalogue = demo_catalogue(seed)
    labels = catalogue.engine_labels()
    key_list = keys.tolist()
    bounds = indptr.tolist()

    def histories():
        # Mappings as the runtime hands them over (one per person, repeats merged).
        for n in range(count):
            yield dict.fromkeys(key_list[bounds[n] : bounds[n + 1]], 1.0)

    started = time.perf_counter()
    model = build(catalogue.items, histories(), seed=seed, labels=labels)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    data = model.dumps()
    dump_seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return {
        "visitors": count,
        "items": len(catalogue.items),
        "visits": len(keys),
        "draw_seconds": round(drawn, 1),
        "build_seconds": round(seconds, 1),
        "dump_seconds": round(dump_seconds, 2),
        "model_bytes": len(data),
        "peak_rss_bytes": peak,
    }


def markdown(report: dict) -> str:
    lines = [
        f"World: {report['items']} exhibitors, {report['visitors']:,} visitors "
        f"({report['mean_visits']} visits each on average), {report['cold_visitors']:,} "
        f"cold-start visitors; {report['declared_nothing']:.0%} declared no profile; "
        f"seed {report['seed']}.",
        "",
        "| visitors with visits (20 % held out) | precision@10 | recall@10 | nDCG@10 |",
        "|---|---|---|---|",
    ]
    names = {"oracle": "oracle (knows the hidden interests; the ceiling)"}
    for mode in ("popularity", "content", "behaviour", "hybrid", "oracle"):
        f = report["warm"][mode]
        lines.append(
            f"| {names.get(mode, mode)} | {f['precision']:.4f} | {f['recall']:.4f} "
            f"| {f['ndcg']:.4f} |"
        )
    lines += [
        "",
        "| cold-start visitors (no visits) | precision@10 | recall@10 | nDCG@10 |",
        "|---|---|---|---|",
    ]
    for mode in ("popularity", "content", "hybrid"):
        f = report["cold"][mode]
        lines.append(f"| {mode} | {f['precision']:.4f} | {f['recall']:.4f} | {f['ndcg']:.4f} |")
    lift = report["lift"]
    lines += [
        "",
        f"Hybrid over popularity: {lift['hybrid_over_popularity_ndcg']:+.0%} nDCG@10 "
        f"(target ≥ +{HYBRID_LIFT:.0%}). Cold start, content over popularity: "
        f"{lift['cold_content_over_popularity_ndcg']:+.0%} nDCG@10 (target > 0).",
    ]
    if "scale" in report:
        s = report["scale"]
        lines += [
            "",
            f"Build for {s['visitors']:,} visitors × {s['items']} exhibitors "
            f"({s['visits']:,} visits): {s['build_seconds']} s, peak RSS "
            f"{s['peak_rss_bytes'] / 1024**2:,.0f} MiB (limits 300 s, 4,096 MiB); the model "
            f"dumps to {s['model_bytes'] / 1024**2:.1f} MiB in {s['dump_seconds']} s.",
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=5000)
    parser.add_argument("--cold", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--build-scale", type=int, default=0, metavar="VISITORS")
    parser.add_argument("--build-only", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.build_only:
        print(json.dumps(build_only(args.build_only, args.seed)))
        return 0
    catalogue = demo_catalogue(args.seed)
    report = evaluate(
        catalogue.items,
        prior=catalogue.prior,
        labels=catalogue.labels,
        visitors=args.visitors,
        cold=args.cold,
        seed=args.seed,
    )
    ok = (
        report["lift"]["hybrid_over_popularity_ndcg"] >= HYBRID_LIFT
        and report["lift"]["cold_content_over_popularity_ndcg"] > 0
    )
    if args.build_scale:
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--build-only",
                str(args.build_scale),
                "--seed",
                f"{args.seed}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        report["scale"] = json.loads(child.stdout.strip().splitlines()[-1])
        s = report["scale"]
        ok = ok and s["build_seconds"] < BUILD_SECONDS and s["peak_rss_bytes"] < BUILD_BYTES
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    print(markdown(report))
    print("\nall targets met" if ok else "\nTARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
