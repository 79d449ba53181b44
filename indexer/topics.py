"""The closed topic list (data/topics.toml), loaded in one place, and the
cue-phrase matcher that assigns topics to a text.

>>> topics_for("Vận động nhân dân bảo vệ rừng, phòng chống cháy rừng")
['Rừng và môi trường']
>>> section_topics("Vận động nhân dân bảo vệ rừng, phòng chống cháy rừng")
['Rừng và môi trường']
>>> section_topics("Họp bàn về giảm nghèo và bảo vệ rừng.")
[]
>>> topics_for("Trien khai phong trao Binh dan hoc vu so")
['Chuyển đổi số']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analyzers.datafiles import DataFileError, cached_data, load_toml
from analyzers.forms import WORDS as _WORDS
from analyzers.forms import lowered_forms
from analyzers.normalize import WORD_CHAR, fold, has_diacritics, nfc, normalize_text

DATA_FILE = Path(__file__).with_name("data") / "topics.toml"


@dataclass(frozen=True)
class Topic:
    label: str
    cues: tuple[str, ...]


def _cue_pattern(cue: str) -> str:
    """Whole-word, flexible spacing; "kinh tế - xã hội" also matches "kinh tế-xã hội"."""
    words = cue.split()
    pattern = r"\s+".join(re.escape(word) for word in words)
    pattern = pattern.replace(r"\s+\-\s+", r"\s*[-–]\s*")
    # Footnote markers (¹ ⁴) glued to a cue do not make it part of a longer word.
    head = re.escape(words[0])
    if re.fullmatch(f"{WORD_CHAR}+", words[0]) and pattern.startswith(head):
        # The check of the character before the cue goes after its first
        # word, so that the pattern starts with that word and re scans for
        # it as a literal instead of trying the look-behind at every position.
        return head + rf"(?<!{WORD_CHAR}.{{{len(words[0])}}})" + pattern[len(head) :] + rf"(?!{WORD_CHAR})"
    return rf"(?<!{WORD_CHAR})" + pattern + rf"(?!{WORD_CHAR})"


@cached_data
def load_topics(path: Path = DATA_FILE) -> tuple[Topic, ...]:
    raw = load_toml(path)
    topics = []
    for entry in raw.get("topic", []):
        label, cues = entry.get("label"), entry.get("cues")
        if not isinstance(label, str) or not isinstance(cues, list) or not all(
            isinstance(c, str) and c.strip() for c in cues
        ):
            raise DataFileError(f"{path}: mỗi [[topic]] cần label và danh sách cues")
        topics.append(Topic(normalize_text(label), tuple(normalize_text(c) for c in cues)))
    return tuple(topics)


@dataclass(frozen=True)
class _Cue:
    exact: re.Pattern  # the cue as written (lower case, one tone style)
    loose: re.Pattern | None  # without diacritics; None for a cue that has none
    # What any match holds as is, once white space is collapsed: the cue
    # itself, or for "kinh tế - xã hội" its longest side of the dash. A
    # text without it is skipped without running the patterns.
    needle: str
    loose_needle: str
    # Its words (runs of letters and digits): a match holds each of them as
    # a word of the text, so a text lacking one is skipped at once.
    words: frozenset[str]
    loose_words: frozenset[str]


@cached_data
def _compiled(path: Path = DATA_FILE) -> tuple[tuple[str, tuple[_Cue, ...]], ...]:
    """Per topic, its cues ready to match, lower case."""
    result = []
    for topic in load_topics(path):
        cues = []
        for cue in topic.cues:
            lower = cue.lower()
            # A cue without diacritics ("ocop") is already matched by the exact pass.
            loose = re.compile(_cue_pattern(fold(lower))) if has_diacritics(lower) else None
            needle = max((" ".join(part.split()) for part in re.split(r"\s[-–]\s", lower)), key=len)
            folded = fold(lower)
            words, loose_words = frozenset(_WORDS.findall(lower)), frozenset(_WORDS.findall(folded))
            cues.append(_Cue(re.compile(_cue_pattern(lower)), loose, needle, fold(needle), words, loose_words))
        result.append((topic.label, tuple(cues)))
    return tuple(result)




@dataclass(frozen=True)
class _CueIndex:
    labels: tuple[str, ...]
    # First word -> (label, cue): a text is only tried on the cues whose
    # first word it holds. A cue without a word is always tried.
    exact: dict[str, list[tuple[str, _Cue]]]
    loose: dict[str, list[tuple[str, _Cue]]]
    exact_always: list[tuple[str, _Cue]]
    loose_always: list[tuple[str, _Cue]]


@cached_data
def _cue_index(path: Path = DATA_FILE) -> _CueIndex:
    index = _CueIndex(tuple(label for label, _ in _compiled(path)), {}, {}, [], [])
    for label, cues in _compiled(path):
        for cue in cues:
            first = _WORDS.findall(cue.needle)
            (index.exact.setdefault(first[0], []) if first else index.exact_always).append((label, cue))
            if cue.loose is not None:
                first = _WORDS.findall(cue.loose_needle)
                (index.loose.setdefault(first[0], []) if first else index.loose_always).append((label, cue))
    return index


def count_cues(text: str, path: Path = DATA_FILE) -> dict[str, int]:
    """Label -> number of cue occurrences in ``text``."""
    # One tone style, so "hoá" meets "hóa"; white space collapsed, which
    # changes no match (cue words are joined by \s+ or \s*-\s*, and a
    # cue ends where a word does).
    forms = lowered_forms(nfc(text).split())  # no word spans white space
    accented = " ".join([form[0] for form in forms])
    words = frozenset().union(*[form[2] for form in forms])
    index = _cue_index(path)
    counts = dict.fromkeys(index.labels, 0)
    exact = [entry for word in words & index.exact.keys() for entry in index.exact[word]]
    for label, cue in exact + index.exact_always:
        if cue.words <= words and cue.needle in accented:
            counts[label] += sum(1 for _ in cue.exact.finditer(accented))
    # Text typed without diacritics matches the folded cue. Text that has
    # them must match exactly: folded "rung" would also meet "rung" (shake).
    # So a match counts only where the text is as folded: its words are
    # then the text's own words, which picks the cues worth trying.
    loose = [entry for word in words & index.loose.keys() for entry in index.loose[word]]
    loose = [(label, cue) for label, cue in loose + index.loose_always if cue.loose_words <= words]
    if not loose:
        return counts
    folded = " ".join([form[1] for form in forms])
    if len(folded) != len(accented):  # offsets would not align
        return counts
    for label, cue in loose:
        if cue.loose_needle in folded:
            for m in cue.loose.finditer(folded):
                if not has_diacritics(accented[m.start() : m.end()]):
                    counts[label] += 1
    return counts


def topics_for(text: str, min_hits: int = 1) -> list[str]:
    """Labels (in file order) with at least ``min_hits`` cue occurrences."""
    return above(count_cues(text), min_hits)


def above(counts: dict[str, int], min_hits: int) -> list[str]:
    return [label for label, hits in counts.items() if hits >= min_hits]


# A section is about a topic when its cues occur at least twice: one
# mention in passing ("…, giảm nghèo, …") is not a subject. Against 78
# sections labelled by hand (tests/data/topic_labels.toml), one run:
# 1 hit P 0.441 R 1.000; 2 hits P 0.595 R 0.904; 3 hits P 0.716 R 0.750.
SECTION_MIN_CUES = 2


def section_labels(counts: dict[str, int]) -> list[str]:
    """A section's topics, from its cue counts (count_cues)."""
    return above(counts, SECTION_MIN_CUES)


def section_topics(text: str) -> list[str]:
    return section_labels(count_cues(text))


def document_topics(sections: list[dict[str, int]]) -> list[str]:
    """The union of a document's section topics (each section's cue counts,
    as count_cues gives them), strongest (most cue hits in all its sections)
    first."""
    union = {label for counts in sections for label in section_labels(counts)}
    totals = dict.fromkeys(label for label, _ in _compiled(DATA_FILE))  # file order breaks ties
    for label in totals:
        totals[label] = sum(counts.get(label, 0) for counts in sections)
    return [label for label in sorted(totals, key=lambda label: -totals[label]) if label in union]
