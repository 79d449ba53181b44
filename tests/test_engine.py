"""The fast paths give Whoosh's own answers: the numpy evaluator scores every
query as Whoosh does, and the facet counts equal Whoosh's ``groupedby``."""

import ast
import shutil
import tomllib
from pathlib import Path

import numpy as np
import pytest
from whoosh import collectors, sorting
from whoosh import query as wq
from whoosh.scoring import BM25F

from indexer.build import load_document
from indexer.documents import section_fields
from indexer.schema import slug
from indexer.store import current_generation, open_current, write_manifest
from engine import Engine
from search_app.query import build_query, parse_query
from search_app.facets import BY_NAME, COUNTED, Filters
from bench.stock_filters import whoosh_filters
from engine.query import to_whoosh
from search_app.search import BM25_B, BM25_K1, search_page

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [q["text"] for q in tomllib.loads((ROOT / "tests/data/queries.toml").read_text("utf-8"))["query"]]
ODD = [
    "69-KL/TU", "kl 69", "KL69", "kết luận 69 hạn chế", '"dân tộc thiểu số"', "DTTS", "MTTQ",
    "dan van", "bao ve rung", "bảo vê rừng", "tt 5", "xyzzy",
    "bảo vệ rừng và phát triển kinh tế xã hội vùng đồng bào dân tộc thiểu số trong giai đoạn mới của tỉnh",
]  # fmt: skip


def whoosh_matches(searcher, query):
    """Every match, scored one posting at a time by Whoosh, unpruned."""
    collector = collectors.UnlimitedCollector()
    collector.replace = 0
    searcher.search_with_collector(to_whoosh(query), collector)
    return [(score, docnum) for score, docnum in collector.results().top_n]


def engine_matches(engine, searcher, query):
    found = engine.evaluate(searcher, query)
    ids = np.flatnonzero(found.matched)
    order = ids[np.lexsort((ids, -found.scores[ids]))]
    return [(float(found.scores[n]), int(n)) for n in order]


def assert_same(ours, theirs, text):
    assert [n for _, n in ours] == [n for _, n in theirs], text
    assert [s for s, _ in ours] == pytest.approx([s for s, _ in theirs], rel=1e-9), text


def every_plan(opened):
    engine = Engine(opened, BM25_B, BM25_K1)
    with opened.index.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as searcher:
        for text in QUERIES + ODD:
            parsed = parse_query(text)
            for accented in (True, False):
                for match_all in (True, False):
                    query = build_query(parsed, accented, match_all).query
                    yield text, engine, searcher, query


def test_engine_scores_every_query_as_whoosh_does(opened):
    compared = 0
    for text, engine, searcher, query in every_plan(opened):
        theirs = whoosh_matches(searcher, query)
        assert_same(engine_matches(engine, searcher, query), theirs, text)
        compared += bool(theirs)
    assert compared > 200  # most plans match something: the comparison is not empty


def test_the_term_cache_keeps_to_its_budget_and_answers_the_same(opened, monkeypatch):
    monkeypatch.setenv("TRACUU_CACHE_MB", "0")  # every new term evicts the others
    engine = Engine(opened, BM25_B, BM25_K1)
    assert engine.cache_limit == 0
    with opened.index.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as searcher:
        for text in QUERIES[:15]:
            query = build_query(parse_query(text), True, True).query
            for _ in range(2):  # read from the files, then what the cache kept
                assert_same(engine_matches(engine, searcher, query), whoosh_matches(searcher, query), text)
                assert len(engine._terms) == 1
    monkeypatch.setenv("TRACUU_CACHE_MB", "120")
    assert Engine(opened, BM25_B, BM25_K1).cache_limit == 120 * 2**20 // 12


@pytest.fixture(scope="module")
def segmented(index_root, tmp_path_factory):
    """The sample index with a second segment and deleted sections: what an
    update leaves until Whoosh merges."""
    root = tmp_path_factory.mktemp("segmented")
    generation = current_generation(index_root)
    shutil.copytree(generation, root / generation.name)
    (root / "CURRENT").write_text(generation.name + "\n", encoding="utf-8")
    opened = open_current(root)
    document = load_document(ROOT / "corpus" / "004_18f6aac5861878d1.txt")
    writer = opened.index.writer()
    writer.delete_by_term("doc_id", "003_064c99f8bc1e6bb7")
    for section in document.parsed.sections[1:]:
        if section.searchable_text.strip():
            fields = {k: v for k, v in section_fields(document, section).items() if v is not None}
            writer.update_document(**fields)  # replaces the section in the first segment
    writer.commit(merge=False)
    write_manifest(root / generation.name)  # as publishing would: the files changed
    return open_current(root)


def test_engine_handles_segments_and_deletions(segmented):
    with segmented.index.reader() as reader:
        assert len(list(reader.leaf_readers())) >= 2 and reader.has_deletions()
    for text, engine, searcher, query in every_plan(segmented):
        assert_same(engine_matches(engine, searcher, query), whoosh_matches(searcher, query), text)


# Facet counts against Whoosh's groupedby. Whoosh counts by indexed key
# (slugs), the page by label: compared by slug.
WHOOSH_FACETS = {name: BY_NAME[name].index_key for name in COUNTED if BY_NAME[name].index_key}
CASES = [
    ("dân vận", {}),
    ("dan toc thieu so", {}),
    ("rừng", {"year": 2021}),
    ("công tác", {"topic": "Dân vận khéo"}),
    ("Tỉnh ủy", {"doc_type": "Báo cáo", "year_from": 2020}),
    ("kinh tế", {"issuer": "Ban Thường vụ Tỉnh ủy Lai Châu"}),
    ("69-KL/TU", {}),
    ("giảm nghèo", {"level": "Tỉnh", "province": "Lai Châu"}),
]


def groupedby_counts(searcher, query, filter_query, facet):
    field = WHOOSH_FACETS[facet]
    facet_type = sorting.FieldFacet(field, allow_overlap=field == "topics")
    results = searcher.search(query, filter=filter_query, limit=None, groupedby={facet: facet_type})
    groups = results.groups(facet)
    return {str(key): len(docs) for key, docs in groups.items() if key is not None}


@pytest.mark.parametrize("text,filters", CASES)
def test_facet_counts_equal_whoosh_groupedby(opened, text, filters):
    chosen = Filters(**filters)
    page = search_page(opened, text, chosen)
    assert page.total > 0
    parts = whoosh_filters(chosen)
    if "issuer" in parts:  # a whole name selects that issuer alone
        parts["issuer"] = wq.Or([wq.Term("issuer_key", slug(v)) for v in chosen.issuer])
    with opened.index.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as searcher:
        for facet in WHOOSH_FACETS:
            # A facet's counts leave out its own filter (the year range included).
            others = [q for name, q in parts.items() if name != facet]
            filter_query = wq.And(others) if others else None
            expected = groupedby_counts(searcher, to_whoosh(page.built.query), filter_query, facet)
            ours = {str(v) if facet == "year" else slug(v): n for v, n in page.facets[facet]}
            assert ours == expected, (text, filters, facet)


def test_nodes_without_a_vectorised_path_fall_back_to_whoosh(opened):
    # A phrase (the issuer field has no pair terms), a numeric range, and a
    # phrase inside an AndMaybe: whatever the tree holds, Whoosh's answer.
    engine = Engine(opened, BM25_B, BM25_K1)
    queries = [
        wq.Phrase("issuer", ["tinh", "uy"]),
        wq.NumericRange("year", 2020, 2023),
        wq.AndMaybe(wq.Term("body", "rừng"), wq.Phrase("issuer", ["lai", "chau"], boost=2.0)),
    ]
    with opened.index.searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1)) as searcher:
        for query in queries:
            theirs = whoosh_matches(searcher, query)
            assert theirs, query
            assert_same(engine_matches(engine, searcher, query), theirs, repr(query))


@pytest.mark.parametrize("blocklimit", [128, 512, 1024])  # 512: a block starting at an id of 2 bytes
def test_posting_blocks_decode_as_whoosh_reads_them(blocklimit, tmp_path):
    """Posting lists of many blocks, written by Whoosh's own writer, with the
    three kinds of block weights (all 1, one repeated value, varied), blocks
    whose gaps all fit a byte (numpy parses those) and blocks with gaps of
    every pickled width (one byte, two, four), and a last block of 3, read
    back by the engine exactly as Whoosh's matcher reads them."""
    from whoosh.codec.whoosh3 import W3LeafMatcher, W3PostingsWriter, W3TermInfo
    from whoosh.filedb.filestore import FileStorage
    from whoosh.formats import Frequency

    from engine.reader import _segment_postings

    rng = np.random.default_rng(7)
    dense = rng.choice([1, 2, 3, 200, 255], size=4 * blocklimit)
    mixed = rng.choice([1, 2, 3, 200, 300, 70_000], size=2 * blocklimit + 3, p=[0.5, 0.2, 0.1, 0.1, 0.07, 0.03])
    ids = np.cumsum(np.concatenate((dense, mixed)))
    weights = np.ones(len(ids))
    weights[blocklimit : 2 * blocklimit] = 2.0  # one repeated value
    weights[2 * blocklimit :] = rng.choice([1.0, 2.0, 5.0], size=len(ids) - 2 * blocklimit)
    storage = FileStorage(str(tmp_path))
    postfile = storage.create_file("postings")
    writer = W3PostingsWriter(postfile, blocklimit)
    writer.start_postings(Frequency(), W3TermInfo())
    for docnum, weight in zip(ids, weights):
        writer.add_posting(int(docnum), float(weight), b"", 10)
    # As the term index gives it back (W3TermInfo.from_bytes)
    info = W3TermInfo.from_bytes(writer.finish_postings().to_bytes())
    postfile.close()

    with storage.open_file("postings") as postings:
        decoded_ids, decoded_weights = _segment_postings(postings, info)
        offset, length = info.extent()
        matcher = W3LeafMatcher(postings, offset, length, Frequency())
        expected = []
        while matcher.is_active():
            expected.append((matcher.id(), matcher.weight()))
            matcher.next()
    assert list(zip(decoded_ids.tolist(), decoded_weights.tolist())) == expected
    assert len(expected) == len(ids)


def test_the_query_model_means_the_whoosh_query_of_the_same_name():
    from engine import query as q

    node = q.AndMaybe(
        q.Require(q.And([q.Term("body", "dân"), q.Term("body", "vận")], boost=2.0), q.Term("body_pairs", "dân_vận")),
        q.Or([q.ConstantScore(q.Term("number", "69-KL/TU"), 50.0), q.Prefix("cites", "69-kl/"), q.Wildcard("cites", "69/????/kl-*")]),
    )
    expected = wq.AndMaybe(
        wq.Require(wq.And([wq.Term("body", "dân"), wq.Term("body", "vận")], boost=2.0), wq.Term("body_pairs", "dân_vận")),
        wq.Or([wq.ConstantScoreQuery(wq.Term("number", "69-KL/TU"), 50.0), wq.Prefix("cites", "69-kl/"),
               wq.Wildcard("cites", "69/????/kl-*")]),
    )  # fmt: skip
    assert to_whoosh(node) == expected
    assert to_whoosh(node) is to_whoosh(node)  # made once per node
    assert to_whoosh(q.AndNot(q.Term("body", "a"), q.Term("body", "b"))) == wq.AndNot(wq.Term("body", "a"), wq.Term("body", "b"))
    with pytest.raises(TypeError):
        to_whoosh("dân vận")


# Methods only a Whoosh object has: search reaches them through the engine.
_WHOOSH_ONLY = {"reader", "searcher", "stored_fields", "field_terms", "column_reader", "leaf_readers", "lexicon",
                "iter_field", "doc_count", "doc_count_all", "schema"}


def test_search_and_the_web_reach_whoosh_only_through_the_engine():
    found = []
    for path in sorted((Path(__file__).parent.parent / "search_app").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                found += [f"{path.name}:{node.lineno} imports {n}" for n in names if n.split(".")[0] == "whoosh"]
            elif isinstance(node, ast.Attribute) and node.attr in _WHOOSH_ONLY:
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
            elif isinstance(node, ast.Attribute) and node.attr == "index" and ast.unparse(node.value) == "index":
                found.append(f"{path.name}:{node.lineno} index.index (the Whoosh index)")
    assert found == []
