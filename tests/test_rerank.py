"""The second stage: query coverage on tiny hand-computed examples."""

import pytest

from search_app.query import parse_query
from search_app.rerank import coverage, query_ngrams, rerank, section_ngrams


def test_section_ngrams_keep_only_query_syllables_and_never_span_a_line_break():
    grams = section_ngrams(["Cơ sở giáo dục\nthường xuyên, hoá"], True, {"giáo", "dục", "thường", "xuyên", "hóa"})
    assert ("giáo", "dục") in grams and ("thường", "xuyên") in grams
    assert ("dục", "thường") not in grams  # a line break between them
    assert ("xuyên", "hóa") in grams  # punctuation within a line does not cut, as for pairs
    assert ("hóa",) in grams  # old tone style analysed as the index does
    assert not any("cơ" in gram for gram in grams)


def test_section_ngrams_folded():
    assert ("giao", "duc") in section_ngrams(["Giáo dục"], False, {"giao", "duc"})


def test_coverage_is_the_mean_over_n_of_the_weighted_share_found():
    runs = [["a", "b", "c"]]
    by_n = query_ngrams(runs, {"a": 1.0, "b": 1.0, "c": 2.0}, max_n=2)
    # unigrams: a, b of a (1), b (1), c (2) → 2/4; bigrams: (a, b) of
    # (a, b) (2) and (b, c) (3) → 2/5; mean 0.45.
    assert coverage(by_n, {("a",), ("b",), ("a", "b")}) == pytest.approx((2 / 4 + 2 / 5) / 2)
    assert coverage(by_n, set()) == 0.0


def test_ngrams_never_span_two_runs_of_the_query():
    by_n = query_ngrams([["a", "b"], ["c"]], {"a": 1.0, "b": 1.0, "c": 1.0})
    assert len(by_n) == 2 and ("b", "c") not in by_n[1]


class _Searcher:
    """Two sections; the second holds the query's words in its order."""

    def __init__(self, texts):
        self.texts = texts

    def reader(self):
        return self

    def doc_count(self):
        return 10

    def doc_frequency(self, fieldname, text):
        return 1

    def stored_fields(self, docnum):
        return {"heading": "", "text": self.texts[docnum]}


def test_the_section_holding_the_query_in_order_moves_up_and_scores_stay_sorted():
    searcher = _Searcher({0: "dân tộc và vận động", 1: "vận động dân tộc", 2: "khác"})
    parsed = parse_query("vận động dân tộc")
    ranked = rerank(searcher, parsed, True, [(10.0, 0), (9.5, 1), (1.0, 2)])
    assert [docnum for _, docnum in ranked] == [1, 0, 2]
    assert [score for score, _ in ranked] == sorted((score for score, _ in ranked), reverse=True)


def test_number_queries_are_not_reranked():
    searcher = _Searcher({0: "khác", 1: "kết luận 69-KL/TU về dân vận"})
    matches = [(1000.0, 0), (10.0, 1)]
    assert rerank(searcher, parse_query("69-KL/TU dân vận"), True, matches) == matches


def test_a_clause_is_reranked_with_the_words_of_its_article():
    # 1 and 2 are clauses of one article, each holding half the question;
    # 0 stands alone holding a little more than either.
    searcher = _Searcher({0: "chiếm hữu, sử dụng", 1: "được chiếm hữu", 2: "và định đoạt"})
    parsed = parse_query("được chiếm hữu sử dụng và định đoạt")
    matches = [(10.0, 0), (9.5, 1), (9.0, 2)]
    assert [n for _, n in rerank(searcher, parsed, True, matches)][0] == 0
    article = {0: (0,), 1: (1, 2), 2: (1, 2)}
    ranked = rerank(searcher, parsed, True, matches, place=article.get)
    assert [n for _, n in ranked][0] == 1
    assert [score for score, _ in ranked] == sorted((score for score, _ in ranked), reverse=True)


LAW = """LUẬT THỬ NGHIỆM

Điều 1. Quyền của chủ sở hữu

1. Chủ sở hữu được chiếm hữu tài sản của mình.

2. Chủ sở hữu được sử dụng tài sản, gồm:

a) Khai thác công dụng;

b) Hưởng hoa lợi, lợi tức.

Điều 2. Quyền của người thuê

Người thuê được chiếm hữu, sử dụng tài sản thuê.
"""


def test_the_place_of_a_clause_or_a_point_is_its_article(make_corpus, tmp_path):
    from indexer.build import build_index
    from indexer.store import open_current
    from engine import engine_for, thread_searcher
    from search_app.sections import place_finder, section_columns

    build_index(make_corpus({"luat.txt": LAW}), tmp_path / "index")
    index = open_current(tmp_path / "index")
    engine, searcher = engine_for(index, 0.9, 1.2), thread_searcher(index, 0.9, 1.2)
    columns = section_columns(index, engine, searcher)
    place = place_finder(index, columns)
    outline = [entry["section_id"] for entry in index.catalog.outline(index.catalog.documents[0]["doc_id"])]
    docnum = {
        searcher.stored_fields(n)["section_id"]: n for n in range(engine.size) if columns.document_of[n] >= 0
    }

    def ids(section_id):
        return [outline[columns.position[n]] for n in place(docnum[section_id])]

    assert [s for s in outline if s.startswith("dieu-1")] == ["dieu-1", "dieu-1-1", "dieu-1-2", "dieu-1-2-a", "dieu-1-2-b"]
    # The article's heading has no text of its own, so no section in the index.
    article = ["dieu-1-1", "dieu-1-2", "dieu-1-2-a", "dieu-1-2-b"]
    assert ids("dieu-1-2-a") == ids("dieu-1-1") == ids("dieu-1-2") == article
    assert ids("dieu-2") == ["dieu-2"]
