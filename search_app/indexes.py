"""The live index for the web app: reopened when a rebuild publishes a new
generation, shared between requests until then (each request still gets its
own searcher).

With ``prepare`` (the server's search.warm_up), a new generation is opened
and prepared in a thread while requests go on being answered from the old
one, which the rebuild keeps (store.KEEP_GENERATIONS); the switch follows.
Opening and warming a generation takes seconds at 100k sections and ~20 s
at 1M, and every request used to wait for it. Without ``prepare`` the
request that notices the new generation opens it. The warm-up also runs
the searches staff made last (RecentSearches), as Solr's autowarming does,
so that their words are read before staff ask again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from analyzers.datafiles import forget_data
from indexer.store import OpenIndex, open_current, pointer

log = logging.getLogger(__name__)

# A generation that failed to open is tried again after this long, not on
# every request.
RETRY_S = 60.0


class IndexHolder:
    def __init__(self, root: Path, prepare: Callable[[OpenIndex], None] | None = None):
        self.root = root
        self._prepare = prepare
        self._lock = threading.Lock()
        self._open: OpenIndex | None = None
        self._opening: str | None = None  # the generation being prepared
        self._failed: tuple[str, float] = ("", 0.0)  # a generation that failed to open, and when

    def get(self) -> OpenIndex:
        """Raises IndexMissing when there is no usable index (IndexDamaged
        when neither the live generation nor an earlier one is sound).

        A generation is checked against its manifest's SHA-256 once, when
        opened: a damaged one is not served, an earlier sound one is."""
        name = pointer(self.root)
        with self._lock:
            if self._open is not None and self._open.pointer == name:
                return self._open
            if self._open is None or self._prepare is None:
                if self._open is not None:
                    forget_data()  # the rebuild may follow an edit of topics or abbreviations
                self._open = open_current(self.root, deep=True)
                return self._open
            failed, failed_at = self._failed
            if name != self._opening and (name != failed or time.monotonic() - failed_at > RETRY_S):
                self._opening = name
                threading.Thread(target=self._switch, args=(name,), name=f"open {name}", daemon=True).start()
            return self._open

    @property
    def warning(self) -> str:
        """Why an earlier generation is served, "" when the live one is."""
        opened = self._open
        return opened.warning if opened is not None else ""

    def _switch(self, name: str) -> None:
        try:
            opened = open_current(self.root, deep=True)  # the newest, should another have come
            self._prepare(opened)
            latest = pointer(self.root)
        except Exception:  # noqa: BLE001 - the old generation goes on serving
            log.exception("Could not open the index generation %s", name)
            with self._lock:
                self._failed = (name, time.monotonic())
                if self._opening == name:
                    self._opening = None
            return
        with self._lock:
            if self._opening == name:
                self._opening = None
            if opened.pointer != latest:
                return  # a newer one came meanwhile: its own thread switches to it
            forget_data()  # the rebuild may follow an edit of topics or abbreviations
            self._open = opened


class RecentSearches:
    """The distinct searches last answered (query text and filters)."""

    def __init__(self, size: int = 100):
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple, None] = OrderedDict()

    def add(self, text: str, filters) -> None:
        if not text.strip():
            return  # filters alone read no terms
        key = (text, filters)
        with self._lock:
            self._items[key] = None
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def newest_first(self) -> list[tuple]:
        with self._lock:
            return list(reversed(self._items))
