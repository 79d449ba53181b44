"""What a server process pays before and for its first answers: opening the
live index (its catalog included), the first search page with facets
(which builds the section columns from the catalog), and the data of one
document page (sections, what it cites and what cites it); then the
process's peak resident memory.

    .venv/bin/python bench/first_search.py var/bench/index-access-100000

Run it as a whole process, under /usr/bin/time -v or a benchmark harness,
against another version of the code on the same index. Figures go to
docs/benchmark-journal.md.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("index_dir", type=Path)
    ap.add_argument("--query", default="dân vận")
    args = ap.parse_args(argv)

    from indexer import store
    from search_app.documents import document_sections, readable_cited_by, readable_cites
    from search_app.search import search_page

    started = time.perf_counter()
    index = store.open_current(args.index_dir)
    opened = time.perf_counter()
    page = search_page(index, args.query)
    searched = time.perf_counter()
    meta = index.documents[page.passages[0].doc_id]
    sections = document_sections(index, meta)
    links = len(readable_cites(index, meta, None)) + len(readable_cited_by(index, meta, None))
    read = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"open {opened - started:.3f} s · first search {searched - opened:.3f} s ({page.total} passages)"
        f" · document page {1000 * (read - searched):.1f} ms ({len(sections)} sections, {links} links)"
        f" · peak RSS {peak:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
