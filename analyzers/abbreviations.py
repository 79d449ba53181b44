"""The abbreviation list (data/abbreviations.toml), loaded in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analyzers.datafiles import DataFileError, cached_data, load_toml

DATA_FILE = Path(__file__).with_name("data") / "abbreviations.toml"


@dataclass(frozen=True)
class Abbreviation:
    short: tuple[str, ...]  # analysed syllables of the abbreviation: ("kt", "xh")
    long: tuple[str, ...]  # analysed syllables of the expansion


@cached_data
def load_abbreviations(path: Path = DATA_FILE) -> tuple[Abbreviation, ...]:
    """Each entry as syllables, analysed like the index (normalised, lower case)."""
    from analyzers import syllables

    raw = load_toml(path)
    entries = []
    for short, expansions in raw.items():
        if isinstance(expansions, str):
            expansions = [expansions]
        if not isinstance(expansions, list) or not all(isinstance(e, str) for e in expansions):
            raise DataFileError(f"{path}: '{short}' phải ứng với một chuỗi hoặc danh sách chuỗi")
        for expansion in expansions:
            entries.append(Abbreviation(tuple(syllables(short)), tuple(syllables(expansion))))
    return tuple(entries)
