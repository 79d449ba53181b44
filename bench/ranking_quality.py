"""Ranking quality side by side: Tra cứu's search against three baselines.

Two query sets, in one run:

- ALQAC legal questions (``train_verified.json`` + ``train_unverified.json``,
  530; the verified 100 also shown apart): the laws of ``law.json`` are
  indexed by the project's own field building, a law as a document titled
  with its name, an article (Điều) as a section whose first line is its
  heading;
- the project's own query set (``tests/data/queries.toml``) over ``corpus/``,
  indexed by ``indexer.build`` as ``tracuu index`` does, filters included.

Variants, all on the same sections:

- ``tracuu``: ``search_app.search.search`` itself, as staff get it;
- ``whoosh-standard``: Whoosh's ``StandardAnalyzer`` on heading + text, an
  OR of the query's terms, BM25 (B=0.75, K1=1.2);
- ``bm25-syllables``: the same with the project's syllable analyzer only;
- ``bm25-words``: the same with pyvi words only.

Baselines get the query set's filters as Whoosh filters. Printed per query
set and variant: MRR@10, Recall@1, Recall@10 (a query is found when any
relevant section is in the top k), nDCG@10, the median time per query and
its ratio to ``bm25-syllables`` in the same run. Indexes live in a temporary
folder, deleted at the end; the ALQAC data stay where they are and are never
copied into the project.

Run from the project root::

    .venv/bin/python bench/ranking_quality.py ../shared/benchmarks/alqac \\
        [--queries tests/data/queries.toml] [--limit N] [--misses]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh import collectors  # noqa: E402
from whoosh import index as whoosh_index  # noqa: E402
from whoosh import query as wq  # noqa: E402
from whoosh.analysis import StandardAnalyzer  # noqa: E402
from whoosh.fields import ID, STORED, TEXT, Schema  # noqa: E402
from whoosh.scoring import BM25F  # noqa: E402

from analyzers import syllable_analyzer, word_analyzer  # noqa: E402
from indexer.build import CorpusDocument, build_index, load_corpus  # noqa: E402
from indexer.catalog import CATALOG, Catalog, write_catalog  # noqa: E402
from indexer.documents import section_fields  # noqa: E402
from indexer.model import Metadata, ParsedDocument, Section  # noqa: E402
from indexer.schema import build_schema  # noqa: E402
from indexer.store import OpenIndex, open_current  # noqa: E402
from search_app.evaluate import (  # noqa: E402
    K,
    JudgedQuery,
    Outcome,
    load_query_set,
    run,
    search_ranker,
    summarise,
)
from bench.stock_filters import whoosh_filter  # noqa: E402

BASELINE_VIEWS = {
    "whoosh-standard": ("standard", StandardAnalyzer),
    "bm25-syllables": ("syllables", syllable_analyzer),
    "bm25-words": ("words", word_analyzer),
}
REFERENCE = "bm25-syllables"
FILTER_FIELDS = ("year", "doc_type", "issuer", "issuer_key", "province", "topics")


# --- Indexes ---------------------------------------------------------------------


def baseline_schema() -> Schema:
    """One field per baseline view over heading + text, plus the project's
    filter fields so the query set's filters apply to the baselines too."""
    project = build_schema()
    views = {view: TEXT(analyzer=make()) for view, make in BASELINE_VIEWS.values()}
    filters = {name: project[name] for name in FILTER_FIELDS}
    return Schema(key=ID(stored=True), **views, **filters, doc_id=STORED)


def _add_baseline(writer, key: str, text: str, filters: dict) -> None:
    views = {view: text for view, _ in BASELINE_VIEWS.values()}
    writer.add_document(key=key, **views, **{k: v for k, v in filters.items() if v is not None})


def alqac_documents(law_path: Path) -> list[CorpusDocument]:
    """Each law as a parsed document titled with its name, an article as a
    section (its first line the heading), so the project's own field building
    (`section_fields`) indexes them and tuned weights carry over. No opening
    section: the law has no preamble, and the questions never ask for one."""
    documents = []
    for law in json.loads(law_path.read_text(encoding="utf-8")):
        sections = []
        for position, article in enumerate(law["articles"], 1):
            title, _, body = article["text"].strip().partition("\n")
            sections.append(
                Section(article["id"], title.strip(), (), body.strip(), position, level=1)
            )
        parsed = ParsedDocument(law["id"], law_path, "", [], sections, [], [])
        documents.append(CorpusDocument(parsed, Metadata(doc_type="Luật", title=law["id"])))
    return documents


def alqac_indexes(law_path: Path, folder: Path) -> tuple[OpenIndex, whoosh_index.Index]:
    project = whoosh_index.create_in(str(folder / "project"), build_schema())
    baseline = whoosh_index.create_in(str(folder / "baseline"), baseline_schema())
    pw, bw = project.writer(limitmb=256), baseline.writer(limitmb=256)
    catalog = []
    for document in alqac_documents(law_path):
        # Each section belongs to a catalog entry, as in a built index: the
        # search counts only sections whose document it knows.
        catalog.append({"doc_id": document.parsed.doc_id, "title": document.metadata.title,
                        "doc_type": document.metadata.doc_type, "sections": [], "cites": []})
        for section in document.parsed.sections:
            fields = section_fields(document, section)
            pw.add_document(**{k: v for k, v in fields.items() if v is not None})
            # The baselines see the article only, not the law's name.
            _add_baseline(bw, fields["key"], f"{section.heading}\n{section.text}", {})
    pw.commit()
    bw.commit()
    write_catalog(folder / "project" / CATALOG, {"documents": catalog, "skipped": []})
    return OpenIndex(project, Catalog(folder / "project" / CATALOG)), baseline


def corpus_indexes(corpus: Path, folder: Path) -> tuple[OpenIndex, whoosh_index.Index]:
    """The project index as `tracuu index` builds it; the baselines index the
    same sections (heading, text and footnotes) with the same filter values."""
    build_index(corpus, folder / "project")
    baseline = whoosh_index.create_in(str(folder / "baseline"), baseline_schema())
    writer = baseline.writer()
    documents, _ = load_corpus(corpus)
    for document in documents:
        for section in document.parsed.sections:
            if section.position and not section.searchable_text.strip():
                continue  # not indexed by the project either
            fields = section_fields(document, section)
            text = f"{fields['head']}\n{fields['body']}"
            _add_baseline(writer, fields["key"], text, {name: fields[name] for name in FILTER_FIELDS})
    writer.commit()
    return open_current(folder / "project"), baseline


# --- Rankers ----------------------------------------------------------------------


def top_hits(searcher, query: wq.Query, allow, limit: int):
    """The ``limit`` best-scoring sections, exactly.

    Whoosh's default collector prunes with the matchers' ``max_quality()``
    bounds (``replace()`` every 10 matches, even with optimize=False, plus
    block-quality skipping). For our phrase and AndMaybe trees the bounds are
    too low: AndMaybe turned into an intersection and "công tác dân vận" lost a
    section scoring 49.96 from its top 5. Without pruning, every match is
    scored; the count is exact too.
    """
    collector = collectors.TopCollector(limit, usequality=False, replace=0)
    if allow is not None:  # a filter query, or a set of document numbers
        collector = collectors.FilterCollector(collector, allow=allow)
    searcher.search_with_collector(query, collector)
    return collector.results()


def bag_ranker(baseline: whoosh_index.Index, variant: str) -> Callable[[JudgedQuery], list[str]]:
    """An OR of the query's analysed terms (each once), plain BM25."""
    view, make = BASELINE_VIEWS[variant]
    analyzer = make()
    searcher = baseline.searcher(weighting=BM25F(B=0.75, K1=1.2))

    def rank(query: JudgedQuery) -> list[str]:
        terms = dict.fromkeys(t.text for t in analyzer(query.text))
        if not terms:
            return []
        search_filters = query.search_filters()
        filter_query = whoosh_filter(search_filters) if search_filters else None
        hits = top_hits(searcher, wq.Or([wq.Term(view, t) for t in terms]), filter_query, K)
        return [hit["key"] for hit in hits]

    return rank


def compare(
    label: str, queries: list[JudgedQuery], project: OpenIndex, baseline, subsets=()
) -> list[tuple[str, str, list[Outcome]]]:
    rankers = {"tracuu": search_ranker(project)} | {
        name: bag_ranker(baseline, name) for name in BASELINE_VIEWS
    }
    rows = []
    for name, ranker in rankers.items():
        outcomes = run(queries, ranker)
        rows.append((label, name, outcomes))
        for sub_label, keep in subsets:
            rows.append((sub_label, name, [o for o in outcomes if keep(o.query)]))
    return rows


def print_table(rows) -> None:
    reference = {label: summarise(o).median_ms for label, name, o in rows if name == REFERENCE}
    print(
        f"| query set | variant | MRR@10 | R@1 | R@10 | nDCG@10 | median ms | × {REFERENCE} |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    labels = list(dict.fromkeys(label for label, _, _ in rows))
    for label, name, outcomes in sorted(rows, key=lambda r: labels.index(r[0])):
        s = summarise(outcomes)
        ratio = s.median_ms / reference[label] if reference.get(label) else float("nan")
        print(
            f"| {label} | {name} | {s.mrr:.3f} | {s.recall_1:.3f} | {s.recall_10:.3f} | {s.ndcg:.3f}"
            f" | {s.median_ms:.1f} | {ratio:.2f} |"
        )


def alqac_clause_rows(law_path: Path, folder: Path, queries: list[JudgedQuery], subsets=()) -> list:
    """The laws as a user's archive holds them: each law one text file,
    indexed by `tracuu index` (the parser cuts articles into clauses), an
    article's clauses relevant where the article is. Searched grouped by
    parent heading (the web's default) and ungrouped."""
    import re

    from indexer.build import build_index
    from indexer.store import open_current
    from search_app.search import search

    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    file_of = {}
    for number, law in enumerate(json.loads(law_path.read_text(encoding="utf-8"))):
        file_of[law["id"]] = f"law{number:02d}"
        articles = "\n\n".join(f"Điều {a['id']}. {a['text'].strip()}" for a in law["articles"])
        (corpus / f"law{number:02d}.txt").write_text(f"{law['id'].upper()}\n\n{articles}\n", encoding="utf-8")
    build_index(corpus, folder / "index")
    index = open_current(folder / "index")
    article_of = {}
    for document in index.catalog.documents:
        for entry in index.catalog.outline(document["doc_id"]):
            m = re.search(r"(?:^|-)dieu-([^-]+)", entry["section_id"])
            if m:
                article_of[f"{document['doc_id']}#{entry['section_id']}"] = f"{document['doc_id']}#{m.group(1)}"
    judged = []
    for q in queries:
        articles = {f"{file_of[k.split('#')[0]]}#{k.split('#')[1]}" for k in q.relevant}
        sections = tuple(key for key, article in article_of.items() if article in articles)
        judged.append(JudgedQuery(q.text, sections, note=q.note))
    rows = []
    for name, group in (("tracuu clauses, grouped", "parent"), ("tracuu clauses, ungrouped", "none")):

        def rank(query: JudgedQuery, group=group) -> list[str]:
            result = search(index, query.text, limit=K, group=group)
            return [f"{p.doc_id}#{p.section_id}" for p in result.passages]

        outcomes = run(judged, rank)
        rows.append((f"ALQAC train {len(queries)}", name, outcomes))
        for sub_label, keep in subsets:
            rows.append((sub_label, name, [o for o in outcomes if keep(o.query)]))
    return rows


# --- ALQAC questions as judged queries ---------------------------------------------


def alqac_queries(data: Path, limit: int | None) -> tuple[list[JudgedQuery], set[str]]:
    verified = json.loads((data / "train_verified.json").read_text(encoding="utf-8"))
    unverified = json.loads((data / "train_unverified.json").read_text(encoding="utf-8"))
    queries = []
    for question in (verified + unverified)[:limit]:
        keys = tuple(f"{a['law_id']}#{a['article_id']}" for a in question["relevant_articles"])
        queries.append(JudgedQuery(question["text"], keys, note=question["question_id"]))
    return queries, {q["question_id"] for q in verified}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("alqac", type=Path, nargs="?", help="folder holding law.json and the questions")
    parser.add_argument("--queries", type=Path, default=ROOT / "tests" / "data" / "queries.toml")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--limit", type=int, default=None, help="first N ALQAC questions only")
    parser.add_argument("--misses", action="store_true", help="list the own set's misses per variant")
    parser.add_argument("--clauses", action="store_true",
                        help="also index the laws as text files (clause-level sections) and search them grouped and not")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="tracuu-bench-"))
    rows = []
    try:
        if args.alqac:
            started = time.perf_counter()
            (folder / "alqac" / "project").mkdir(parents=True)
            (folder / "alqac" / "baseline").mkdir()
            project, baseline = alqac_indexes(args.alqac / "law.json", folder / "alqac")
            queries, verified = alqac_queries(args.alqac, args.limit)
            print(f"ALQAC: indexed in {time.perf_counter() - started:.1f} s; {len(queries)} questions")
            subset = (f"ALQAC verified {sum(q.note in verified for q in queries)}", lambda q: q.note in verified)
            rows += compare(f"ALQAC train {len(queries)}", queries, project, baseline, [subset])
            if args.clauses:
                rows += alqac_clause_rows(args.alqac / "law.json", folder / "alqac-clauses", queries, [subset])
        (folder / "own" / "baseline").mkdir(parents=True)
        project, baseline = corpus_indexes(args.corpus, folder / "own")
        own = load_query_set(args.queries)
        own_rows = compare(f"own {len(own)}", own, project, baseline)
        rows += own_rows
        print()
        print_table(rows)
        if args.misses:
            for _, name, outcomes in own_rows:
                for outcome in summarise(outcomes).misses:
                    print(f"{name}: missed {outcome.query.text!r}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
