import math
from pathlib import Path

import pytest

from search_app.evaluate import (
    JudgedQuery,
    Outcome,
    QuerySetError,
    found_at,
    load_query_set,
    ndcg,
    parse_query_set,
    reciprocal_rank,
    run,
    search_ranker,
    summarise,
    unknown_keys,
)
from search_app.search import Filters

from .test_cli import run as run_cli

QUERY_SET = Path(__file__).parent / "data" / "queries.toml"


# --- Metrics, computed by hand ----------------------------------------------------


def test_reciprocal_rank_of_the_first_relevant_key():
    assert reciprocal_rank(["a", "b", "c", "d"], {"c", "d"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a"], {"a"}) == 1.0
    assert reciprocal_rank(["a", "b"], {"z"}) == 0.0
    assert reciprocal_rank([], {"a"}) == 0.0


def test_a_relevant_key_past_the_cut_off_counts_for_nothing():
    ranked = [f"x{i}" for i in range(10)] + ["hit"]
    assert reciprocal_rank(ranked, {"hit"}) == 0.0
    assert not found_at(ranked, {"hit"}, 10)
    assert found_at(ranked, {"hit"}, 11)


def test_recall_at_k_is_whether_a_relevant_key_is_in_the_top_k():
    assert not found_at(["a", "b"], {"b"}, 1)
    assert found_at(["a", "b"], {"b"}, 2)


def test_ndcg_with_graded_gains():
    # DCG = 2/log2(3) + 1/log2(4) = 1.26186 + 0.5; ideal = 2/log2(2) + 1/log2(3) = 2 + 0.63093.
    assert ndcg(["x", "a", "b"], {"a": 2, "b": 1}) == pytest.approx(1.76186 / 2.63093, abs=1e-5)
    assert ndcg(["a", "b", "x"], {"a": 2, "b": 1}) == pytest.approx(1.0)
    assert ndcg(["b", "a"], {"a": 2, "b": 1}) < 1.0


def test_ndcg_with_binary_gains_and_edge_cases():
    # One of two relevant keys, at rank 2: (1/log2 3) / (1 + 1/log2 3).
    expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert ndcg(["x", "a"], {"a": 1, "b": 1}) == pytest.approx(expected)
    assert ndcg(["x", "y"], {"a": 1}) == 0.0
    assert ndcg(["a"], {}) == 0.0


def test_summary_over_queries():
    def outcome(ranked, relevant):
        return Outcome(JudgedQuery("q", tuple(relevant)), ranked, 1.0)

    summary = summarise(
        [outcome(["a"], ["a"]), outcome(["x", "a"], ["a"]), outcome(["x", "y"], ["a"])]
    )
    assert summary.queries == 3
    assert summary.mrr == pytest.approx((1 + 0.5 + 0) / 3)
    assert summary.recall_1 == pytest.approx(1 / 3)
    assert summary.recall_10 == pytest.approx(2 / 3)
    assert [o.ranked for o in summary.misses] == [["x", "y"]]


def test_related_sections_give_ndcg_credit_but_are_no_hit():
    query = JudgedQuery("q", ("a",), related=("b",))
    outcome = Outcome(query, ["b", "x"], 1.0)
    assert outcome.rank is None
    assert 0 < outcome.ndcg < 1


# --- Query sets --------------------------------------------------------------------


def test_a_query_set_entry_with_filters():
    [query] = parse_query_set(
        {"query": [{"text": "hủ tục", "relevant": ["d#1"], "filters": {"doc_type": "KH", "year": 2026}}]}
    )
    assert query.search_filters() == Filters(doc_type="KH", year=2026)
    assert query.gains == {"d#1": 2.0}


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"text": "x"}, "relevant"),
        ({"text": "x", "relevant": []}, "relevant"),
        ({"text": "x", "relevant": ["no-hash"]}, "doc_id#section_id"),
        ({"relevant": ["d#1"]}, "text"),
        ({"text": "x", "relevant": ["d#1"], "filters": {"colour": "red"}}, "colour"),
        ({"text": "x", "relevant": ["d#1"], "filters": {"year": "2021"}}, "year"),
        ({"text": "x", "relevant": ["d#1"], "grade": 3}, "grade"),
    ],
)
def test_malformed_query_set_entries_are_named(entry, message):
    with pytest.raises(QuerySetError, match=message):
        parse_query_set({"query": [entry]}, "q.toml")


def test_a_query_set_that_is_not_toml(tmp_path):
    path = tmp_path / "q.toml"
    path.write_text("[[query]\ntext = ", encoding="utf-8")
    with pytest.raises(QuerySetError, match="TOML"):
        load_query_set(path)


# --- The project's own query set, as a regression floor ------------------------------

QUERIES = load_query_set(QUERY_SET)


def test_the_query_set_covers_what_staff_type():
    assert len(QUERIES) >= 40
    texts = [q.text for q in QUERIES]
    assert any(t.isupper() for t in texts)  # upper case
    assert any(t.isascii() and " " in t for t in texts)  # no diacritics
    assert any(q.filters for q in QUERIES)
    assert any("/" in t for t in texts)  # document numbers


def test_every_judged_section_is_in_the_index(opened):
    assert unknown_keys(opened, QUERIES) == []


def test_unknown_keys_are_reported(opened):
    assert unknown_keys(opened, [JudgedQuery("q", ("nope#1",))]) == ["nope#1"]


def test_own_query_set_floor(opened):
    """Every query finds a relevant section in the top 10; MRR@10 at least 0.90."""
    summary = summarise(run(QUERIES, search_ranker(opened)))
    assert [o.query.text for o in summary.misses] == []
    assert summary.recall_10 == 1.0
    assert summary.mrr >= 0.90


# --- The command --------------------------------------------------------------------------


def test_eval_command_prints_the_metrics(capsys, index_root):
    code, out, _ = run_cli(capsys, "eval", str(QUERY_SET), "--index-dir", str(index_root))
    assert code == 0
    assert f"{len(QUERIES)} câu" in out
    for metric in ("MRR@10", "Recall@1", "Recall@10", "nDCG@10"):
        assert metric in out


def test_eval_command_lists_the_misses(capsys, index_root, tmp_path):
    path = tmp_path / "q.toml"
    path.write_text(
        '[[query]]\ntext = "bảo vệ rừng"\nrelevant = ["003_064c99f8bc1e6bb7#mo-dau"]\n', encoding="utf-8"
    )
    code, out, _ = run_cli(capsys, "eval", str(path), "--index-dir", str(index_root))
    assert code == 0
    assert "Recall@10 0.000" in out
    assert "“bảo vệ rừng” (không thấy)" in out


@pytest.mark.parametrize(
    "content, message",
    [
        ("[[query]\n", "TOML"),
        ('[[query]]\ntext = "x"\nrelevant = ["nope#1"]\n', "không có trong chỉ mục"),
    ],
)
def test_eval_command_errors_are_one_line(capsys, index_root, tmp_path, content, message):
    path = tmp_path / "q.toml"
    path.write_text(content, encoding="utf-8")
    code, out, err = run_cli(capsys, "eval", str(path), "--index-dir", str(index_root))
    assert code != 0 and out == ""
    assert err.startswith("Lỗi: ") and message in err and err.count("\n") == 1
