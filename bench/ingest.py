"""Ingestion by format: the same generated corpus as ``.txt`` files, as
Word ``.docx`` files (made by tests/word_samples.py: real footnotes, Word
tables, heading styles) and as PDF files with a text layer (made by
tests/pdf_samples.py: A4 pages, running header, page numbers, footnotes at
the page foot, ruled tables), each indexed by ``tracuu index --full`` as a
whole process, in turn, ``--runs`` times. Prints the median wall time and
sections per second of each format and each rate as a share of the .txt
rate measured in the same run (the target for .docx: at least half).

    .venv/bin/python bench/ingest.py --sections 10000 --runs 3 --formats txt,docx,pdf
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import generate_corpus  # noqa: E402

from indexer.reader import read_text  # noqa: E402
from tests.pdf_samples import write_pdf  # noqa: E402
from tests.word_samples import write_docx  # noqa: E402

TRACUU = Path(sys.executable).with_name("tracuu")


WRITERS = {"docx": write_docx, "pdf": write_pdf}


def prepare(work: Path, sections: int, formats: list[str]) -> dict[str, Path]:
    """The corpus as text (generated once) and in each other format (converted once)."""
    text = work / f"txt-{sections}"
    if not any(text.glob("*.txt")):
        generate_corpus.generate(text, sections, seed=0, clean=True)
    corpora = {"txt": text}
    for name in formats:
        if name == "txt":
            continue
        folder = corpora[name] = work / f"{name}-{sections}"
        if not any(folder.glob(f"*.{name}")):
            folder.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            for path in sorted(text.glob("*.txt")):
                WRITERS[name](read_text(path), folder / f"{path.stem}.{name}")
            print(f"(.{name} made in {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return corpora


def index_once(corpus: Path, index_dir: Path) -> tuple[float, int]:
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    done = subprocess.run(
        [str(TRACUU), "index", str(corpus), "--index-dir", str(index_dir), "--full"],
        capture_output=True, text=True, check=True,
    )
    elapsed = time.perf_counter() - started
    sections = int(done.stdout.split(" văn bản, ")[1].split(" mục")[0])
    return elapsed, sections


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sections", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "ingest")
    ap.add_argument("--formats", default="txt,docx", help="comma-separated, of txt, docx, pdf")
    args = ap.parse_args(argv)
    corpora = prepare(args.work, args.sections, args.formats.split(","))
    times: dict[str, list[float]] = {name: [] for name in corpora}
    counts: dict[str, int] = {}
    for run in range(args.runs):
        for name, corpus in corpora.items():  # in turn: the machine's load falls on both
            elapsed, counts[name] = index_once(corpus, args.work / f"index-{name}")
            times[name].append(elapsed)
            print(f"run {run + 1} {name}: {elapsed:.1f} s", file=sys.stderr)
    rows = {}
    for name, values in times.items():
        median = statistics.median(values)
        rows[name] = {"median_s": round(median, 1), "min_s": round(min(values), 1), "max_s": round(max(values), 1),
                      "sections": counts[name], "sections_per_s": round(counts[name] / median, 1)}
    shares = {name: row["sections_per_s"] / rows["txt"]["sections_per_s"] for name, row in rows.items()}
    print(f"{'format':<6} {'sections':>9} {'median s':>9} {'min–max s':>12} {'sections/s':>11}")
    for name, row in rows.items():
        print(f"{name:<6} {row['sections']:>9} {row['median_s']:>9} {row['min_s']:>5}–{row['max_s']:<6} "
              f"{row['sections_per_s']:>11}")
    for name, share in shares.items():
        if name != "txt":
            print(f".{name} rate / .txt rate: {share:.2f} (median of {args.runs} runs each, in turn)")
    (args.work / f"ingest-{args.sections}.json").write_text(json.dumps({"rows": rows, "shares": shares}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
