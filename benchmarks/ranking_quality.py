"""Ranking quality of Tra cứu's search on ALQAC legal questions.

Builds a throw-away index (a temporary folder, deleted at the end) from the
ALQAC corpus ``law.json`` with the project's own schema: a law is a document,
an article (Điều) a section; the article's first line is its heading. Then
each question runs through:

- ``project``: ``search_app.search.search`` itself, as staff get it;
- ``bm25-syllables`` / ``bm25-words``: plain OR of the question's syllables /
  pyvi words with BM25F(B=0.75, K1=1.2), the baselines the data's README
  quotes (MRR@10 ≈ 0.81 / 0.83 on the 100 verified questions).

It prints MRR@10, Recall@1, Recall@10 (found = any relevant article in the top
k) and the median time per query with its ratio to the syllable baseline
measured in the same run. The data are for measuring only: they stay where
they are and the project never copies them.

Run from the project root::

    .venv/bin/python benchmarks/ranking_quality.py /path/to/alqac \\
        [--questions train_verified.json] [--limit N] [--with-choices]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whoosh import index as whoosh_index  # noqa: E402
from whoosh import query as wq  # noqa: E402
from whoosh.scoring import BM25F  # noqa: E402

from analyzers import syllables, words  # noqa: E402
from indexer.schema import BODY_FIELDS, HEAD_FIELDS, build_schema  # noqa: E402
from indexer.store import OpenIndex  # noqa: E402
from search_app.search import search, top_hits  # noqa: E402

K = 10


def build_index(law_path: Path, folder: str) -> OpenIndex:
    ix = whoosh_index.create_in(folder, build_schema())
    writer = ix.writer(limitmb=256)
    position = 0
    for law in json.loads(law_path.read_text(encoding="utf-8")):
        for article in law["articles"]:
            title, _, body = article["text"].strip().partition("\n")
            heading, body = title.strip(), body.strip()
            writer.add_document(
                key=f"{law['id']}#{article['id']}", doc_id=law["id"], section_id=article["id"],
                position=position, heading=heading, path=[], text=body, footnotes=[],
                head=heading, head_fold=heading, head_words=heading,
                body=body, body_fold=body, body_words=body,
            )  # fmt: skip
            position += 1
    writer.commit()
    return OpenIndex(ix, {"documents": []})


def project(index: OpenIndex, text: str) -> list[tuple[str, str]]:
    return [(p.doc_id, p.section_id) for p in search(index, text, limit=K).passages]


def _bag(index: OpenIndex, terms: list[str], view: str) -> list[tuple[str, str]]:
    fields = (BODY_FIELDS[view], HEAD_FIELDS[view])
    query = wq.Or([wq.Term(f, t) for f in fields for t in dict.fromkeys(terms)])
    with index.index.searcher(weighting=BM25F(B=0.75, K1=1.2)) as searcher:
        return [(h["doc_id"], h["section_id"]) for h in top_hits(searcher, query, None, K)]


VARIANTS = {
    "project": project,
    "bm25-syllables": lambda index, text: _bag(index, syllables(text), "syllable"),
    "bm25-words": lambda index, text: _bag(index, words(text), "word"),
}


def question_text(question: dict, with_choices: bool) -> str:
    choices = question.get("choices") if with_choices else None
    if isinstance(choices, dict):
        return question["text"] + " " + " ".join(map(str, choices.values()))
    return question["text"]


def evaluate(index: OpenIndex, questions: list[dict], with_choices: bool) -> None:
    rows = {}
    for name, run in VARIANTS.items():
        reciprocal, at1, at10, times = [], 0, 0, []
        for question in questions:
            relevant = {(a["law_id"], a["article_id"]) for a in question["relevant_articles"]}
            started = time.perf_counter()
            ranked = run(index, question_text(question, with_choices))
            times.append((time.perf_counter() - started) * 1000)
            rank = next((i for i, key in enumerate(ranked, 1) if key in relevant), None)
            reciprocal.append(1 / rank if rank else 0.0)
            at1 += rank == 1
            at10 += rank is not None
        n = len(questions)
        rows[name] = (statistics.mean(reciprocal), at1 / n, at10 / n, statistics.median(times))
    baseline = rows["bm25-syllables"][3]
    print(f"{'variant':16} {'MRR@10':>7} {'R@1':>6} {'R@10':>6} {'median ms':>10} {'× bm25-syl':>10}")
    for name, (mrr, r1, r10, ms) in rows.items():
        print(f"{name:16} {mrr:7.3f} {r1:6.2f} {r10:6.2f} {ms:10.1f} {ms / baseline:10.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="folder holding law.json and the questions")
    parser.add_argument("--questions", default="train_verified.json")
    parser.add_argument("--limit", type=int, default=None, help="first N questions only")
    parser.add_argument("--with-choices", action="store_true", help="append multiple-choice options")
    args = parser.parse_args(argv)
    questions = json.loads((args.data / args.questions).read_text(encoding="utf-8"))[: args.limit]
    folder = tempfile.mkdtemp(prefix="tracuu-alqac-")
    try:
        started = time.perf_counter()
        index = build_index(args.data / "law.json", folder)
        print(f"indexed ALQAC laws in {time.perf_counter() - started:.1f} s; {len(questions)} questions")
        evaluate(index, questions, args.with_choices)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
