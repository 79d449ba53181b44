"""What access control costs a search: search_page as the web UI calls it
(page 1, 10 per page, facets, snippets), on a generated corpus with every
other document restricted to a group, for three readers in turn on each
query: the owner (no access filter: the baseline), a signed-in outsider
(half the sections hidden) and a member of the group (all of them
readable, through the filter).

    .venv/bin/python bench/access.py --size 100000

The access of the generated documents is set in the opened catalog (as a
build reads it from sidecars); the search reads nothing else of it. Each
query runs once for every reader, readers in rotating order, after one
warming pass. Then the worst inputs found for one request (the longest
queries the app accepts, of one letter, of one word, of many words, of
numbers) run ``--worst-runs`` times each as the outsider. Figures go to
BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=100_000, help="sections in the generated corpus")
    ap.add_argument("--work", type=Path, default=ROOT / "var" / "bench")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--worst-runs", type=int, default=20)
    ap.add_argument("--group", default="parent", choices=("parent", "document", "none"),
                    help="how results are grouped (the web UI's default: parent)")
    args = ap.parse_args(argv)

    from bench.speed import _pct, ensure_corpus, make_queries

    from indexer import store
    from indexer.build import build_index
    from search_app.access import Viewer
    from search_app.memory import keep_freed_memory
    from search_app.search import Filters, search_page, warm_up

    corpus = ensure_corpus(args.work, args.size, args.seed)
    root = args.work / f"index-access-{args.size}"
    try:
        store.open_current(root)
    except store.IndexMissing:
        build_index(corpus, root, progress=True)
    keep_freed_memory()
    index = store.open_current(root)
    documents = index.catalog.documents
    for i, d in enumerate(documents):
        d["access"], d["groups"] = ("restricted", ["bt"]) if i % 2 else ("public", [])
    readers = {
        "owner": None,
        "outsider": Viewer("ngoai", frozenset({"khac"})),
        "member": Viewer("thanhvien", frozenset({"bt"})),
    }
    queries = make_queries(corpus, args.queries, args.seed)
    warm_up(index)
    for q in queries:  # the terms' postings read once, for every reader alike
        search_page(index, q["text"], Filters(**q["filters"]))
    ms = {name: [] for name in readers}
    totals = {name: [] for name in readers}
    names = list(readers)
    for n, q in enumerate(queries):
        for name in names[n % 3 :] + names[: n % 3]:
            t = time.perf_counter()
            page = search_page(index, q["text"], Filters(**q["filters"]), viewer=readers[name], group=args.group)
            ms[name].append((time.perf_counter() - t) * 1000)
            totals[name].append(page.unfiltered)
    sections = int(index.cache["columns"].live.sum()) if "columns" in index.cache else args.size
    print(f"{len(documents)} documents, {sections} sections, half the documents restricted; {len(queries)} queries,"
          f" grouped: {args.group}")
    base = ms["owner"]
    print(f"{'reader':10} {'median ms':>10} {'p95 ms':>8} {'p95 / owner':>12} {'median matches':>15}")
    for name in names:
        p95 = _pct(ms[name], 0.95)
        print(
            f"{name:10} {statistics.median(ms[name]):10.1f} {p95:8.1f} {p95 / _pct(base, 0.95):12.2f}"
            f" {statistics.median(totals[name]):15.0f}"
        )
    worst(index, readers["outsider"], args.worst_runs, args.group)
    return 0


# The longest a query may be (search_app.query.MAX_QUERY_CHARS), filled to
# make the most work: one letter, one-letter words, a sentence, numbers.
WORST = {
    "a × 1000": "a" * 1000,
    "'a ' × 500": "a " * 500,
    "'dân ' × 250": "dân " * 250,
    "sentence × 40": ("tổ chức hội nghị sơ kết giao lưu kết nghĩa " * 25)[:1000],
    "'69-KL/TU ' × 100": "69-KL/TU " * 100,
    "typos × 100": " ".join(["giamngheoo", "bao ve rungg", "zqhidden"] * 40)[:1000],
}


def worst(index, reader, runs: int, group: str) -> None:
    from bench.speed import _pct

    from search_app.query import QueryError
    from search_app.search import Filters, search_page

    print(f"\nworst inputs, {runs} runs each, as the outsider")
    print(f"{'query':20} {'median ms':>10} {'p99 ms':>8} {'max ms':>8}")
    every = []
    for name, text in WORST.items():
        ms = []
        for _ in range(runs):
            t = time.perf_counter()
            try:
                search_page(index, text, Filters(), viewer=reader, group=group)
            except QueryError as error:
                print(f"{name:20} refused: {error}")
                break
            ms.append((time.perf_counter() - t) * 1000)
        if ms:
            every += ms
            print(f"{name:20} {statistics.median(ms):10.1f} {_pct(ms, 0.99):8.1f} {max(ms):8.1f}")
    if every:
        print(f"{'all':20} {statistics.median(every):10.1f} {_pct(every, 0.99):8.1f} {max(every):8.1f}")


if __name__ == "__main__":
    sys.exit(main())
