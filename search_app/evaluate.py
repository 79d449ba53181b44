"""Ranking quality: metrics, query sets with relevance judgments, and runs
through the same ``search`` the command line and the UI use.

A query set is a TOML file of ``[[query]]`` tables::

    [[query]]
    text = "bảo vệ rừng"
    relevant = ["000_8b1cbe83c3de1fbc#2-1-i2"]   # sections that answer it
    related = ["001_b7d788ee9d07cfc0#phan-1-III-2-1"]  # worth seeing, partly
    note = "what the query covers"
    filters = { year = 2021 }                      # optional: Filters fields

Keys are ``<doc_id>#<section_id>`` as the index has them (``tracuu search
--json`` shows them). Metrics, at a cut-off of ``K`` = 10:

- MRR@10: mean of 1 / rank of the first ``relevant`` section (0 past 10);
- Recall@k: share of queries with a ``relevant`` section in the top k (the
  convention of the ALQAC benchmark: a query is found or not);
- nDCG@10: graded, ``relevant`` = 2 and ``related`` = 1, so it also counts
  how many of the wanted sections come up, and how high.
"""

from __future__ import annotations

import math
import statistics
import time
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine import searcher_of, term_frequencies
from search_app.facets import BY_NAME, FILTER_FIELDS, Filters
from search_app.search import search

K = 10
RELEVANT_GAIN, RELATED_GAIN = 2.0, 1.0
_NUMBERS = ("year", "year_from", "year_to")


# --- Metrics on one ranking -------------------------------------------------


def first_relevant_rank(ranked: Sequence[str], relevant: Iterable[str], k: int = K) -> int | None:
    """1-based rank of the first relevant key within the top ``k``, else None."""
    wanted = set(relevant)
    return next((i for i, key in enumerate(ranked[:k], 1) if key in wanted), None)


def reciprocal_rank(ranked: Sequence[str], relevant: Iterable[str], k: int = K) -> float:
    rank = first_relevant_rank(ranked, relevant, k)
    return 1.0 / rank if rank else 0.0


def found_at(ranked: Sequence[str], relevant: Iterable[str], k: int) -> bool:
    """Whether a relevant key is in the top ``k`` (Recall@k for one query)."""
    return first_relevant_rank(ranked, relevant, k) is not None


def ndcg(ranked: Sequence[str], gains: dict[str, float], k: int = K) -> float:
    """Normalised discounted cumulative gain: gain / log2(rank + 1), divided by
    the same sum for the ideal order of the judged keys."""
    dcg = sum(gains.get(key, 0.0) / math.log2(i + 1) for i, key in enumerate(ranked[:k], 1))
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    best = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, 1))
    return dcg / best if best else 0.0


# --- Query sets ---------------------------------------------------------------


class QuerySetError(ValueError):
    """A query set that cannot be read; the message is for the user."""


@dataclass(frozen=True)
class JudgedQuery:
    text: str
    relevant: tuple[str, ...]
    related: tuple[str, ...] = ()
    filters: dict = field(default_factory=dict)  # Filters fields
    note: str = ""

    @property
    def gains(self) -> dict[str, float]:
        return {key: RELATED_GAIN for key in self.related} | {key: RELEVANT_GAIN for key in self.relevant}

    def search_filters(self) -> Filters | None:
        return Filters(**self.filters) if self.filters else None


def _keys(value, where: str, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(k, str) and "#" in k for k in value):
        raise QuerySetError(f"{where}: “{name}” phải là danh sách khóa dạng “doc_id#section_id”.")
    return tuple(value)


def _filters(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise QuerySetError(f"{where}: “filters” phải là một bảng (ví dụ {{ year = 2021 }}).")
    for name, item in value.items():
        if name not in FILTER_FIELDS:
            raise QuerySetError(f"{where}: bộ lọc không biết “{name}” (có: {', '.join(FILTER_FIELDS)}).")
        expected = int if name in _NUMBERS else str
        items = item if isinstance(item, list) and name in BY_NAME else [item]  # a facet takes a list
        if not items or any(not isinstance(i, expected) or isinstance(i, bool) for i in items):
            raise QuerySetError(f"{where}: bộ lọc “{name}” sai kiểu giá trị: {item!r}.")
    return dict(value)


def parse_query_set(data: dict, source: str = "") -> list[JudgedQuery]:
    entries = data.get("query")
    if not isinstance(entries, list) or not entries:
        raise QuerySetError(f"{source}: không có câu hỏi nào (cần các bảng [[query]]).")
    queries = []
    for number, entry in enumerate(entries, 1):
        where = f"{source}: câu {number}"
        if not isinstance(entry, dict):
            raise QuerySetError(f"{where}: phải là một bảng [[query]].")
        unknown = set(entry) - {"text", "relevant", "related", "filters", "note"}
        if unknown:
            raise QuerySetError(f"{where}: khóa không biết: {', '.join(sorted(unknown))}.")
        text = entry.get("text")
        if not isinstance(text, str) or not text.strip():
            raise QuerySetError(f"{where}: thiếu “text”.")
        relevant = _keys(entry.get("relevant"), where, "relevant")
        if not relevant:
            raise QuerySetError(f"{where}: cần ít nhất một đoạn trong “relevant”.")
        queries.append(
            JudgedQuery(
                text=text,
                relevant=relevant,
                related=_keys(entry.get("related", []), where, "related"),
                filters=_filters(entry.get("filters", {}), where),
                note=str(entry.get("note", "")),
            )
        )
    return queries


def load_query_set(path: Path) -> list[JudgedQuery]:
    """Raises QuerySetError (a missing file, bad TOML, a malformed query)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise QuerySetError(f"không đọc được bộ câu hỏi {path}: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise QuerySetError(f"{path.name}: không phải TOML hợp lệ: {error}") from None
    return parse_query_set(data, path.name)


# --- Runs ----------------------------------------------------------------------


@dataclass
class Outcome:
    """One query's ranking, judged."""

    query: JudgedQuery
    ranked: list[str]
    milliseconds: float

    @property
    def rank(self) -> int | None:
        return first_relevant_rank(self.ranked, self.query.relevant)

    @property
    def ndcg(self) -> float:
        return ndcg(self.ranked, self.query.gains)


@dataclass
class Summary:
    queries: int
    mrr: float
    recall_1: float
    recall_10: float
    ndcg: float
    median_ms: float
    misses: list[Outcome]  # no relevant section in the top K


def summarise(outcomes: Sequence[Outcome]) -> Summary:
    if not outcomes:
        return Summary(0, 0.0, 0.0, 0.0, 0.0, 0.0, [])
    n = len(outcomes)
    return Summary(
        queries=n,
        mrr=sum(reciprocal_rank(o.ranked, o.query.relevant) for o in outcomes) / n,
        recall_1=sum(found_at(o.ranked, o.query.relevant, 1) for o in outcomes) / n,
        recall_10=sum(found_at(o.ranked, o.query.relevant, K) for o in outcomes) / n,
        ndcg=sum(o.ndcg for o in outcomes) / n,
        median_ms=statistics.median(o.milliseconds for o in outcomes),
        misses=[o for o in outcomes if o.rank is None],
    )


Ranker = Callable[[JudgedQuery], list[str]]


def run(queries: Sequence[JudgedQuery], ranker: Ranker) -> list[Outcome]:
    """Each query through ``ranker`` (query → ranked keys), timed."""
    outcomes = []
    for query in queries:
        started = time.perf_counter()
        ranked = ranker(query)
        outcomes.append(Outcome(query, list(ranked[:K]), (time.perf_counter() - started) * 1000))
    return outcomes


def search_ranker(index) -> Ranker:
    """The search staff use: ``search_app.search.search``, filters included."""

    def rank(query: JudgedQuery) -> list[str]:
        result = search(index, query.text, query.search_filters(), limit=K)
        return [f"{p.doc_id}#{p.section_id}" for p in result.passages]

    return rank


def unknown_keys(index, queries: Iterable[JudgedQuery]) -> list[str]:
    """Judged keys that name no indexed section (a typo, or another corpus)."""
    with searcher_of(index) as searcher:
        indexed = set(term_frequencies(searcher, "key"))
    judged = dict.fromkeys(k for q in queries for k in (*q.relevant, *q.related))
    return [key for key in judged if key not in indexed]
