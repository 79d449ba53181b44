"""Parsing stays linear in the size of one document (issue 24): a paragraph
of many lines, many paragraphs joined across page breaks, thousands of
sections of one name. The work is counted (characters of text put together
by the parser's joins), not timed: doubling the input at most doubles it."""

from pathlib import Path

import pytest

import indexer.parser as parser
from indexer.parser import parse_document


@pytest.fixture
def joined(monkeypatch):
    """Characters the parser's paragraph and unit joins put together."""
    count = {"chars": 0}
    for cls, name in ((parser._Unit, "raw"), (parser._Para, "text")):
        original = getattr(cls, name)

        def counted(self, _get=original.fget):
            value = _get(self)
            count["chars"] += len(value)
            return value

        monkeypatch.setattr(cls, name, property(counted))
    return count


def _lines(n):  # one paragraph, soft-wrapped over n lines
    return "Kết luận\n\n" + "\n".join(f"dòng thứ {i} của đoạn văn không có dấu chấm" for i in range(n)) + "\n"


def _blocks(n):  # n blocks, each going on from the one before (a page break)
    return "Kết luận\n\n" + "\n\n".join(f"dòng thứ {i} của đoạn văn không có dấu chấm" for i in range(n)) + "\n"


@pytest.mark.parametrize("make", [_lines, _blocks], ids=["lines", "blocks"])
def test_joining_a_long_paragraph_is_linear(joined, make):
    work = []
    for n in (2000, 4000):
        joined["chars"] = 0
        document = parse_document("x", make(n), Path("x.txt"))
        work.append(joined["chars"] / len(make(n)))
        assert f"dòng thứ {n - 1} của đoạn văn" in document.sections[0].text
    # Characters joined per character of input: the same at twice the size.
    assert work[1] < 1.2 * work[0] and work[1] < 20


def test_sections_of_one_name_get_distinct_ids_without_rescanning():
    text = "Kết luận\n\n" + "\n\n".join("# Nhiệm vụ" for _ in range(3000)) + "\n"
    ids = [s.section_id for s in parse_document("x", text, Path("x.txt")).sections]
    assert len(ids) == len(set(ids)) > 2900
    assert ids[1:4] == ["nhiem-vu", "nhiem-vu-2", "nhiem-vu-3"]

    probes = {"n": 0}

    class Used(set):
        def __contains__(self, item):
            probes["n"] += 1
            return super().__contains__(item)

    used, tried = Used(), {}
    made = [parser._unique("nhiem-vu", used, tried) for _ in range(3000)]
    assert made[-1] == "nhiem-vu-3000"
    assert probes["n"] < 2 * 3000  # one or two look-ups per id, not one per id before it
