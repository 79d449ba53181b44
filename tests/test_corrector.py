"""The "did you mean" corrector: what a user sees, and the work it does,
which must not grow with the vocabulary."""

import doctest
import random
import string

import pytest

from indexer.schema import BODY_FIELDS
from indexer.store import open_current
from search_app import corrector as corrector_module
from search_app.corrector import MAX_COMPARED, Corrector, corrector_for
from search_app.search import search_page, warm_up

TYPOS = ("giamngheoo", "zqhidden", "ngheoo", "rungg", "tuyentruyenn", "a" * 50, "a" * 600, "xq", "nghieeng")
# Probes of one suggestion at most: the word's own deletions (a word over
# the longest filed term is not looked up) plus the cuts of a split.
MAX_LOOKUPS = 1_000


def generated(count: int, seed: int = 0) -> list[tuple[str, int]]:
    """``count`` distinct letter terms of 1–12 letters with made-up frequencies."""
    rng = random.Random(seed)
    terms = {"giam": 900, "ngheo": 800, "rung": 700, "tuyen": 600, "truyen": 500}
    while len(terms) < count:
        terms.setdefault("".join(rng.choices(string.ascii_lowercase, k=rng.randint(1, 12))), rng.randint(1, 1000))
    return list(terms.items())


def work(corrector: Corrector, word: str, max_distance: int) -> tuple[str | None, int, int]:
    before = corrector.lookups, corrector.compared
    found = corrector.suggest(word, max_distance)
    return found, corrector.lookups - before[0], corrector.compared - before[1]


def test_doctests():
    assert doctest.testmod(corrector_module).failed == 0


def test_sample_index_suggestions(opened):
    for typed, meant in (
        ("giam ngheoo", "giam ngheo"),
        ("giảm nghéo", "giảm nghèo"),
        ("tuyen truyenn", "tuyen truyen"),
        ("dân vânn", "dân vận"),
        # Run together, with or without a typo in a piece.
        ("giamngheoo", "giam ngheo"),
        ("giảmnghèo", "giảm nghèo"),
        ("tuyentruyen", "tuyen truyen"),
    ):
        assert search_page(opened, typed).suggestion == meant, typed
    for typed in ("a" * 600, "zqhidden", "abcde fghij klmno", "dân vận"):
        assert search_page(opened, typed).suggestion == "", typed


def test_frequencies_are_those_of_the_index(opened):
    reader = opened.index.reader()
    with opened.index.searcher() as searcher:
        corrector = corrector_for(opened, searcher)
    for term in ("ngheo", "giam", "dan", "van"):
        assert corrector.known[term] == reader.doc_frequency(BODY_FIELDS["folded"], term)
    assert not any(term[0].isdigit() for term in corrector.terms)  # numbers are not offered


def test_warm_up_builds_the_corrector(index_root):
    index = open_current(index_root)
    assert "corrector" not in index.cache
    warm_up(index)
    assert isinstance(index.cache["corrector"], Corrector)


def test_nearest_first_then_most_frequent():
    corrector = Corrector([("ban", 3), ("bam", 10), ("bar", 1), ("banh", 50), ("chinh", 2), ("chin", 500)])
    assert corrector.suggest("bax") == "bam"  # three at one edit: the most frequent
    assert [text for *_, text in corrector.ranked("bax", 1)] == ["bam", "ban", "bar"]
    assert corrector.suggest("chinhh", 2) == "chinh"  # one edit beats a frequent two
    assert corrector.suggest("chinhh", 1) == "chinh"
    assert corrector.suggest("cihn", 1) == "chin"  # a swap is one edit
    assert corrector.suggest("xyz") is None


def test_two_edits_only_for_long_words():
    corrector = Corrector([("dang", 10), ("nghiep", 10)])
    assert corrector.suggest("dxnx", 2) is None
    assert corrector.suggest("ngiepp", 2) == "nghiep"


def test_numbers_are_neither_corrected_nor_offered():
    corrector = Corrector([("2023", 100), ("1", 500), ("66.315,44", 3), ("nam", 5)])
    assert corrector.suggest("2o23") is None
    assert corrector.suggest("66.315,4") is None
    assert corrector.suggest("b") is None  # "1" is one edit away, but not a spelling of "b"
    assert corrector.suggest("nham") == "nam"


def test_run_together_words_are_split_into_known_syllables():
    corrector = Corrector([("giam", 900), ("ngheo", 800), ("o", 5_000), ("ben", 300), ("vung", 200)])
    assert corrector.suggest("giamngheo", 1) == "giam ngheo"  # the space is the one edit
    assert corrector.suggest("giamngheoo", 1) is None
    # A space and one more edit; not three pieces with a letter alone.
    assert corrector.suggest("giamngheoo", 2) == "giam ngheo"
    assert corrector.suggest("giamnghe", 2) == "giam ngheo"
    assert corrector.suggest("giamngheoben", 2) == "giam ngheo ben"
    assert corrector.suggest("giamngheobenvung", 2) is None  # four pieces are a sentence


def test_a_mistyped_syllable_is_not_split():
    # Most strings of letters split into short known syllables.
    corrector = Corrector([("de", 200), ("ien", 13), ("dien", 86), ("cho", 197), ("na", 28), ("chong", 5)])
    assert corrector.suggest("deien") == "dien"
    assert corrector.suggest("chona") == "chong"
    assert corrector.suggest("dedien") == "de dien"


@pytest.mark.parametrize("size", [100, 50_000])
def test_work_per_suggestion_is_bounded(size):
    corrector = Corrector(generated(size))
    for word in TYPOS:
        for max_distance in (1, 2):
            found, lookups, compared = work(corrector, word, max_distance)
            assert lookups <= MAX_LOOKUPS and compared <= MAX_COMPARED, (word, lookups, compared)
    for word in ("a" * 50, "a" * 600):
        assert work(corrector, word, 2) == (None, 0, 0)  # longer than any term: nothing looked up
    assert work(corrector, "giamngheoo", 2)[0] == "giam ngheo"


def test_work_does_not_grow_with_the_vocabulary():
    small, large = Corrector(generated(100)), Corrector(generated(50_000))
    for word in ("giamngheoo", "ngheoo", "zqhidden"):
        # The same probes whatever the vocabulary; only the splits' pieces
        # that happen to be known add a few.
        assert work(large, word, 2)[1] <= work(small, word, 2)[1] + 200
