"""pyvi alone on every section of a corpus, in worker processes: the
indexing ceiling as a whole command, to time beside ``tracuu index --full``
on the same corpus, run after run in turn (hyperfine style).

The first run writes the sections' texts (heading and text, as the index
stores them) to ``--texts``; later runs only read that file, so that a
timed run is pyvi's work and the processes' start-up, as the build's
timed run is the build's.

    .venv/bin/python bench/pyvi_alone.py var/bench/corpus-10000 --texts var/bench/sections-10000.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.speed import _pyvi_chunk, pyvi_sample  # noqa: E402  (the same sample texts and pyvi calls as speed.py)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--texts", type=Path, required=True, help="the sections' texts (written by the first run)")
    ap.add_argument("--processes", type=int, default=2)
    args = ap.parse_args(argv)
    if not args.texts.exists():
        every = pyvi_sample(args.corpus, sys.maxsize, seed=0)
        args.texts.write_text(json.dumps(every, ensure_ascii=False), encoding="utf-8")
    texts = json.loads(args.texts.read_text(encoding="utf-8"))
    # Chunks of ~200 sections, handed out as processes free up, as the
    # build hands out its chunks.
    chunks = [texts[i : i + 200] for i in range(0, len(texts), 200)]
    with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
        done = sum(pool.imap_unordered(_pyvi_chunk, chunks))
    print(f"{done} sections", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
