"""Reading the TOML data files staff edit (abbreviations, topics, gazetteer).

A mistake in one of them must give a clear message naming the file and the
place, never a traceback: every loader reads through ``load_toml`` and
reports a wrong shape with ``DataFileError``.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

_CACHED: list = []


def cached_data(func):
    """Memoise a function of the data files' contents, and register it so
    ``forget_data`` can drop it when the files may have changed."""
    cached = lru_cache(maxsize=None)(func)
    _CACHED.append(cached)
    return cached


def forget_data() -> None:
    """Read the data files afresh next time (a server does this when a
    rebuilt index appears: the rebuild may follow an edit)."""
    for cached in _CACHED:
        cached.cache_clear()


class DataFileError(ValueError):
    """A data file is broken; the message (Vietnamese) says which and where."""


def load_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(f"{path}: không phải TOML hợp lệ ({error})") from None
    except OSError as error:
        raise DataFileError(f"{path}: không đọc được ({error.strerror or error})") from None
