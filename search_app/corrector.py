"""Spelling suggestions whose cost does not grow with the vocabulary.

Whoosh's corrector measures the edit distance from the typed word to every
term of the field. This one is a symmetric-delete index (SymSpell's idea):
each term is filed under the strings left by deleting up to two of its
letters, so the terms within two edits of a word are found by looking up
the word's own deletions, and only those few are compared.

Terms of the folded field are single syllables without diacritics
("giam", "ngheo"), numbers, and the odd foreign or run-together word. A
word typed without a space ("giamngheo") is also offered split into known
syllables (SymSpell's word segmentation, bounded to three pieces), each
space counting as an edit, as SymSpell's lookup_compound counts it. At
equal cost one term beats a split: most strings of letters split into
short syllables ("deien" is "dien" mistyped, not "de ien"). Numbers are
neither corrected nor offered: another number is not a spelling of the
one typed.
"""

from __future__ import annotations

import logging
import re
import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from engine import term_frequencies
from indexer.schema import BODY_FIELDS
from indexer.store import OpenIndex

log = logging.getLogger(__name__)

# Two edits only for words this long: "abcde" is not "bcd". Terms shorter
# than TWO_EDITS_FROM - 2 then never need their two-letter deletions.
TWO_EDITS_FROM = 6
MAX_DISTANCE = 2
# Longer terms are not filed (a term of n letters has ~n²/2 deletions):
# beyond this they are run-together or OCR debris, not what anyone means.
MAX_TERM_CHARS = 20
# Pieces of a split are syllables: the longest folded one ("nghieng") has
# 7 letters, one more for a typed letter.
MAX_PIECE_CHARS = 8
MAX_SPLIT_CHARS = 3 * MAX_PIECE_CHARS
# Distances computed per suggestion at most: a dense neighbourhood of
# short syllables must not make one query slow.
MAX_COMPARED = 400

_DIGIT = re.compile(r"\d")


@dataclass
class _Work:
    """What one suggestion did: index lookups and distances computed."""

    lookups: int = 0
    compared: int = 0


def distance(a: str, b: str, limit: int) -> int:
    """Edit distance with an adjacent swap counting as one edit (optimal
    string alignment), or ``limit + 1`` when it is over ``limit``.

    >>> distance("ngheo", "nghoe", 2), distance("ngheo", "ngoe", 2), distance("abc", "xyz", 1)
    (1, 2, 2)
    """
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    # A typo is local: the common ends cost nothing and need no table.
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    a, b = a[start:end_a], b[start:end_b]
    if not a or not b:
        return len(a) + len(b) if len(a) + len(b) <= limit else limit + 1
    before = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, before[j - 2] + 1)
            row[j] = value
        if min(row) > limit:
            return limit + 1
        before, previous = previous, row
    return previous[-1] if previous[-1] <= limit else limit + 1


def deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string left by deleting up to ``depth`` letters.

    >>> sorted(deletions("abc", 1))
    ['ab', 'abc', 'ac', 'bc']
    """
    found = {word}
    layer = {word}
    for _ in range(depth):
        layer = {w[:i] + w[i + 1 :] for w in layer for i in range(len(w))}
        found |= layer
    return found


def _filed(term: str) -> set[str]:
    """The keys a term is filed under: itself and its deletions, two only
    where a word of TWO_EDITS_FROM letters can reach (deletions() unrolled:
    this runs for every term of the index)."""
    n = len(term)
    if n < TWO_EDITS_FROM - MAX_DISTANCE:
        return {term[:i] + term[i + 1 :] for i in range(n + 1)}
    return {term[:i] + term[i + 1 : j] + term[j + 1 :] for i in range(n + 1) for j in range(i, n + 1)}


class Corrector:
    """Nearest known terms of one field, ranked by distance, then by how many
    sections hold them.

    Built once per index generation from (term, document frequency) pairs.
    ``lookups`` and ``compared`` count the work done so far (for tests and
    benchmarks; not exact under concurrent use)."""

    def __init__(self, terms: Iterable[tuple[str, int]]):
        started = time.perf_counter()
        self.terms: list[str] = []
        frequencies = []
        self.known: dict[str, int] = {}  # letter term → document frequency
        hashes = array("q")
        owners = array("i")
        for term, frequency in terms:
            if not term or _DIGIT.search(term):
                continue
            self.known[term] = frequency
            if len(term) > MAX_TERM_CHARS:
                continue
            number = len(self.terms)
            self.terms.append(term)
            frequencies.append(frequency)
            keys = _filed(term)
            hashes.extend(map(hash, keys))
            owners.extend([number] * len(keys))
        self.frequency = frequencies
        self.longest = max(map(len, self.terms), default=0)
        # Sorted hashes of the deletions, with the term each came from: a
        # dict of millions of strings would cost gigabytes. A collision only
        # adds a candidate, which the distance then rejects.
        keys = np.frombuffer(hashes, dtype=np.int64) if hashes else np.zeros(0, np.int64)
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._owners = (np.frombuffer(owners, dtype=np.int32) if owners else np.zeros(0, np.int32))[order]
        self.lookups = 0
        self.compared = 0
        self.build_seconds = time.perf_counter() - started

    @classmethod
    def of_field(cls, searcher, fieldname: str) -> Corrector:
        """The corrector of ``fieldname``'s terms in the index."""
        corrector = cls(term_frequencies(searcher, fieldname).items())
        log.info(
            "Spelling index of %s: %d terms, %d deletions in %.1f s",
            fieldname, len(corrector.terms), len(corrector._keys), corrector.build_seconds,
        )  # fmt: skip
        return corrector

    @property
    def size_bytes(self) -> int:
        """Memory held by the deletion arrays."""
        return self._keys.nbytes + self._owners.nbytes

    # ------------------------------------------------------------ suggesting

    def suggest(self, word: str, max_distance: int = 1) -> str | None:
        """The best known term within ``max_distance`` edits of ``word``, or
        its best split into known syllables within as many edits, spaces
        included ("giamngheo" → "giam ngheo"); None when there is neither.

        Two edits only for words of TWO_EDITS_FROM letters or more; words
        with digits, and words longer than any term, get None at once."""
        ranked = self.ranked(word, max_distance, limit=1)
        return ranked[0][-1] if ranked else None

    def ranked(self, word: str, max_distance: int = 1, limit: int = 5) -> list[tuple[int, int, int, str]]:
        """The ``limit`` best suggestions as (edits, pieces, -frequency,
        text), best first. A split's edits count its spaces, its frequency
        is its rarest piece's."""
        work = _Work()
        if len(word) < TWO_EDITS_FROM:
            max_distance = min(max_distance, 1)
        max_distance = min(max_distance, MAX_DISTANCE)
        found = []
        if max_distance >= 1 and not _DIGIT.search(word):
            found = [(edits, 1, -frequency, term) for edits, frequency, term in self._near(word, max_distance, work)]
            found += self._splits(word, max_distance, work)
        self.lookups += work.lookups
        self.compared += work.compared
        return sorted(set(found))[:limit]

    def _near(self, word: str, max_distance: int, work: _Work) -> list[tuple[int, int, str]]:
        """Known terms within ``max_distance`` of ``word`` as (distance,
        frequency, term)."""
        if len(word) - max_distance > self.longest:
            return []
        # Fewest deletions first: when MAX_COMPARED cuts the search short,
        # the nearest candidates have been seen.
        probes = sorted(deletions(word, max_distance), key=lambda key: (-len(key), key))
        work.lookups += len(probes)
        wanted = np.fromiter(map(hash, probes), dtype=np.int64, count=len(probes))
        starts = np.searchsorted(self._keys, wanted, "left")
        stops = np.searchsorted(self._keys, wanted, "right")
        seen: set[int] = set()
        found = []
        for key, start, stop in zip(probes, starts.tolist(), stops.tolist()):
            for number in self._owners[start:stop].tolist():
                term = self.terms[number]
                # A term filed under more deletions than max_distance is
                # at least that many edits away.
                if number in seen or len(term) - len(key) > max_distance:
                    continue
                seen.add(number)
                if work.compared >= MAX_COMPARED:
                    return found
                work.compared += 1
                edits = distance(word, term, max_distance)
                if 0 < edits <= max_distance:
                    found.append((edits, self.frequency[number], term))
        return found

    def _best_near(self, piece: str, work: _Work) -> tuple[int, int, str] | None:
        """The best term one edit from a piece of a split, or None."""
        if len(piece) < 3:
            return None  # one edit from two letters is anything
        near = self._near(piece, 1, work)
        return min(near, key=lambda item: (item[0], -item[1], item[2])) if near else None

    def _splits(self, word: str, max_distance: int, work: _Work) -> list[tuple[int, int, int, str]]:
        """``word`` as known syllables run together, each space an edit: two
        exact pieces; with two edits allowed, also two pieces one of which
        is one edit from a known one, or three exact pieces. Pieces have 2
        to MAX_PIECE_CHARS letters: a single letter fits anywhere."""
        if not 4 <= len(word) <= MAX_SPLIT_CHARS:
            return []
        known = self.known
        found = []
        for cut in range(max(2, len(word) - MAX_PIECE_CHARS), min(len(word) - 1, MAX_PIECE_CHARS + 1)):
            left, right = word[:cut], word[cut:]
            work.lookups += 2
            left_count, right_count = known.get(left, 0), known.get(right, 0)
            if left_count and right_count:
                found.append((1, 2, -min(left_count, right_count), f"{left} {right}"))
            elif max_distance < 2:
                continue
            elif left_count and (near := self._best_near(right, work)):
                found.append((2, 2, -min(left_count, near[1]), f"{left} {near[2]}"))
            elif right_count and (near := self._best_near(left, work)):
                found.append((2, 2, -min(near[1], right_count), f"{near[2]} {right}"))
        if max_distance < 2:
            return found
        for first in range(2, min(len(word) - 3, MAX_PIECE_CHARS + 1)):
            work.lookups += 1
            first_count = known.get(word[:first], 0)
            if not first_count:
                continue
            # The middle and last pieces have 2 to MAX_PIECE_CHARS letters.
            lowest, highest = max(first + 2, len(word) - MAX_PIECE_CHARS), min(len(word) - 2, first + MAX_PIECE_CHARS)
            for second in range(lowest, highest + 1):
                work.lookups += 2
                middle, last = word[first:second], word[second:]
                middle_count, last_count = known.get(middle, 0), known.get(last, 0)
                if middle_count and last_count:
                    rarest = min(first_count, middle_count, last_count)
                    found.append((2, 3, -rarest, f"{word[:first]} {middle} {last}"))
        return found


def corrector_for(index: OpenIndex, searcher) -> Corrector:
    """The corrector of the index's folded body field, built once per index
    generation (``searcher`` is one of its searchers)."""
    return index.cached("corrector", lambda: Corrector.of_field(searcher, BODY_FIELDS["folded"]))
