"""Issuers: one canonical name per body, whatever the spelling or case in
the text, and the body's level (Trung ương, Tỉnh, Huyện, Cơ sở). The words
and levels are data (data/issuers.toml), loaded here.

>>> canonical_issuer("BAN THƯỜNG VỤ TỈNH UỶ LAI CHÂU")
'Ban Thường vụ Tỉnh ủy Lai Châu'
>>> canonical_issuer("BTV  tỉnh ủy"), canonical_issuer("huyện ủy tam đường")
('Ban Thường vụ Tỉnh ủy', 'Huyện ủy Tam Đường')
>>> issuer_level("Ban Thường vụ Đảng ủy UBND tỉnh Lai Châu"), issuer_level("Bộ Chính trị")
('Tỉnh', 'Trung ương')
"""

from __future__ import annotations

import re
from pathlib import Path

from analyzers.datafiles import DataFileError, cached_data, load_toml
from analyzers.normalize import fold_key, normalize_text

DATA_FILE = Path(__file__).with_name("data") / "issuers.toml"
LEVELS = ("Trung ương", "Tỉnh", "Huyện", "Cơ sở")
_LONGEST = 5  # words in the longest phrase worth looking for


@cached_data
def _data(path: Path = DATA_FILE) -> tuple[dict[str, str], tuple[tuple[str, tuple[str, ...]], ...]]:
    raw = load_toml(path)
    names = raw.get("names", {})
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise DataFileError(f"{path}: [names] cần các cặp \"cụm từ\" = \"cách viết\"")
    levels = []
    for entry in raw.get("level", []):
        name, phrases = entry.get("name"), entry.get("phrases")
        if name not in LEVELS or not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise DataFileError(f"{path}: mỗi [[level]] cần name (một trong {', '.join(LEVELS)}) và phrases")
        levels.append((name, tuple(fold_key(p) for p in phrases)))
    return {fold_key(k): normalize_text(v) for k, v in names.items()}, tuple(levels)


def canonical_issuer(name: str) -> str:
    """The body's name as the index writes it: listed phrases in their
    canonical spelling, one tone style, single spaces."""
    words = normalize_text(name).split()
    if not words:
        return ""
    letters = "".join(ch for ch in name if ch.isalpha())
    flat = letters.isupper() or letters.islower()  # no case to trust
    names, _ = _data()
    out, i = [], 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            phrase = names.get(fold_key(" ".join(words[i : i + size])))
            if phrase is not None:
                out.append(phrase)
                i += size
                break
        else:
            word = words[i]
            out.append(word[0].upper() + word[1:].lower() if flat else word)
            i += 1
    return " ".join(out)


def issuer_level(name: str) -> str:
    """Trung ương / Tỉnh / Huyện / Cơ sở, or "" when the name does not say."""
    key = f" {fold_key(name)} "
    for level, phrases in _data()[1]:
        if any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", key) for p in phrases):
            return level
    return ""
