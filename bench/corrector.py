"""The "did you mean" correction: Whoosh's corrector (previous) against the
symmetric-delete one (search_app.corrector, current) in the same run (issue 24).

The vocabulary is synthetic, shaped like the folded body field of a real
archive rather than taken from a built index (indexing 1M sections takes
hours on two cores): the folded syllables of the sample corpus, the other
onset+rhyme syllables Vietnamese spelling allows, run-together and foreign
or OCR-damaged words, and numbers (integers, "1.250", "12,5", "66.315,44"),
with Zipf-like document frequencies. Sizes: 77,835 terms (what a 100k-section
index held) and 200,000 (a 1M-section archive). The terms are written into
a Whoosh index of ``--segments`` segments with the same kind of field, so
the previous corrector reads them as it does in production (a built index
has several segments; over several, Whoosh computes the distance to every
term in Python), and the current one is built from that index's reader
(``Corrector.of_field``, what the server's warm-up runs).

Per query, both run _suggestion's loop: each word the field lacks (numbers
aside) is corrected with one edit, then two for words of 6+ letters. Queries:
"giamngheoo", "zqhidden", "bao ve rungg", "a"×50, "a"×600, and ``--typos``
random typo queries (one or two misspelt syllables, or two run together).
Prints p50/p99 per query (of ``--repeat`` runs; the random queries' p50/p99
over the queries), the build time and the memory of the current one. A
previous case expected past ``--budget`` seconds is not run: it is
extrapolated linearly from "a"×12 (the automaton walk grows with the
word's length), marked "(est.)". The previous corrector runs on only
``--old-typos`` of the random queries, once each.

    .venv/bin/python bench/corrector.py
    .venv/bin/python bench/corrector.py --sizes 77835 --typos 500
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh import fields, index as whoosh_index  # noqa: E402
from whoosh.analysis import SpaceSeparatedTokenizer  # noqa: E402

from analyzers import folded_analyzer  # noqa: E402
from search_app.corrector import TWO_EDITS_FROM, Corrector  # noqa: E402

FIELD = "body_fold"
FIXED = ("giamngheoo", "zqhidden", "bao ve rungg", "a" * 50, "a" * 600)
ONSETS = "b c ch d g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split() + [""]
RHYMES = (
    "a ac ach ai am an ang anh ao ap at au ay e ec em en eng eo ep et eu i ia ich iec iem ien iep iet ieu im in "
    "inh ip it iu o oa oac oach oai oan oang oanh oat oay oc oe oen oet oi om on ong op ot u ua uan uang uat uc ue "
    "uech uen uenh uet uy uya uyen uyet uynh uyt ui um un ung uoc uoi uom uon uong uop uot up ut uu"
).split()
LETTERS = "abcdeghiklmnopqrstuvxy"


# ------------------------------------------------------------ vocabulary


def sample_syllables() -> list[str]:
    """Folded letter terms of the sample corpus, most frequent first."""
    analyzer = folded_analyzer()
    counts: dict[str, int] = {}
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        for token in analyzer(path.read_text(encoding="utf-8")):
            if token.text.isalpha():
                counts[token.text] = counts.get(token.text, 0) + 1
    return sorted(counts, key=lambda t: -counts[t])


def vocabulary(size: int, sections: int, rng: random.Random) -> tuple[dict[str, int], list[str]]:
    """term → document frequency, and the syllables (most frequent first)."""
    syllables = sample_syllables()
    seen = set(syllables)
    extra = [onset + rhyme for onset in ONSETS for rhyme in RHYMES if onset + rhyme not in seen]
    rng.shuffle(extra)
    syllables += extra
    terms: dict[str, int] = {}
    for rank, syllable in enumerate(syllables, 1):
        terms[syllable] = max(1, int(sections * 0.3 / rank**1.1))  # Zipf-like
    # Run-together, foreign and OCR-damaged words: about a third of the rest.
    words = (size - len(terms)) // 3
    while len(terms) < len(syllables) + words:
        if rng.random() < 0.6:
            term = "".join(rng.choices(syllables[:3000], k=rng.choice((2, 2, 3))))
        else:
            term = "".join(rng.choices(LETTERS, k=rng.randint(3, 14)))
        terms.setdefault(term, rng.randint(1, 3))
    while len(terms) < size:
        kind = rng.random()
        if kind < 0.4:
            term = str(rng.randint(0, 10 ** rng.randint(1, 6)))
        elif kind < 0.7:
            term = f"{rng.randint(1, 999)}.{rng.randint(0, 999):03d}"
            term += f",{rng.randint(0, 99)}" if rng.random() < 0.4 else ""
        else:
            term = f"{rng.randint(0, 9999)},{rng.randint(0, 999)}"
        terms.setdefault(term, rng.randint(1, 50))
    return terms, syllables


def whoosh_field(terms: dict[str, int], folder: Path, segments: int):
    """A Whoosh index holding each term in as many documents as its
    frequency says (capped: the walk over the terms is what is timed)."""
    schema = fields.Schema(**{FIELD: fields.TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False)})
    ix = whoosh_index.create_in(str(folder), schema)
    documents: list[list[str]] = [[] for _ in range(200)]
    for term, frequency in terms.items():
        for i in range(min(frequency, len(documents))):
            documents[(hash(term) + i) % len(documents)].append(term)
    # Several segments, as a built index has: Whoosh's reader over several
    # segments measures the distance to every term in Python, while one
    # segment's reader walks an automaton.
    share = -(-len(documents) // segments)
    for start in range(0, len(documents), share):
        writer = ix.writer(limitmb=256)
        for words in documents[start : start + share]:
            writer.add_document(**{FIELD: " ".join(words)})
        writer.commit(merge=False)
    return ix


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(len(word) + 1)
    kind = rng.choice(("insert", "delete", "substitute", "swap"))
    if kind == "insert" or len(word) < 3:
        return word[:i] + rng.choice(LETTERS) + word[i:]
    i = min(i, len(word) - 2)
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "substitute":
        return word[:i] + rng.choice(LETTERS) + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def typo_queries(syllables: list[str], count: int, rng: random.Random) -> list[str]:
    common = syllables[:1500]
    queries = []
    for _ in range(count):
        words = rng.sample(common, rng.randint(1, 3))
        shape = rng.random()
        if shape < 0.2 and len(words) >= 2:
            words[:2] = [words[0] + words[1]]  # run together
            if rng.random() < 0.5:
                words[0] = typo(words[0], rng)
        else:
            for i in rng.sample(range(len(words)), 2 if shape > 0.85 and len(words) > 1 else 1):
                words[i] = typo(words[i], rng)
        queries.append(" ".join(words))
    return queries


# ------------------------------------------------------------ timing


def correct(query: str, known, suggest) -> str | None:
    """_suggestion's loop without the accents and the final search."""
    out = []
    for key in query.split():
        if not key.isdigit() and not known(key):
            for distance in (1, 2) if len(key) >= TWO_EDITS_FROM else (1,):
                found = suggest(key, distance)
                if found:
                    key = found
                    break
            else:
                return None
        out.append(key)
    return " ".join(out)


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def ms(value: float) -> str:
    return f"{value * 1000:.2f} ms" if value < 1 else f"{value:.2f} s"


def show(label: str, old: str, new: str, note: str = "") -> None:
    print(f"  {label:<30} {old:>28} {new:>24}  {note}")


def run_size(size: int, args, rng: random.Random) -> None:
    sections = 100_000 if size < 150_000 else 1_000_000
    terms, syllables = vocabulary(size, sections, rng)
    letters = sum(1 for t in terms if t.isalpha())
    with tempfile.TemporaryDirectory() as folder:
        ix = whoosh_field(terms, Path(folder), args.segments)
        with ix.searcher() as searcher:
            reader = searcher.reader()
            print(
                f"\n{size:,} terms ({letters:,} of letters; like a {sections:,}-section archive), "
                f"{len(ix._segments())} segments ({type(reader).__name__})"
            )
            started = time.perf_counter()
            corrector = Corrector.of_field(searcher, FIELD)
            build = time.perf_counter() - started
            print(
                f"  current build: {ms(build)} from the reader ({ms(corrector.build_seconds)} filing), "
                f"{len(corrector._keys):,} deletions, {corrector.size_bytes / 2**20:.0f} MB of arrays"
            )
            whoosh = searcher.corrector(FIELD)

            def known(key):
                return reader.doc_frequency(FIELD, key) > 0

            def old(query):
                return correct(query, known, lambda k, d: (whoosh.suggest(k, limit=1, maxdist=d) or [None])[0])

            def new(query):
                return correct(query, known, corrector.suggest)

            show("query", "previous p50 / p99", "current p50 / p99", "suggestion (current)")
            short = timed(lambda: old("a" * 12))
            for query in FIXED:
                new_times = [timed(lambda: new(query)) for _ in range(args.repeat)]
                estimate = short * len(query) / 12 if query.startswith("aaaa") else 0.0
                if estimate > args.budget:
                    old_text = f"~{ms(estimate)} (est.)"
                else:
                    old_times = [timed(lambda: old(query))]
                    while len(old_times) < args.repeat and sum(old_times) < args.budget / 4:
                        old_times.append(timed(lambda: old(query)))
                    old_text = f"{ms(statistics.median(old_times))} / {ms(max(old_times))} ({len(old_times)})"
                new_text = f"{ms(statistics.median(new_times))} / {ms(percentile(new_times, 0.99))}"
                label = query if len(query) < 20 else f"'a'×{len(query)}"
                show(label, old_text, new_text, repr(new(query)))
            queries = typo_queries(syllables, args.typos, rng)
            new_times = [min(timed(lambda: new(q)) for _ in range(3)) for q in queries]
            old_queries = queries[: args.old_typos]
            old_times, old_found = [], []
            for q in old_queries:
                start = time.perf_counter()
                old_found.append(old(q))
                old_times.append(time.perf_counter() - start)
            found_new = sum(new(q) is not None for q in queries)
            agree = sum(found == new(q) for q, found in zip(old_queries, old_found))
            show(
                f"{len(queries)} random typo queries",
                f"{ms(statistics.median(old_times))} / {ms(percentile(old_times, 0.99))} ({len(old_times)})",
                f"{ms(statistics.median(new_times))} / {ms(percentile(new_times, 0.99))}",
                f"max {ms(max(new_times))}; {found_new} with a suggestion",
            )
            print(
                f"  same suggestion as previous on {agree} of {len(old_queries)} "
                "(previous: ranked by frequency alone, no splits, a swap is two edits)"
            )
            per_query = [corrector.lookups, corrector.compared]
            corrector.lookups = corrector.compared = 0
            for q in queries:
                new(q)
            print(
                f"  work per random query: {corrector.lookups / len(queries):.0f} lookups, "
                f"{corrector.compared / len(queries):.0f} distances (totals so far {per_query[0]:,} / {per_query[1]:,})"
            )
        ix.storage.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[77_835, 200_000])
    ap.add_argument("--typos", type=int, default=300, help="random typo queries")
    ap.add_argument("--old-typos", type=int, default=15, help="of them, how many the previous corrector runs")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--budget", type=float, default=20.0, help="seconds: a previous case expected past it is not run")
    ap.add_argument("--segments", type=int, default=4, help="Whoosh segments of the index (see whoosh_field)")
    ap.add_argument("--seed", type=int, default=24)
    args = ap.parse_args(argv)
    for size in args.sizes:
        run_size(size, args, random.Random(args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
