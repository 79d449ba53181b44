"""The live index for the web app: reopened when a rebuild publishes a new
generation, shared between requests until then (each request still gets its
own searcher)."""

from __future__ import annotations

import threading
from pathlib import Path

from analyzers.datafiles import forget_data
from indexer.store import OpenIndex, current_generation, open_current


class IndexHolder:
    def __init__(self, root: Path):
        self.root = root
        self._lock = threading.Lock()
        self._open: OpenIndex | None = None

    def get(self) -> OpenIndex:
        """Raises IndexMissing when there is no usable index."""
        name = current_generation(self.root).name
        with self._lock:
            if self._open is None or self._open.generation != name:
                if self._open is not None:
                    forget_data()  # the rebuild may follow an edit of topics or abbreviations
                self._open = open_current(self.root)
            return self._open
