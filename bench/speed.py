"""Speed benchmark: indexing and faceted search at 10k, 100k… sections.

For each size, in one run: a generated corpus (bench/generate_corpus.py,
reused when already there), indexing through ``indexer.build.build_index``
(sections/s, index size, peak RSS), search latency through
``search_app.search.search_page`` (what the web UI calls: top 10, facets,
highlighted snippets) over realistic queries, and the baselines measured in
the same run: pyvi segmentation alone (one core and two processes), stock
Whoosh ``groupedby`` faceting on the same index and queries, and tantivy on
the same tokens.

    .venv/bin/python bench/speed.py --sizes 10000 100000

Each size runs in its own process so its peak RSS is its own. Figures go to
BENCHMARKS.md ("Speed").
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INDEX_REPORT = "bench-index.json"


def _rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: KiB


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def ensure_corpus(work: Path, size: int, seed: int) -> Path:
    from bench.generate_corpus import MANIFEST, generate

    corpus = work / f"corpus-{size}"
    manifest = corpus / f".{MANIFEST}"
    if manifest.exists():
        total = sum(json.loads(line)["sections"] for line in manifest.open(encoding="utf-8"))
        if total == size:
            return corpus
    generate(corpus, size, seed, clean=True)
    return corpus


def _index_child(corpus: str, root: str, full: bool, queue) -> None:
    from indexer.build import build_index

    started = time.perf_counter()
    report = build_index(Path(corpus), Path(root), full=full)
    seconds = time.perf_counter() - started
    queue.put({"documents": report.documents, "sections": report.sections, "seconds": seconds,
               "changed": report.changed, "reinferred": report.reinferred, "full": bool(report.full_reason)})  # fmt: skip


def _build_in_child(corpus: Path, root: Path, full: bool) -> dict:
    """build_index in a child process: its peak RSS (and its workers') is the indexer's alone."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_index_child, args=(str(corpus), str(root), full, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def _one_document_change(corpus: Path, root: Path) -> dict:
    """`tracuu index` after one document changed (a word of its body), then
    after it changed back: the incremental path, whole call timed."""
    from bench.generate_corpus import MANIFEST

    entries = [json.loads(line) for line in (corpus / f".{MANIFEST}").open(encoding="utf-8")]
    path = corpus / entries[len(entries) // 2]["file"]
    original = path.read_bytes()
    text = original.decode("utf-8")
    runs = []
    try:
        path.write_text(text.replace(" và ", " cùng ", 1), encoding="utf-8")
        runs.append(_build_in_child(corpus, root, full=False))
    finally:
        path.write_bytes(original)
    runs.append(_build_in_child(corpus, root, full=False))
    assert all(r["changed"] == 1 and not r["full"] for r in runs), runs
    return {"file": path.name, "seconds": [r["seconds"] for r in runs], "median_s": statistics.median(r["seconds"] for r in runs)}


def run_indexing(corpus: Path, root: Path, runs: int = 1) -> dict:
    """A full build_index (median of ``runs``), then a one-document change
    through the incremental path."""
    from indexer import store

    builds = [_build_in_child(corpus, root, full=True) for _ in range(runs)]
    result = dict(sorted(builds, key=lambda b: b["seconds"])[len(builds) // 2])
    result["runs_s"] = [b["seconds"] for b in builds]
    result["peak_rss_mb"] = _rss_mb(resource.RUSAGE_CHILDREN)
    result["index_bytes"] = _du(store.current_generation(root))
    result["sections_per_s"] = result["sections"] / result["seconds"]
    result["one_document_change"] = _one_document_change(corpus, root)
    result["measured_at"] = time.strftime("%Y-%m-%d %H:%M")
    (root / INDEX_REPORT).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


# ---------------------------------------------------------------- queries

ABBREVIATIONS = ("DTTS", "MTTQ", "UBND", "HĐND", "KT-XH", "QCDC", "BTV", "CTTG", "HTCT")
FILTER_NAMES = ("year", "issuer", "province", "doc_type", "topic")


def make_queries(corpus: Path, n: int, seed: int) -> list[dict]:
    """Realistic queries: runs of 1–6 words of the corpus's sentences (some
    typed without diacritics), abbreviations, document numbers as staff type
    them, and a third with one or two filters taken from an existing document
    (so the filters are values the corpus has)."""
    import random
    import re

    from analyzers.normalize import fold
    from bench.generate_corpus import MANIFEST

    rng = random.Random(seed)
    entries = [json.loads(line) for line in (corpus / f".{MANIFEST}").open(encoding="utf-8")]
    sample = rng.sample(entries, min(len(entries), 300))
    sentences = []
    for e in sample:
        text = (corpus / e["file"]).read_text(encoding="utf-8")
        paras = [p for p in text.split("\n\n") if len(p) > 200 and "\t" not in p]
        if paras:
            sentences.append(rng.choice(paras))

    def words_run() -> str:
        words = re.findall(r"[^\W\d_]+", rng.choice(sentences))
        size = rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6))
        start = rng.randrange(max(1, len(words) - size))
        return " ".join(words[start : start + size]).lower() if rng.random() < 0.8 else " ".join(words[start : start + size])

    def number_text(entry) -> str:
        number = entry["number"]
        n, rest = number.split("-", 1)
        return rng.choice((number, number.lower(), f"{entry['doc_type']} {n}", f"{entry['doc_type'].lower()} số {n}", number.replace("-", " -")))

    queries = []
    while len(queries) < n:
        roll = rng.random()
        if roll < 0.45:
            text, kind = words_run(), "words"
        elif roll < 0.65:
            text, kind = fold(words_run()), "unaccented"
        elif roll < 0.8:
            text = rng.choice(ABBREVIATIONS) + (" " + words_run() if rng.random() < 0.5 else "")
            kind = "abbreviation"
        else:
            text, kind = number_text(rng.choice(entries)), "number"
        filters = {}
        if kind != "number" and rng.random() < 0.35:
            e = rng.choice(entries)
            for name in rng.sample(FILTER_NAMES, rng.choice((1, 1, 2))):
                filters[name] = {"year": int(e["date"][:4]), "issuer": e["issuer"], "province": e["province"],
                                 "doc_type": e["doc_type"], "topic": e["topic"]}[name]  # fmt: skip
            kind += "+filter"
        queries.append({"text": text, "filters": filters, "kind": kind})
    return queries


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _summary(ms: list[float]) -> dict:
    return {"p50": statistics.median(ms), "p95": _pct(ms, 0.95), "mean": statistics.fmean(ms), "n": len(ms)}


# ---------------------------------------------------------------- search


def time_search_page(root: Path, queries: list[dict]) -> dict:
    """search_page as the UI calls it: page 1, 10 per page, facets, snippets."""
    from indexer import store
    from search_app.memory import keep_freed_memory
    from search_app.search import Filters, search_page, warm_up

    keep_freed_memory()  # as `tracuu serve` does
    t = time.perf_counter()
    index = store.open_current(root)
    opened = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    warm_up(index)  # as `tracuu serve` does when it starts: pyvi's model, the section columns
    first = (time.perf_counter() - t) * 1000
    ms, totals, kinds = [], [], {}
    for q in queries:
        t = time.perf_counter()
        page = search_page(index, q["text"], Filters(**q["filters"]), "relevance", 1, 10)
        elapsed = (time.perf_counter() - t) * 1000
        ms.append(elapsed)
        totals.append(page.unfiltered)
        kinds.setdefault(q["kind"].split("+")[0] + ("+filter" if q["filters"] else ""), []).append(elapsed)
    slowest = sorted(zip(ms, (q["text"] for q in queries), totals), reverse=True)[:5]
    # The same queries again: the terms' scored postings are now cached (as
    # in a server that has run for a while), what is left is the query's own work.
    again = []
    for q in queries:
        t = time.perf_counter()
        search_page(index, q["text"], Filters(**q["filters"]), "relevance", 1, 10)
        again.append((time.perf_counter() - t) * 1000)
    return {
        **_summary(ms), "warm": _summary(again) | {"ms": again}, "open_ms": opened, "first_ms": first, "ms": ms,
        "median_matches": statistics.median(totals), "by_kind": {k: _summary(v) for k, v in kinds.items()},
        "slowest": [{"ms": m, "query": text, "matches": tot} for m, text, tot in slowest],
    }  # fmt: skip


def time_stock_groupedby(root: Path, queries: list[dict], highlight_queries: int) -> dict:
    """Stock Whoosh: the same query trees and filters, ``searcher.search``
    with ``filter=`` and ``groupedby`` FieldFacets on the facet fields, top
    10. Whoosh's own highlighter on the stored text is timed apart, on the
    first ``highlight_queries`` queries only: it costs seconds a query, and
    the ratios are taken against the faceted search alone (the stricter
    baseline)."""
    from whoosh import index as whoosh_index
    from whoosh import sorting
    from whoosh.scoring import BM25F

    from indexer import store
    from search_app.query import build_query, parse_query
    from search_app.facets import Filters
    from bench.stock_filters import whoosh_filter
    from search_app.search import BM25_B, BM25_K1

    # Whoosh as it comes: open_dir's memory-mapped storage, which copies
    # each segment file per searcher (search_page reads the maps in place;
    # see store.open_whoosh), and a searcher a query.
    index = whoosh_index.open_dir(str(store.current_generation(root)))
    facets = {
        "year": sorting.FieldFacet("year"),
        "issuer": sorting.FieldFacet("issuer_key"),
        "level": sorting.FieldFacet("issuer_level"),
        "province": sorting.FieldFacet("province"),
        "doc_type": sorting.FieldFacet("doc_type"),
        "topic": sorting.FieldFacet("topics", allow_overlap=True),
    }
    ms, highlight_ms = [], []
    for i, q in enumerate(queries):
        t = time.perf_counter()
        built = build_query(parse_query(q["text"]))
        with index.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as searcher:
            stock_filter = whoosh_filter(Filters(**q["filters"]))
            results = searcher.search(built.query, filter=stock_filter, limit=10, groupedby=facets)
            for name in facets:
                results.groups(name)
            hits = [hit.fields() for hit in results]
            ms.append((time.perf_counter() - t) * 1000)
            if i < highlight_queries:
                t = time.perf_counter()
                for hit in results:
                    hit.highlights("body", text=hit["text"])
                highlight_ms.append((time.perf_counter() - t) * 1000)
        del hits
    return {**_summary(ms), "ms": ms, "highlight": _summary(highlight_ms) if highlight_ms else None}


# ---------------------------------------------------------------- pyvi alone


def _pyvi_init():
    from pyvi import ViTokenizer  # noqa: F401  (loaded once per worker, before timing)


def _pyvi_chunk(texts: list[str]) -> int:
    from pyvi import ViTokenizer

    for text in texts:
        ViTokenizer.tokenize(text)
    return len(texts)


def time_pyvi(texts: list[str], repeat: int = 3) -> dict:
    """pyvi's own tokenize on the sections' text: the ceiling of an indexer
    that segments with pyvi, on one core and with two processes. The two
    cores of this machine are noisy (±30% between runs): best of ``repeat``."""
    _pyvi_init()
    _pyvi_chunk(texts[:20])
    one, two = [], []
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2, initializer=_pyvi_init) as pool:
        pool.map(_pyvi_chunk, [texts[:20], texts[20:40]])  # both workers up and warm
        for _ in range(repeat):
            t = time.perf_counter()
            _pyvi_chunk(texts)
            one.append(len(texts) / (time.perf_counter() - t))
            t = time.perf_counter()
            pool.map(_pyvi_chunk, [texts[0::2], texts[1::2]], chunksize=1)
            two.append(len(texts) / (time.perf_counter() - t))
    chars = sum(len(x) for x in texts)
    return {"texts": len(texts), "one_core_per_s": max(one), "two_procs_per_s": max(two), "runs_one": one, "runs_two": two,
            "one_core_median": statistics.median(one), "two_procs_median": statistics.median(two),
            "chars_per_s_one_core": chars / len(texts) * max(one)}  # fmt: skip


# ---------------------------------------------------------------- tantivy


def pyvi_sample(corpus: Path, n: int, seed: int) -> list[str]:
    """``n`` sections' heading and text as the index stores them, from
    documents of ``corpus`` drawn at random: available before a build, so
    that the ceiling can be measured on both sides of it."""
    import random

    from indexer.documents import indexed_sections, load_document

    files = sorted(corpus.glob("*.txt"))
    random.Random(seed).shuffle(files)
    texts: list[str] = []
    for path in files:
        document = load_document(path)
        texts += [f"{document.heading(s) or ''}\n{s.text or ''}" for s in indexed_sections(document)]
        if len(texts) >= n:
            break
    return texts[:n]


def pyvi_around(texts: list[str], build):
    """The pyvi ceiling measured just before and just after ``build()``
    (three runs each side), and build()'s result. This machine's second
    core comes and goes (the two-process figure ranged 680–932 sections/s
    between runs of one day), so a ceiling taken on one side of a
    three-minute build is not the ceiling it ran beside."""
    before = time_pyvi(texts)
    result = build()
    after = time_pyvi(texts)
    runs_one, runs_two = before["runs_one"] + after["runs_one"], before["runs_two"] + after["runs_two"]
    pyvi = {"texts": len(texts), "runs_one": runs_one, "runs_two": runs_two, "before": before, "after": after,
            "one_core_per_s": max(runs_one), "two_procs_per_s": max(runs_two),
            "one_core_median": statistics.median(runs_one), "two_procs_median": statistics.median(runs_two)}  # fmt: skip
    return pyvi, result


def section_records(root: Path) -> list[dict]:
    """Every indexed section's stored text and filter values, by Whoosh docnum."""
    from indexer import store

    index = store.open_current(root)
    docs = index.documents
    out = []
    with index.index.reader() as reader:
        for docnum, stored in reader.iter_docs():
            meta = docs.get(stored["doc_id"], {})
            out.append({"docnum": docnum, "heading": stored.get("heading") or "", "text": stored.get("text") or "",
                        "footnotes": " ".join(n["text"] for n in stored.get("footnotes") or []),
                        "doc_id": stored["doc_id"], "position": stored.get("position", 0),
                        "year": stored.get("year") or 0, "topics": (stored.get("topics") or "").split(),
                        "number": meta.get("number_key") if stored.get("position") == 0 else "",
                        "issuer": meta.get("issuer") or "", "level": meta.get("issuer_level") or "",
                        "province": meta.get("province") or "", "doc_type": meta.get("doc_type") or ""})  # fmt: skip
    return out


def time_tantivy(records: list[dict], queries: list[dict], workdir: Path) -> dict:
    """tantivy on the same tokens: each section's syllables as the project's
    analyzer gives them (normalised, lower case; and folded), whitespace-
    tokenized, so tantivy does no language work of its own. Queries: every
    query syllable required (body or heading; folded fields when typed
    without diacritics), numbers as terms, filters as terms, facet counts by
    terms aggregations, a snippet per hit."""
    import shutil

    import tantivy

    from analyzers import syllables
    from analyzers.docnumber import find_numbers
    from analyzers.normalize import fold
    from indexer.schema import slug
    from search_app.query import parse_query

    t = time.perf_counter()
    tokens = []
    for r in records:
        head = " ".join(syllables(r["heading"]))
        body = " ".join(syllables(r["text"] + " " + r["footnotes"]))
        cites = " ".join(sorted({m.key for m in find_numbers(r["heading"] + "\n" + r["text"])}))
        tokens.append((head, body, cites))
    tokenize_s = time.perf_counter() - t

    sb = tantivy.SchemaBuilder()
    for name in ("head", "head_fold", "body_fold"):
        sb.add_text_field(name, tokenizer_name="whitespace")
    sb.add_text_field("body", stored=True, tokenizer_name="whitespace")
    for name in ("number", "cites"):
        sb.add_text_field(name, tokenizer_name="raw")
    for name in ("issuer", "level", "province", "doc_type", "topics"):
        sb.add_text_field(name, tokenizer_name="raw", fast=True)
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_integer_field("docnum", stored=True)
    schema = sb.build()
    path = workdir / "tantivy"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    index = tantivy.Index(schema, path=str(path))
    t = time.perf_counter()
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    for r, (head, body, cites) in zip(records, tokens):
        doc = tantivy.Document(docnum=r["docnum"], head=head, head_fold=fold(head), body=body,
                               body_fold=fold(body), year=r["year"])  # fmt: skip
        for name in ("issuer", "level", "province", "doc_type"):
            if r[name]:
                doc.add_text(name, slug(r[name]))
        for topic in r["topics"]:
            doc.add_text("topics", topic)
        if r["number"]:
            doc.add_text("number", r["number"])
        for key in cites.split():
            doc.add_text("cites", key)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    index_s = time.perf_counter() - t
    index.reload()
    aggs = {name: {"terms": {"field": name, "size": 100}} for name in ("year", "issuer", "level", "province", "doc_type", "topics")}
    M, S = tantivy.Occur.Must, tantivy.Occur.Should
    ms = []
    for q in queries:
        t = time.perf_counter()
        parsed = parse_query(q["text"])
        accented = parsed.accented
        clauses = []
        for s in parsed.all_syllables:
            fields = ("body", "head") if accented else ("body_fold", "head_fold")
            term = s if accented else fold(s)
            clauses.append((M, tantivy.Query.boolean_query([(S, tantivy.Query.term_query(schema, f, term)) for f in fields])))
        if parsed.numbers:
            nq = tantivy.Query.boolean_query([(S, tantivy.Query.term_query(schema, f, k)) for k in parsed.numbers for f in ("number", "cites")])
            clauses = [(M, nq)] + [(S, c) for _, c in clauses]
        for name, value in q["filters"].items():
            if name == "year":
                clauses.append((M, tantivy.Query.term_query(schema, "year", value)))
            else:
                field = {"topic": "topics"}.get(name, name)
                clauses.append((M, tantivy.Query.term_query(schema, field, slug(value))))
        query = tantivy.Query.boolean_query(clauses) if clauses else tantivy.Query.all_query()
        searcher = index.searcher()
        result = searcher.search(query, 10, count=True)
        searcher.aggregate(query, aggs)
        snippets = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
        for _, address in result.hits:
            snippets.snippet_from_doc(searcher.doc(address)).to_html()
        ms.append((time.perf_counter() - t) * 1000)
    size = _du(path)
    return {**_summary(ms), "ms": ms, "index_s": index_s, "index_per_s": len(records) / index_s,
            "tokenize_s": tokenize_s, "index_bytes": size}  # fmt: skip


# ---------------------------------------------------------------- one size


def run_size(args, size: int) -> dict:
    root = args.work / f"index-{size}"
    corpus = ensure_corpus(args.work, size, args.seed)
    report_file = root / INDEX_REPORT
    texts = pyvi_sample(corpus, args.pyvi_sample, args.seed)
    if args.reuse_index and report_file.exists():
        indexing = json.loads(report_file.read_text(encoding="utf-8")) | {"reused": True}
        pyvi = None
    else:
        pyvi, indexing = pyvi_around(texts, lambda: run_indexing(corpus, root))
    queries = make_queries(corpus, args.queries, args.seed)
    result = {"size": size, "indexing": indexing, "queries": len(queries)}
    result["search_page"] = time_search_page(root, queries)
    result["search_rss_mb"] = _rss_mb()
    result["stock"] = time_stock_groupedby(root, queries[: args.stock_queries or None], args.stock_highlight_queries)
    result["whoosh_rss_mb"] = _rss_mb()
    result["pyvi"] = pyvi or time_pyvi(texts)
    if not args.no_tantivy:
        result["tantivy"] = time_tantivy(section_records(root), queries, args.work / f"tantivy-{size}")
    result["peak_rss_mb"] = _rss_mb()
    return result


def _ratio(x: dict, stock: dict) -> str:
    """Speed-up against stock Whoosh, p50 and p95 (below 1: slower), on the
    queries stock was timed on."""
    subset = stock["n"] < x["n"]
    if subset:
        x = _summary(x["ms"][: stock["n"]])
    ratio = f"{stock['p50'] / x['p50']:.2f}× (p50), {stock['p95'] / x['p95']:.2f}× (p95) stock's speed"
    return ratio + (f", on the first {stock['n']} queries" if subset else "")


def table(r: dict) -> str:
    ix, sp, st, py = r["indexing"], r["search_page"], r["stock"], r["pyvi"]
    tv = r.get("tantivy")
    rows = [
        ("sections / documents", f"{ix['sections']:,} / {ix['documents']:,}", ""),
        ("indexing, build_index" + (" (reused index: figures from its build)" if ix.get("reused") else ""),
         f"{ix['sections_per_s']:.1f} sections/s ({ix['seconds'] / 60:.1f} min)", ""),
        ("one document changed, incremental build_index",
         f"{ix['one_document_change']['median_s']:.1f} s" if "one_document_change" in ix else "not measured", ""),
        ("index size on disk", f"{ix['index_bytes'] / 2**20:,.0f} MB", ""),
        ("peak RSS, indexing process", f"{ix['peak_rss_mb']:,.0f} MB", ""),
        (f"pyvi alone, 1 core (best of {len(py['runs_one'])})", f"{py['one_core_per_s']:.0f} sections/s", f"build_index at {ix['sections_per_s'] / py['one_core_per_s']:.0%} of it"),
        (f"pyvi alone, 2 processes (ceiling, best of {len(py['runs_two'])})", f"{py['two_procs_per_s']:.0f} sections/s", f"build_index at {ix['sections_per_s'] / py['two_procs_per_s']:.0%} of it"),
        ("open index / warm-up (pyvi model, section columns)", f"{sp['open_ms']:.0f} ms / {sp['first_ms']:.0f} ms", ""),
        (f"search_page top 10 + facets + snippets, {sp['n']} queries (first pass: terms read from disk)",
         f"p50 {sp['p50']:.1f} ms, p95 {sp['p95']:.1f} ms", _ratio(sp, st)),
        ("… the same queries again (terms' scored postings cached)",
         f"p50 {sp['warm']['p50']:.1f} ms, p95 {sp['warm']['p95']:.1f} ms", _ratio(sp["warm"], st)),
        (f"stock Whoosh search + groupedby (6 FieldFacets), top 10, {st['n']} queries", f"p50 {st['p50']:.1f} ms, p95 {st['p95']:.1f} ms", "1.00 (baseline)"),
    ]  # fmt: skip
    if st.get("highlight"):
        h = st["highlight"]
        rows.append((f"… plus Whoosh's highlighter on the 10 hits (first {h['n']} queries)", f"p50 {h['p50']:.1f} ms, p95 {h['p95']:.1f} ms more", "not in the baseline"))
    if tv:
        rows.append(("tantivy, same tokens: top 10 + 6 terms aggs + snippets", f"p50 {tv['p50']:.2f} ms, p95 {tv['p95']:.2f} ms",
                     _ratio(tv, st)))  # fmt: skip
        rows.append(("tantivy indexing (pre-tokenized, 2 threads)", f"{tv['index_per_s']:,.0f} sections/s, {tv['index_bytes'] / 2**20:,.0f} MB", ""))
    rows.append(("peak RSS, search process (Whoosh searches)", f"{r['whoosh_rss_mb']:,.0f} MB", ""))
    rows.append(("median matches per query (before filters)", f"{sp['median_matches']:,.0f}", ""))
    out = [f"### {r['size']:,} sections", "", "| measure | value | ratio |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    out += ["", "| query kind | n | p50 ms | p95 ms |", "|---|---|---|---|"]
    out += [f"| {k} | {v['n']} | {v['p50']:.1f} | {v['p95']:.1f} |" for k, v in sorted(sp["by_kind"].items())]
    out += ["", "Slowest search_page queries: " + "; ".join(f"`{s['query']}` {s['ms']:.0f} ms ({s['matches']:,} matches)" for s in sp["slowest"])]
    return "\n".join(out)


_AROUND = ", half before and half after the build"


def _spread(runs: list[float]) -> str:
    return f"runs {min(runs):.0f}–{max(runs):.0f}"


def indexing_table(size: int, ix: dict, py: dict) -> str:
    one = ix["one_document_change"]
    rows = [
        ("sections / documents", f"{ix['sections']:,} / {ix['documents']:,}", ""),
        (f"full build_index (median of {len(ix['runs_s'])})", f"{ix['sections_per_s']:.0f} sections/s ({ix['seconds']:.0f} s; runs {', '.join(f'{x:.0f}' for x in ix['runs_s'])} s)", ""),
        (f"pyvi alone, 1 process (median of {len(py['runs_one'])}{_AROUND * ('before' in py)})", f"{py['one_core_median']:.0f} sections/s ({_spread(py['runs_one'])})", f"build_index at {ix['sections_per_s'] / py['one_core_median']:.0%} of it"),
        (f"pyvi alone, 2 processes (ceiling, median of {len(py['runs_two'])}{_AROUND * ('before' in py)})", f"{py['two_procs_median']:.0f} sections/s ({_spread(py['runs_two'])})", f"build_index at {ix['sections_per_s'] / py['two_procs_median']:.0%} of it"),
        ("one document changed, incremental build_index", f"{one['median_s']:.1f} s (runs {', '.join(f'{x:.1f}' for x in one['seconds'])} s)", ""),
        ("index size on disk", f"{ix['index_bytes'] / 2**20:,.0f} MB", ""),
        ("peak RSS of one indexing process", f"{ix['peak_rss_mb']:,.0f} MB", ""),
    ]  # fmt: skip
    out = [f"### Indexing {size:,} sections", "", "| measure | value | ratio |", "|---|---|---|"]
    return "\n".join(out + [f"| {a} | {b} | {c} |" for a, b, c in rows])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000])
    ap.add_argument("--work", type=Path, default=ROOT / "var" / "bench", help="corpora, indexes and results (default var/bench)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--pyvi-sample", type=int, default=3000, help="sections segmented for the pyvi ceiling")
    ap.add_argument("--reuse-index", action="store_true", help="search an index this script built before; report its build figures")
    ap.add_argument("--no-tantivy", action="store_true")
    ap.add_argument("--stock-queries", type=int, help="time stock Whoosh on the first N queries only (it takes seconds each at 1M); ratios then use search_page on those N")
    ap.add_argument("--stock-highlight-queries", type=int, default=40, help="queries on which Whoosh's own highlighter is timed")
    ap.add_argument("--index-only", action="store_true", help="generate and index only (with pyvi alone beside it)")
    ap.add_argument("--index-runs", type=int, default=1, help="full builds timed (the median is reported)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a size, in a child process
    args = ap.parse_args(argv)
    if not (args.no_tantivy or args.index_only):
        try:
            import tantivy  # noqa: F401
        except ImportError:
            ap.error("tantivy is missing: pip install -c constraints.txt -e '.[bench]', or --no-tantivy")
    args.work = args.work.resolve()
    if args.index_only:
        for size in args.sizes:
            root = args.work / f"index-{size}"
            corpus = ensure_corpus(args.work, size, args.seed)
            texts = pyvi_sample(corpus, args.pyvi_sample, args.seed)
            pyvi, indexing = pyvi_around(texts, lambda: run_indexing(corpus, root, args.index_runs))
            print(indexing_table(size, indexing, pyvi), flush=True)
            (args.work / f"index-{size}.json").write_text(json.dumps({"indexing": indexing, "pyvi": pyvi}, indent=1), encoding="utf-8")
        return 0
    if args.one:
        result = run_size(args, args.one)
        (args.work / f"speed-{args.one}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
        return 0
    print(f"Speed benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores\n")
    for size in args.sizes:
        # One process per size: its peak RSS and memory are its own.
        cmd = [sys.executable, __file__, "--one", str(size), "--work", str(args.work), "--seed", str(args.seed),
               "--queries", str(args.queries), "--pyvi-sample", str(args.pyvi_sample),
               "--stock-highlight-queries", str(args.stock_highlight_queries)]  # fmt: skip
        cmd += ["--stock-queries", str(args.stock_queries)] * bool(args.stock_queries)
        cmd += ["--reuse-index"] * args.reuse_index + ["--no-tantivy"] * args.no_tantivy
        started = time.time()
        subprocess.run(cmd, check=True)
        result = json.loads((args.work / f"speed-{size}.json").read_text(encoding="utf-8"))
        print(table(result))
        print(f"\n(this size took {(time.time() - started) / 60:.1f} min)\n", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
