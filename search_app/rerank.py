"""Second stage: re-rank the best sections by how much of the query they hold.

The first stage (BM25F over words, syllables and adjacent pairs) ranks the
right article of a law and its neighbours close together: they share most of
the question's words. What tells them apart is whether the section holds the
question's word sequences, not just its words: a question is mostly written
from the text that answers it. So the ``RERANK_DEPTH`` best sections get a
bonus for their *coverage* of the query: for n = 1…``MAX_N``, the share of
the query's distinct n-grams (adjacent syllables of one run of the query)
that stand in the section's heading, text or footnotes, each n-gram weighted
by the rarity (IDF) of its syllables; the mean over n, times
``COVERAGE_WEIGHT`` × the best first-stage score, is added to the score.
The order after the first ``RERANK_DEPTH`` is unchanged, and every re-ranked
section keeps a score at least its own (so the list stays sorted).

Number queries are not re-ranked: they rank by constants (the document
bearing the number first). Sweeps in docs/benchmark-journal.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from analyzers.filters import syllable_keyer
from analyzers.normalize import fold
from analyzers.tokenizers import TOKEN_TEXT
from engine import doc_frequency, live_count, stored
from indexer.schema import BODY_FIELDS

RERANK_DEPTH = 30
COVERAGE_WEIGHT = 2.0
MAX_N = 4

def section_ngrams(texts, accented: bool, wanted, max_n: int = MAX_N) -> set[tuple[str, ...]]:
    """The 1…``max_n``-grams of ``texts`` made of ``wanted`` syllables (the
    query's; no other n-gram can match), exact or folded. An n-gram never
    spans a line break (a paragraph, a list item), as pairs never do."""
    grams: set[tuple[str, ...]] = set()
    # The analysis's token pattern and normaliser, without its gaps and
    # offsets: this runs on every candidate's text of every query.
    normalise = syllable_keyer(not accented)
    for text in texts:
        for line in text.splitlines():
            run: list[str] = []
            for syllable in map(normalise, TOKEN_TEXT.findall(line)):
                if syllable not in wanted:
                    if run:
                        run = []
                    continue
                run.append(syllable)
                grams.add((syllable,))
                for n in range(2, min(len(run), max_n) + 1):
                    grams.add(tuple(run[-n:]))
    return grams


def query_ngrams(runs, weight: dict[str, float], max_n: int = MAX_N) -> list[dict[tuple[str, ...], float]]:
    """For n = 1…``max_n``, the distinct n-grams of the query's runs, each
    with its weight (its syllables' IDF summed); an n-gram never spans two
    runs (a quoted phrase, a number between words, stay apart)."""
    by_n = []
    for n in range(1, max_n + 1):
        grams = {gram: 0.0 for run in runs for gram in zip(*(run[i:] for i in range(n)))}
        if grams:
            by_n.append({gram: sum(weight[s] for s in gram) for gram in grams})
    return by_n


def coverage(by_n, grams: set) -> float:
    """Mean over n of the weighted share of the query's n-grams in ``grams``."""
    shares = []
    for query_grams in by_n:
        total = sum(query_grams.values())
        found = sum(w for gram, w in query_grams.items() if gram in grams)
        shares.append(found / total if total else 0.0)
    return sum(shares) / len(shares) if shares else 0.0


def rerank(
    searcher,
    parsed,
    accented: bool,
    matches: list[tuple[float, int]],
    place: Callable[[int], tuple] | None = None,
    depth: int = RERANK_DEPTH,
) -> list[tuple[float, int]]:
    """``matches`` (score, docnum), best first, with the first
    ``depth`` re-ranked by query coverage: of each section's own
    text, or with ``place``, of the sections of the place it stands in
    (an article with its clauses), which a question's words spread over."""
    if parsed is None or parsed.numbers or parsed.loose or len(matches) < 2 or not COVERAGE_WEIGHT:
        return matches
    runs = [run if accented else [fold(s) for s in run] for run in parsed.chunks + parsed.phrases]
    fieldname = BODY_FIELDS["syllable" if accented else "folded"]
    sections = max(1, live_count(searcher))
    weight = {
        s: math.log(1 + sections / (doc_frequency(searcher, fieldname, s) + 0.5)) for run in runs for s in run
    }
    by_n = query_ngrams(runs, weight)
    if not by_n:
        return matches
    head, rest = matches[:depth], matches[depth:]
    best = head[0][0] if head[0][0] > 0 else 1.0
    covered: dict[tuple, float] = {}  # a place's coverage, shared by its sections
    rescored = []
    for score, docnum in head:
        members = place(docnum) if place else (docnum,)
        if members not in covered:
            texts = [text for member in members for text in _texts(stored(searcher, member))]
            covered[members] = coverage(by_n, section_ngrams(texts, accented, weight.keys()))
        rescored.append((score + COVERAGE_WEIGHT * best * covered[members], docnum))
    rescored.sort(key=lambda m: (-m[0], m[1]))
    return rescored + rest


def _texts(stored: dict) -> list[str]:
    notes = [note.get("text", "") for note in stored.get("footnotes") or []]
    return [stored.get("heading", ""), stored.get("text", ""), *notes]
