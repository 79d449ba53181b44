"""Provinces and their places (data/gazetteer.toml), loaded in one place.

Names are compared with ``fold_key`` so that tone style (``Định Hoá`` /
``Định Hóa``), case and missing diacritics do not matter.

>>> province_of_place("Tam Đường"), province_of_place("Dinh Hoa"), province_of_place("Hà Nội")
('Lai Châu', 'Thái Nguyên', 'Hà Nội')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analyzers.datafiles import DataFileError, cached_data, load_toml
from analyzers.normalize import fold, fold_key, normalize_text

DATA_FILE = Path(__file__).with_name("data") / "gazetteer.toml"


@dataclass(frozen=True)
class Province:
    name: str  # "Lai Châu"
    places: tuple[str, ...]  # districts, towns, cities: ("Tam Đường", …)


@dataclass(frozen=True)
class Mention:
    province: str
    start: int
    end: int
    explicit: bool  # "tỉnh X" / "thành phố X" rather than a place name


@cached_data
def load_gazetteer(path: Path = DATA_FILE) -> tuple[Province, ...]:
    raw = load_toml(path)
    provinces = []
    for entry in raw.get("province", []):
        name, places = entry.get("name"), entry.get("places", [])
        if not isinstance(name, str) or not isinstance(places, list) or not all(
            isinstance(p, str) for p in places
        ):
            raise DataFileError(f"{path}: mỗi [[province]] cần name và danh sách places")
        provinces.append(Province(normalize_text(name), tuple(normalize_text(p) for p in places)))
    return tuple(provinces)


@cached_data
def _indexes() -> tuple[dict[str, str], dict[str, str]]:
    """fold_key(province) -> province; fold_key(place) -> province (unambiguous only)."""
    provinces = {fold_key(p.name): p.name for p in load_gazetteer()}
    owners: dict[str, set[str]] = {}
    for p in load_gazetteer():
        for place in p.places:
            owners.setdefault(fold_key(place), set()).add(p.name)
    places = {key: next(iter(names)) for key, names in owners.items() if len(names) == 1}
    return provinces, places


def province_named(name: str) -> str:
    """The canonical province for a province name, or ""."""
    return _indexes()[0].get(fold_key(name), "")


def province_of_place(name: str) -> str:
    """The province a province, district, town or city name belongs to, or ""."""
    key = fold_key(name)
    provinces, places = _indexes()
    return provinces.get(key) or places.get(key, "")


def is_province(name: str) -> bool:
    return bool(province_named(name))


def _name_pattern(name: str) -> str:
    """Folded name, each word capitalised as in running text or in ALL CAPS."""
    pattern = ""
    for word in fold(name).split():
        if word == "-":  # "Bà Rịa - Vũng Tàu", also written "Bà Rịa-Vũng Tàu"
            pattern += r"\s*-\s*"
            continue
        if pattern and not pattern.endswith(r"-\s*"):
            pattern += r"\s+"
        head, rest = word[0], word[1:]
        # First letter as written (a capital), the rest in any case.
        pattern += re.escape(head) + (f"(?i:{re.escape(rest)})" if rest else "")
    return pattern


@cached_data
def _mention_res() -> tuple[tuple[re.Pattern, str, bool], ...]:
    res = []
    for p in load_gazetteer():
        # "tỉnh X", "thành phố X", "TP. X": the text names the province itself.
        res.append((re.compile(r"(?<!\w)(?i:tinh|thanh\s+pho|tp\.?)\s+" + _name_pattern(p.name) + r"(?!\w)"), p.name, True))
    _, places = _indexes()
    for p in load_gazetteer():
        for place in p.places:
            if fold_key(place) in places:
                res.append((re.compile(r"(?<!\w)" + _name_pattern(place) + r"(?!\w)"), p.name, False))
    return tuple(res)


def find_mentions(text: str) -> list[Mention]:
    """Every "tỉnh X" and every capitalised place name, with its province.

    Offsets are valid on ``text`` (normalisation and folding keep lengths)."""
    folded = fold(normalize_text(text))
    if len(folded) != len(text):  # unexpected characters: offsets are approximate
        folded = folded[: len(text)]
    found = []
    taken: set[int] = set()
    for pattern, province, explicit in _mention_res():
        for m in pattern.finditer(folded):
            # "tỉnh Lai Châu" must not count again as the place "Lai Châu".
            if m.start() in taken or (not explicit and any(i in taken for i in range(m.start(), m.end()))):
                continue
            taken.update(range(m.start(), m.end()))
            found.append(Mention(province, m.start(), m.end(), explicit))
    return sorted(found, key=lambda x: x.start)
