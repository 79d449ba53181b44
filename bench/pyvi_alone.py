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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_texts(corpus: Path, path: Path) -> None:
    from indexer.build import corpus_files
    from indexer.documents import indexed_sections, load_document

    texts = []
    for file in corpus_files(corpus)[0]:
        document = load_document(file)
        texts += [f"{document.heading(s) or ''}\n{s.text or ''}" for s in indexed_sections(document)]
    path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")


def _tokenize(texts: list[str]) -> int:
    from pyvi import ViTokenizer

    for text in texts:
        ViTokenizer.tokenize(text)
    return len(texts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--texts", type=Path, required=True, help="the sections' texts (written by the first run)")
    ap.add_argument("--processes", type=int, default=2)
    args = ap.parse_args(argv)
    if not args.texts.exists():
        write_texts(args.corpus, args.texts)
    texts = json.loads(args.texts.read_text(encoding="utf-8"))
    # Chunks of ~200 sections, handed out as processes free up, as the
    # build hands out its chunks.
    chunks = [texts[i : i + 200] for i in range(0, len(texts), 200)]
    with multiprocessing.get_context("spawn").Pool(args.processes) as pool:
        done = sum(pool.imap_unordered(_tokenize, chunks))
    print(f"{done} sections", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
