"""Parsing cost against document shape: the parser of a baseline commit
(``--baseline``, read with ``git show``) against the working tree's, in the
same run, on documents that grew without bound before issue 24:

- one paragraph soft-wrapped over N lines;
- N blocks each going on from the one before (page-break continuations);
- N sections with the same heading (one section id, numbered on);
- N footnote markers with their notes.

Prints the median of ``--runs`` runs per case and the ratio. A baseline
case expected past ``--budget`` seconds, by the growth between the two
sizes before it, is not run (it would take minutes): its figure is that
extrapolation, marked ``~``.

    .venv/bin/python bench/parse.py --baseline 2da5753
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import parser as current  # noqa: E402


def load_baseline(revision: str):
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:indexer/parser.py"], capture_output=True, text=True, check=True
    ).stdout
    spec = importlib.util.spec_from_loader("baseline_parser", loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    exec(compile(source, f"{revision}:indexer/parser.py", "exec"), module.__dict__)
    return module


SHAPES = {
    "lines": lambda n: "Kết luận\n\n" + "\n".join(f"dòng thứ {i} của đoạn văn không có dấu chấm" for i in range(n)),
    "blocks": lambda n: "Kết luận\n\n" + "\n\n".join(f"dòng thứ {i} của đoạn văn không có dấu chấm" for i in range(n)),
    "same heading": lambda n: "Kết luận\n\n" + "\n\n".join("# Nhiệm vụ\n\nNội dung." for _ in range(n)),
    "footnotes": lambda n: "Kết luận\n\n" + " ".join(f"câu<sup>{i}</sup>" for i in range(1, n + 1))
    + "\n\n" + "\n\n".join(f"<sup>{i}</sup> chú thích {i}" for i in range(1, n + 1)),
}


def timed(module, text: str, runs: int, budget: float) -> float | None:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        module.parse_document("x", text, Path("x.txt"))
        times.append(time.perf_counter() - started)
        if times[-1] > budget:
            break
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", default="2da5753", help="commit whose parser is the baseline")
    ap.add_argument("--sizes", default="4000,8000,16000,200000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--budget", type=float, default=20.0, help="seconds: skip larger baseline cases after this")
    args = ap.parse_args()
    baseline = load_baseline(args.baseline)
    print(f"{'shape':<14}{'size':>8}{'baseline s':>12}{'now s':>9}{'ratio':>9}")
    for shape, make in SHAPES.items():
        points = []  # (size, baseline seconds)
        for n in map(int, args.sizes.split(",")):
            text = make(n) + "\n"
            guess = 0.0
            if len(points) >= 2:
                (n1, t1), (n2, t2) = points[-2:]
                power = math.log(t2 / t1) / math.log(n2 / n1)  # 2 for a quadratic case
                guess = t2 * (n / n2) ** power
            if guess > args.budget:
                before, shown = guess, f"~{guess:.0f}"
            else:
                before = timed(baseline, text, args.runs, args.budget)
                shown = f"{before:.3f}"
            points.append((n, before))
            now = timed(current, text, args.runs, args.budget)
            print(f"{shape:<14}{n:>8}{shown:>12}{now:>9.3f}{before / now:>8.0f}x", flush=True)


if __name__ == "__main__":
    main()
