"""Snippets and highlights, the previous algorithms against the current ones
in the same run (issue 24).

- ``make_snippet`` on a section with 1k, 5k, 20k and 200k matches (the same
  spans to both); the previous one tried every span's window against every
  span;
- ``highlight_spans`` on those sections, for a two-word query and for a
  long pasted query (300 words, without diacritics: hundreds of sequences);
  the previous one tried every sequence at every token, and marked
  everything;
- the document page (``/doc/<id>?q=``) of the 60 KB sample document with a
  1,000-character query, through Flask's test client: the page as it was
  (previous highlighting and clipping, the query uncapped) and as it is.

Prints medians (of ``--repeat`` runs, fewer when one run of a case is past
``--budget`` seconds). A previous-algorithm case expected past ``--budget``
(quadratic) is not run: its figure is extrapolated from the case before.

    .venv/bin/python bench/snippets.py
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzers.docnumber import find_numbers  # noqa: E402
from analyzers.normalize import fold  # noqa: E402
from search_app import reading, render, search  # noqa: E402
from search_app.query import build_query, parse_query  # noqa: E402
from search_app.search import SNIPPET_CHARS, _merge, _SYLLABLES  # noqa: E402

SAMPLE = "001_b7d788ee9d07cfc0"  # 60 KB
SIZES = (1_000, 5_000, 20_000, 200_000)


# ------------------------------------------------- the previous algorithms


def old_highlight_spans(text, built):
    if built is None:
        return []
    tokens = [
        (t.text if built.accented else fold(t.text), t.startchar, t.endchar)
        for t in _SYLLABLES(text, chars=True)
    ]
    longest_first = sorted(built.sequences, key=len, reverse=True)
    spans = []
    i = 0
    while i < len(tokens):
        for sequence in longest_first:
            n = len(sequence)
            if tuple(t[0] for t in tokens[i : i + n]) == sequence:
                spans.append((tokens[i][1], tokens[i + n - 1][2]))
                i += n
                break
        else:
            i += 1
    spans += [(m.start, m.end) for m in find_numbers(text) if built.marks_number(m.key)]
    return _merge(sorted(spans), text)


def old_make_snippet(text, spans, width=SNIPPET_CHARS):
    if len(text) <= width:
        return text, list(spans)
    best_start, best_count = 0, -1
    for start, _ in spans or [(0, 0)]:
        begin = max(0, start - width // 4)
        count = sum(1 for s, e in spans if s >= begin and e <= begin + width)
        if count > best_count:
            best_start, best_count = begin, count
    begin = best_start
    if begin > 0:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < begin + 30 else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin + width // 2 else end
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - begin
    inside = [(s + shift, e + shift) for s, e in spans if s >= begin and e <= end]
    return prefix + text[begin:end] + suffix, inside


def old_clip(spans, start, end):
    return [(max(s, start) - start, min(e, end) - start) for s, e in spans if e > start and s < end]


class OldPage:
    """The document view with the previous highlighting and clipping, and
    the query not capped."""

    def __enter__(self):
        self.saved = [
            (reading, "find_highlights", lambda text, built: (old_highlight_spans(text, built), False)),
            (reading, "highlight_spans", old_highlight_spans),
            (reading, "first_syllables", lambda parsed, limit: (parsed, False)),
            (render, "_clip", old_clip),
            (render, "_disjoint", list),
        ]
        self.saved = [(module, name, getattr(module, name), value) for module, name, value in self.saved]
        for module, name, _, value in self.saved:
            setattr(module, name, value)

    def __exit__(self, *exc):
        for module, name, original, _ in self.saved:
            setattr(module, name, original)


# ---------------------------------------------------------------- timing


def median_time(call, repeat: int, budget: float) -> tuple[float, int]:
    times = []
    while len(times) < repeat and (not times or sum(times) < budget):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(times)


def show(label: str, old: str, new: str, ratio: str = "") -> None:
    print(f"{label:<50} {old:>18} {new:>10} {ratio:>10}")


def seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def section(matches: int, seed: int = 0) -> str:
    """A section with ``matches`` "dân vận", one every few words."""
    rng = random.Random(seed)
    filler = "công tác của các cấp ủy đảng chính quyền tăng cường phối hợp với mặt trận".split()
    words = []
    for _ in range(matches):
        words += rng.sample(filler, rng.randint(1, 4)) + ["dân", "vận"]
    return " ".join(words) + "."


def long_query(text: str, folded: bool) -> str:
    words = list(dict.fromkeys(w.lower() for w in re.findall(r"[^\W\d_]+", text)))
    q = " ".join(words[:300])[:1000]
    return fold(q) if folded else q


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--budget", type=float, default=20.0, help="seconds: fewer runs past it, no quadratic run expected past it"
    )
    args = ap.parse_args(argv)
    sample = (ROOT / "corpus" / f"{SAMPLE}.txt").read_text(encoding="utf-8")
    two_words = build_query(parse_query("dân vận"))
    pasted = build_query(parse_query(long_query(sample, folded=True)))
    print(f"long query: {len(pasted.sequences)} sequences to mark")
    show("case", "previous", "current", "ratio")

    snippet_old: dict[int, float] = {}  # matches → the previous make_snippet's median
    for what in ("make_snippet", "highlight, 2 words", "highlight, 300 words"):
        old_last = None  # (matches, seconds) of the previous size
        for matches in SIZES:
            text = section(matches)
            if what == "make_snippet":
                spans = old_highlight_spans(text, two_words)
                assert len(spans) == matches
                assert old_make_snippet(text, spans[:5_000]) == search.make_snippet(text, spans[:5_000])
                old_call = lambda: old_make_snippet(text, spans)  # noqa: E731
                new_call = lambda: search.make_snippet(text, spans)  # noqa: E731
                label = f"{what}, {matches:,} spans"
            else:
                query = two_words if what == "highlight, 2 words" else pasted
                old_call = lambda: old_make_snippet(text, old_highlight_spans(text, query))  # noqa: E731
                new_call = lambda: search.make_snippet(text, search.highlight_spans(text, query))  # noqa: E731
                label = f"{what} + snippet, {matches:,} matches"
            new, _ = median_time(new_call, args.repeat, args.budget)
            guess = 0.0
            if old_last:
                # The previous make_snippet is quadratic in the matches, its
                # highlighting linear in the text.
                grow = matches / old_last[0]
                if what == "make_snippet":
                    guess = old_last[1] * grow**2
                else:
                    guess = max(0.0, old_last[1] - snippet_old[old_last[0]]) * grow + snippet_old[matches]
            if guess > args.budget:
                show(label, f"~{seconds(guess)} (est.)", seconds(new), f"~{guess / new:.0f}×")
                if what == "make_snippet":
                    snippet_old[matches] = guess
                continue
            old, runs = median_time(old_call, args.repeat, args.budget)
            old_last = (matches, old)
            if what == "make_snippet":
                snippet_old[matches] = old
            show(label, seconds(old) + ("" if runs == args.repeat else f" ({runs})"), seconds(new), f"{old / new:.1f}×")

    from indexer.build import build_index
    from search_app import create_app

    with tempfile.TemporaryDirectory() as folder:
        build_index(ROOT / "corpus", Path(folder))
        client = create_app({"INDEX_DIR": folder}).test_client()
        for folded in (False, True):
            q = long_query(sample, folded)
            url = f"/doc/{SAMPLE}?q={quote(q)}"
            assert client.get(url).status_code == 200  # loads pyvi, fills caches
            with OldPage():
                old, runs = median_time(lambda: client.get(url), args.repeat, args.budget)
            new, _ = median_time(lambda: client.get(url), args.repeat, args.budget)
            label = f"/doc page, 1,000-char q{' without diacritics' if folded else ''}"
            show(label, seconds(old) + ("" if runs == args.repeat else f" ({runs})"), seconds(new), f"{old / new:.1f}×")
        plain = f"/doc/{SAMPLE}?q={quote('dân vận')}"
        new, _ = median_time(lambda: client.get(plain), args.repeat, args.budget)
        with OldPage():
            old, _ = median_time(lambda: client.get(plain), args.repeat, args.budget)
        show("/doc page, q=dân vận", seconds(old), seconds(new), f"{old / new:.1f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
