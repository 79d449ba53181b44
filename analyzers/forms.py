"""A text's normalised lower-case and folded forms, for the indexer's
readers of running text (topic cues, citations): worked out a
white-space-free chunk at a time, once per process for every reader, since
no syllable spans a space and the same chunks recur in every document.

>>> lowered_forms(["Tỉnh", "ủy,"])
[('tỉnh', 'tinh', frozenset({'tỉnh'})), ('ủy,', 'uy,', frozenset({'ủy'}))]
"""

from __future__ import annotations

import re

from analyzers.memo import Memo
from analyzers.normalize import WORD_CHAR, fold, normalize_syllable

WORDS = re.compile(f"{WORD_CHAR}+")


def _chunk_forms(chunk: str) -> tuple[str, str, frozenset[str]]:
    lowered = normalize_syllable(chunk).lower()
    return lowered, fold(lowered), frozenset(WORDS.findall(lowered))


_CHUNKS = Memo(_chunk_forms)


def lowered_forms(chunks: list[str]) -> list[tuple[str, str, frozenset[str]]]:
    """Each chunk of NFC text (no white space inside, or only what the
    caller keeps) as (normalised lower case, that folded, its words)."""
    return list(map(_CHUNKS.__getitem__, chunks))
