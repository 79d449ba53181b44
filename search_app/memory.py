"""The server process's memory allocator, set for per-query arrays."""

from __future__ import annotations

import ctypes
import ctypes.util

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters


def keep_freed_memory() -> bool:
    """Keep memory freed between queries in the process (glibc only).

    A query allocates arrays of one entry per section (0.1–8 MB) and frees
    them; with glibc's adaptive thresholds the freed heap top went back to
    the system and the next query's arrays faulted fresh pages in. Fixed
    thresholds keep it (docs/benchmark-journal.md). Returns whether the
    allocator took the setting."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, 32 << 20) and libc.mallopt(_M_TRIM_THRESHOLD, 1 << 30))
    except (OSError, AttributeError, TypeError):
        return False  # not glibc: its allocator as it is
