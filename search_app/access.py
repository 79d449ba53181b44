"""Who reads what, on the server: a Viewer (a signed-in user, or nobody)
against each document's access (indexer.access), as a test per document
and as a mask over the sections for the engine, so that every count,
facet, suggestion and snippet is made from the readable sections only.

The command line reads the index as its owner does: it passes no Viewer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.access import INTERNAL, PUBLIC, RESTRICTED

DEFAULT_LEVELS = (PUBLIC, INTERNAL)  # a deployment's default for documents that say nothing


@dataclass(frozen=True)
class Viewer:
    name: str = ""  # "" for nobody signed in
    groups: frozenset[str] = frozenset()
    admin: bool = False
    default: str = INTERNAL  # the level of documents that say nothing

    def may_read(self, meta: dict) -> bool:
        level = meta.get("access") or self.default
        if self.admin or level == PUBLIC:
            return True
        if not self.name:
            return False
        if level == INTERNAL:
            return True
        return level == RESTRICTED and bool(self.groups.intersection(meta.get("groups") or ()))

    @property
    def key(self) -> tuple:
        """What decides what it reads: viewers with the same key read the same."""
        if self.admin:
            return ("admin",)
        return (bool(self.name), self.groups, self.default)


def readable(index, viewer: Viewer | None) -> np.ndarray | None:
    """Per catalog document (in catalog order): may ``viewer`` read it; None
    for the owner (no viewer). Made once per generation and kind of viewer."""
    if viewer is None:
        return None
    cache = index.cached("readable", dict)
    mask = cache.get(viewer.key)
    if mask is None:
        documents = index.catalog.documents
        mask = np.fromiter((viewer.may_read(d) for d in documents), dtype=bool, count=len(documents))
        if len(cache) > 256:  # many group sets: start again rather than grow
            cache.clear()
        cache[viewer.key] = mask
    return mask


def readable_documents(index, viewer: Viewer | None) -> list[dict]:
    """The catalog documents ``viewer`` may read, in catalog order."""
    mask = readable(index, viewer)
    documents = index.catalog.documents
    return documents if mask is None else [d for d, ok in zip(documents, mask) if ok]


def may_read(viewer: Viewer | None, meta: dict | None) -> bool:
    return meta is not None and (viewer is None or viewer.may_read(meta))


def readable_sections(index, columns, viewer: Viewer | None) -> np.ndarray:
    """The live sections ``viewer`` may read (every live one for the owner)."""
    documents = readable(index, viewer)
    if documents is None:
        return columns.live
    cache = index.cached("readable", dict)
    key = ("sections", viewer.key)
    mask = cache.get(key)
    if mask is None:
        mask = cache[key] = columns.live & np.append(documents, False)[columns.document_of]
    return mask
