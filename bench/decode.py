"""Reading posting lists: Whoosh's matcher against the engine's decoder.

For the terms with the most postings in the body fields of an index (what
a search of common words waits for on its first pass), reads every
segment's posting list of each term, ``--repeat`` times, three ways:

- Whoosh's own ``W3LeafMatcher``, block by block (ids and weights), the
  baseline;
- ``engine.decode_blocks`` with every block unpickled;
- ``engine.decode_blocks`` as it runs, large blocks parsed by numpy.

Prints the median time a posting of each, and their ratios to the
baseline. The three read the same bytes from the page cache (each list is
read once before timing).

    .venv/bin/python bench/decode.py var/bench/index-1000000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIELDS = ("body", "body_fold", "body_pairs")


def posting_lists(reader, schema, terms: int) -> list[tuple]:
    """(postings file, term info, field format) of each segment's list of
    the ``terms`` most frequent terms of each body field."""
    lists = []
    for fieldname in FIELDS:
        fmt = schema[fieldname].format
        for _, btext in reader.most_frequent_terms(fieldname, number=terms):
            for leaf, _ in reader.leaf_readers():
                if (fieldname, btext) in leaf:
                    info = leaf._terms.term_info(fieldname, btext)
                    if not info.is_inlined():
                        lists.append((leaf._terms._postfile, info, fmt))
    return lists


def read_whoosh(lists) -> int:
    """Every block's ids and weights through Whoosh's matcher, a block at a
    time (as Whoosh's own matchers load them before scoring)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    from engine.reader import posting_extent

    count = 0
    for postfile, info, fmt in lists:
        offset, length = posting_extent(info)
        matcher = W3LeafMatcher(postfile, offset, length, fmt)
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            count += len(matcher._ids)
            matcher._next_block()
    return count


def read_engine(lists) -> int:
    from engine.reader import decode_blocks, posting_extent

    count = 0
    for postfile, info, _ in lists:
        offset, length = posting_extent(info)
        ids, _ = decode_blocks(postfile.get(offset, length))
        count += len(ids)
    return count


def _unpickled(lists) -> int:
    from engine import reader as engine

    numpy_from = engine._PARSED_FROM
    engine._PARSED_FROM = float("inf")
    try:
        return read_engine(lists)
    finally:
        engine._PARSED_FROM = numpy_from


READERS = {
    "Whoosh W3LeafMatcher (baseline)": read_whoosh,
    "decode_blocks, every block unpickled": _unpickled,
    "decode_blocks, large blocks parsed by numpy": read_engine,
}


def timed(lists, repeat: int) -> dict[str, tuple[float, int]]:
    """Per reader, the median seconds of ``repeat`` reads of every list and
    the postings read; the readers take turns, so drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in READERS}
    counts: dict[str, int] = {}
    for _ in range(repeat):
        for name, read in READERS.items():
            started = time.perf_counter()
            counts[name] = read(lists)
            times[name].append(time.perf_counter() - started)
    return {name: (statistics.median(times[name]), counts[name]) for name in READERS}


def main(argv=None) -> int:
    from indexer import store

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("index_dir", type=Path)
    ap.add_argument("--terms", type=int, default=20, help="most frequent terms per body field")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    index = store.open_current(args.index_dir).index
    reader = index.reader()
    lists = posting_lists(reader, index.schema, args.terms)
    read_engine(lists)  # into the page cache
    results = timed(lists, args.repeat)
    base_s, base_n = results["Whoosh W3LeafMatcher (baseline)"]
    print(f"{args.index_dir}: {len(lists)} posting lists of the {args.terms} most frequent terms of {', '.join(FIELDS)}")
    print(f"{'reader':46} {'postings':>11} {'median ms':>10} {'ns/posting':>11} {'x baseline':>10}")
    for name, (seconds, count) in results.items():
        if count != base_n:
            raise SystemExit(f"{name} read {count} postings, the baseline {base_n}")
        print(f"{name:46} {count:>11,} {seconds * 1000:>10.1f} {seconds / count * 1e9:>11.0f} {base_s / seconds:>10.2f}")
    reader.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
