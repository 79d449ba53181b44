"""A per-process memo for what recurs in every document: characters,
syllables, the gaps between tokens, chunks of text."""

from __future__ import annotations


class Memo(dict):
    """``func(key)`` for each key, worked out once per process.

    A dict, so that ``map(memo.__getitem__, keys)`` looks each key up in C
    (a ``functools.lru_cache`` call costs several times more, and keeps an
    order it does not need here). Past ``limit`` entries a new key is
    worked out each time it comes: memory stays bounded on any corpus."""

    def __init__(self, func, limit: int = 262144):
        super().__init__()
        self.func, self.limit = func, limit

    def __missing__(self, key):
        value = self.func(key)
        if len(self) < self.limit:
            self[key] = value
        return value
