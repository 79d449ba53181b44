"""Snippets and highlights stay linear and capped (issue 24).

Work is counted as Python lines executed in the module under test (a
``sys.settrace`` counter), never as wall time: the counts are the same on
any machine, and quadratic code cannot meet the ratios asked here."""

import random
import re
import sys
from urllib.parse import quote

import pytest

from analyzers.normalize import fold
from search_app import create_app, render, search
from search_app.query import MAX_MARKED_SYLLABLES, BuiltQuery, build_query, first_syllables, parse_query
from search_app.render import render_text
from search_app.search import MAX_HIGHLIGHTS, find_highlights, highlight_spans, make_snippet

B426 = "001_b7d788ee9d07cfc0"  # the 60 KB sample document


def lines_run(module, call) -> int:
    """Lines of ``module`` executed while ``call()`` runs."""
    filename = module.__file__
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename == filename else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(previous)
    return count


def built(*sequences, accented=True) -> BuiltQuery:
    return BuiltQuery(query=None, accented=accented, sequences={tuple(s.split()) for s in sequences}, numbers=set())


def reference_highlights(text, built_query):
    """The definition: at each token the longest sequence starting there,
    then the next token after it; numbers the query names; spans joined
    across spaces."""
    tokens = [
        (t.text if built_query.accented else fold(t.text), t.startchar, t.endchar)
        for t in search._SYLLABLES(text, chars=True)
    ]
    spans, i = [], 0
    while i < len(tokens):
        for sequence in sorted(built_query.sequences, key=len, reverse=True):
            n = len(sequence)
            if tuple(t[0] for t in tokens[i : i + n]) == sequence:
                spans.append((tokens[i][1], tokens[i + n - 1][2]))
                i += n
                break
        else:
            i += 1
    spans += [(m.start, m.end) for m in search.find_numbers(text) if built_query.marks_number(m.key)]
    return search._merge(sorted(spans), text)


def densest_begin(spans, width):
    """Brute force: each span's window (starting a quarter width before it),
    the first holding the most spans whole."""
    best, best_count = 0, -1
    for start, _ in spans or [(0, 0)]:
        begin = max(0, start - width // 4)
        count = sum(1 for s, e in spans if s >= begin and e <= begin + width)
        if count > best_count:
            best, best_count = begin, count
    return best, best_count


def reference_snippet(text, spans, width):
    """The densest window, cut at spaces, by brute force."""
    if len(text) <= width:
        return text, list(spans)
    begin, _ = densest_begin(spans, width)
    if begin > 0:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < begin + 30 else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin + width // 2 else end
    prefix, suffix = ("…" if begin > 0 else ""), ("…" if end < len(text) else "")
    shift = len(prefix) - begin
    inside = [(s + shift, e + shift) for s, e in spans if s >= begin and e <= end]
    return prefix + text[begin:end] + suffix, inside


def spaced_text(words: int, every: int, seed: int = 0) -> tuple[str, list[tuple[int, int]]]:
    """``words`` filler words, every ``every``-th one "vận" (a span)."""
    rng = random.Random(seed)
    parts, spans, position = [], [], 0
    for n in range(words):
        word = "vận" if n % every == 0 else rng.choice(["dân", "tộc", "kinh", "tế", "xã", "hội"])
        parts.append(word)
        if word == "vận":
            spans.append((position, position + len(word)))
        position += len(word) + 1
    return " ".join(parts), spans


# ---------------------------------------------------------------- snippets


def test_make_snippet_work_grows_linearly_with_the_matches():
    small_text, small = spaced_text(1_000, 2)
    large_text, large = spaced_text(10_000, 2)
    assert len(large) == 10 * len(small)
    small_cost = lines_run(search, lambda: make_snippet(small_text, small))
    large_cost = lines_run(search, lambda: make_snippet(large_text, large))
    # A pass over the spans for each span would make this 100.
    assert large_cost < 20 * small_cost
    assert large_cost < 20 * len(large)


@pytest.mark.parametrize("seed", range(40))
def test_snippet_is_the_densest_window(seed):
    rng = random.Random(seed)
    words = []
    for _ in range(rng.randint(50, 400)):
        words.append(rng.choice(["vận", "dân", "tộc", "xã", "hội", "phát triển", "kinh tế"]))
    if seed % 2:
        # A dense cluster far from the start.
        words[-60:-40] = ["vận"] * 20
    text = " ".join(words)
    spans = [(m.start(), m.end()) for m in re.finditer(r"vận", text)]
    width = rng.choice([40, 100, 280])
    snippet, inside = make_snippet(text, spans, width)
    assert (snippet, inside) == reference_snippet(text, spans, width)
    # Every span shown is marked, at its place in the snippet.
    assert all(snippet[s:e] == "vận" for s, e in inside)
    assert len(inside) == snippet.count("vận")
    if len(text) > width:
        # Cutting at spaces may lose a span at either edge, never more.
        assert len(inside) >= densest_begin(spans, width)[1] - 2


def test_snippet_picks_the_cluster_over_scattered_matches():
    text, _ = spaced_text(2_000, 50)
    cluster = " ".join(["vận"] * 30)
    text = text[:5_000] + " " + cluster + " " + text[5_000:]
    spans = [(m.start(), m.end()) for m in re.finditer("vận", text)]
    snippet, inside = make_snippet(text, spans)
    assert cluster[:200] in snippet and len(inside) >= 30


# ---------------------------------------------------------------- highlights


def test_highlight_work_does_not_grow_with_the_number_of_sequences():
    text, _ = spaced_text(3_000, 7)
    syllables = ["dân", "tộc", "kinh", "tế", "xã", "hội", "vận"]
    rng = random.Random(3)

    def query(size):
        sequences = {"vận"}
        while len(sequences) < size:
            sequences.add(f"{rng.choice(syllables)} mới{len(sequences)}")
        return built(*sequences)

    few, many = query(10), query(100)
    few_cost = lines_run(search, lambda: highlight_spans(text, few))
    many_cost = lines_run(search, lambda: highlight_spans(text, many))
    # Trying every sequence at every token would make this about 10.
    assert many_cost < 3 * few_cost
    assert highlight_spans(text, many) == highlight_spans(text, few) == reference_highlights(text, few)


def test_highlight_work_grows_linearly_with_the_text():
    query = built("vận", "dân tộc", "kinh tế xã hội", "xã")
    small, _ = spaced_text(1_000, 50)
    large, _ = spaced_text(10_000, 50)
    small_cost = lines_run(search, lambda: highlight_spans(small, query))
    large_cost = lines_run(search, lambda: highlight_spans(large, query))
    assert large_cost < 15 * small_cost


def test_highlight_work_stops_at_the_cap():
    query = built("vận")
    large, _ = spaced_text(20 * MAX_HIGHLIGHTS, 2)
    huge, _ = spaced_text(200 * MAX_HIGHLIGHTS, 2)
    large_cost = lines_run(search, lambda: highlight_spans(large, query))
    huge_cost = lines_run(search, lambda: highlight_spans(huge, query))
    # Past the cap the rest of the text is not even read.
    assert huge_cost < 1.2 * large_cost
    assert highlight_spans(huge, query) == highlight_spans(large, query)


@pytest.mark.parametrize("seed", range(60))
def test_highlights_match_the_definition(seed):
    rng = random.Random(seed)
    vocabulary = "dân vận tộc thiểu số bảo vệ rừng kinh tế xã hội và 69-KL/TU 1219/QĐ-TTg".split()
    words = [rng.choice(vocabulary) for _ in range(rng.randint(0, 60))]
    text = " ".join(w + rng.choice(["", "", ",", ".\n", " -"]) for w in words)
    q = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 6)))
    if seed % 3 == 0:
        q = f'"{q}" {rng.choice(vocabulary)}'
    if seed % 4 == 1:
        q = fold(q)
    query = build_query(parse_query(q))
    assert highlight_spans(text, query) == reference_highlights(text, query)


def test_longest_sequence_wins_and_phrases_stay_whole():
    query = built("dân", "dân tộc", "dân tộc thiểu số", "số")
    text = "vùng dân tộc thiểu số, dân tộc kinh, dân cư, số liệu"
    marked = [text[s:e] for s, e in highlight_spans(text, query)]
    assert marked == ["dân tộc thiểu số", "dân tộc", "dân", "số"]


def test_highlights_are_capped_from_the_start_of_the_text():
    occurrences = 3 * MAX_HIGHLIGHTS
    text = ", ".join(["vận"] * occurrences)  # commas: the marks are not joined
    query = built("vận")
    spans, cut = find_highlights(text, query)
    assert cut and len(spans) == MAX_HIGHLIGHTS
    assert spans == reference_highlights(text, query)[:MAX_HIGHLIGHTS]
    assert highlight_spans(text, query) == spans
    # The search's snippet still comes out of it.
    snippet, inside = make_snippet(text, spans)
    assert inside and all(snippet[s:e] == "vận" for s, e in inside)


def test_uncapped_text_says_nothing_was_left_out():
    spans, cut = find_highlights("dân vận, dân vận", built("dân vận"))
    assert len(spans) == 2 and not cut


def test_number_marks_are_capped_with_the_words():
    text = ", ".join(["69-KL/TU vận"] * (MAX_HIGHLIGHTS + 10))
    query = BuiltQuery(query=None, accented=True, sequences={("vận",)}, numbers={"69-KL/TU"})
    spans, cut = find_highlights(text, query)
    assert cut and len(spans) <= MAX_HIGHLIGHTS
    # Whatever is kept is the start of the full marking.
    assert spans == reference_highlights(text, query)[: len(spans)]


# ---------------------------------------------------------------- rendering


def numbered_lines(count: int) -> tuple[str, list[tuple[int, int]]]:
    lines, spans, offset = [], [], 0
    for n in range(count):
        line = f"Dòng {n}: công tác dân vận | ô {n}" if n % 5 == 0 else f"- Dòng {n}: công tác dân vận."
        start = offset + line.index("dân vận")
        spans.append((start, start + len("dân vận")))
        lines.append(line)
        offset += len(line) + 1
    return "\n".join(lines), spans


def test_render_text_work_grows_linearly_with_lines_and_spans():
    small_text, small = numbered_lines(200)
    large_text, large = numbered_lines(2_000)
    small_cost = lines_run(render, lambda: render_text(small_text, small))
    large_cost = lines_run(render, lambda: render_text(large_text, large))
    # Clipping every span for every line would make this 100.
    assert large_cost < 20 * small_cost


def test_render_text_marks_every_span_in_its_line_or_cell():
    text, spans = numbered_lines(300)
    html = str(render_text(text, spans))
    assert html.count("<mark>dân vận</mark>") == len(spans)
    assert html.count("<li>") == 240 and html.count("<table>") == 60


def test_clip_keeps_the_spans_crossing_the_range():
    spans = [(0, 4), (6, 10), (12, 20), (25, 30)]
    assert render._clip(spans, 8, 26) == [(0, 2), (4, 12), (17, 18)]
    assert render._clip(spans, 20, 25) == []
    assert render._clip([], 0, 10) == []


def test_overlapping_spans_are_marked_once():
    html = str(render_text("công tác dân vận", [(9, 16), (0, 8), (13, 16)]))
    assert html == "<p><mark>công tác</mark> <mark>dân vận</mark></p>"


# ---------------------------------------------------------------- document page


@pytest.fixture(scope="module")
def client(index_root):
    return create_app({"INDEX_DIR": str(index_root), "TESTING": True}).test_client()


def _document_words() -> list[str]:
    from tests.conftest import CORPUS

    text = (CORPUS / f"{B426}.txt").read_text(encoding="utf-8")
    return list(dict.fromkeys(w.lower() for w in re.findall(r"[^\W\d_]+", text)))


LONG_NOTE = f"chỉ tô sáng các từ trong {MAX_MARKED_SYLLABLES} tiếng đầu"


@pytest.mark.parametrize(
    "q",
    [
        "a" * 1000,
        "a " * 500,
        "a" * 3000,
        '"' + "dân vận " * 120 + '"',
        " ".join(f"{n}-KL/TU" for n in range(1, 120)),
        " ".join(f'"{"dân " * n}"' for n in range(1, 40)),
    ],
    ids=["one-word", "one-letter-words", "over-the-limit", "long-phrase", "numbers", "phrases"],
)
def test_long_queries_give_a_document_page(client, q):
    response = client.get(f"/doc/{B426}?q=" + quote(q))
    assert response.status_code == 200


@pytest.mark.parametrize("folded", [False, True], ids=["accented", "folded"])
def test_a_long_query_marks_its_first_words_and_says_so(client, folded):
    words = _document_words()[:300]
    q = " ".join(words)[:1000]
    if folded:
        q = fold(q)
    page = client.get(f"/doc/{B426}?q=" + quote(q)).get_data(as_text=True)
    assert LONG_NOTE in page
    marked = {m.lower() for m in re.findall(r"<mark>(.*?)</mark>", page)}
    first = fold(words[0]) if folded else words[0]
    assert any(first in (fold(m) if folded else m).split() for m in marked)


def test_the_highlighted_query_is_capped(opened):
    from search_app import reading
    from search_app.documents import document_sections, find_document

    sections = document_sections(opened, find_document(opened, B426))
    q = " ".join(_document_words()[:300])[:1000]
    query, notes = reading._highlighter(q, sections)
    assert notes == [reading.LONG_QUERY_NOTE]
    # The words after the first syllables are not looked for.
    syllables = parse_query(q).all_syllables
    kept = {*syllables[:MAX_MARKED_SYLLABLES], *map(fold, syllables[:MAX_MARKED_SYLLABLES])}
    dropped = {s for s in syllables[MAX_MARKED_SYLLABLES:] if s not in kept and fold(s) not in kept}
    assert len(dropped) > 50
    assert not dropped & {s for sequence in query.sequences for s in sequence}
    # Sides of OR count too: 60 × 3 syllables are past the cap.
    either, notes = reading._highlighter(" OR ".join(["dân vận khéo"] * 60), sections)
    assert notes == [reading.LONG_QUERY_NOTE]
    capped, dropped = first_syllables(parse_query(" OR ".join(["dân vận khéo"] * 60)), MAX_MARKED_SYLLABLES)
    assert dropped and len(capped.all_syllables) == MAX_MARKED_SYLLABLES
    short, notes = reading._highlighter("dân vận", sections)
    assert notes == [] and {("dân", "vận"), ("dan", "van")} & short.sequences


def test_a_short_query_has_no_note(client):
    page = client.get(f"/doc/{B426}?q=" + quote("công tác dân vận")).get_data(as_text=True)
    assert "<mark>" in page and LONG_NOTE not in page


@pytest.mark.parametrize("q, marker", [("mô hình Móc khóa an ninh", "25"), ("tỷ lệ che phủ rừng", "22")])
def test_a_match_in_a_footnote_shows_that_note(client, q, marker):
    """The section holds the words in a note: the snippet is the note, with its
    marker, the API lists the notes and says which matched, the page shows them."""
    data = client.get("/api/search?q=" + quote(q)).get_json()
    hit = next(r for r in data["results"] if any(n["marker"] == marker and n["matched"] for n in r["footnotes"]))
    assert "footnotes" in hit["matched_in"]
    assert hit["snippet_html"].startswith(f"[{marker}] ") and "<mark>" in hit["snippet_html"]
    assert all(set(n) == {"marker", "text", "matched"} for n in hit["footnotes"])
    page = client.get("/?q=" + quote(q)).get_data(as_text=True)
    notes = re.findall(r'<ul class="matched-notes"[^>]*>(.*?)</ul>', page, re.S)
    assert any(f"<sup>{marker}</sup>" in block and "<mark>" in block for block in notes)


def test_a_partial_match_names_the_words_it_lacks(client):
    """ "máy bay chiến đấu": only "chiến đấu" is in the corpus; the results say
    so, passage by passage, the missing words struck through."""
    data = client.get("/api/search?q=" + quote("máy bay chiến đấu")).get_json()
    assert data["total"] > 0 and any("không có đoạn nào chứa đủ" in n.lower() for n in data["notes"])
    assert all(r["missing"] == ["máy bay"] for r in data["results"])
    page = client.get("/?q=" + quote("máy bay chiến đấu")).get_data(as_text=True)
    assert '<p class="missing">Không có từ: <s>máy bay</s></p>' in page
    whole = client.get("/api/search?q=" + quote("dân vận")).get_json()
    assert all(r["missing"] == [] for r in whole["results"])
