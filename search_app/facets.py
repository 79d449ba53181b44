"""The facets and filters, declared once.

Each facet names its URL parameter (also the ``Filters`` attribute and the
CLI option), its label, where its values come from and which values it
allows. Filters, URL parsing, the CLI, the page's facet lists and chips and
the section columns are all made from ``FACETS``: a new facet is one entry.

A filter holds any number of values: OR within a facet, AND across facets.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, make_dataclass
from datetime import date

import numpy as np

from analyzers.analysis import analyze
from analyzers.docnumber import find_numbers
from indexer.citations import DOC_TYPES, type_for_code
from indexer.issuers import LEVELS
from indexer.schema import slug
from indexer.topics import load_topics


class FilterError(ValueError):
    """A filter value that cannot be used; the message is for the user."""


@dataclass(frozen=True)
class Facet:
    name: str  # URL parameter, Filters attribute, CLI option (with "-")
    label: str  # for people
    what: str  # the facet inside a sentence
    # How a value selects sections: "year" (a number), "name" (an issuer:
    # its whole name, else every name containing it), "value" (by slug),
    # "words" (every word in the value), "number" (a document number, however
    # spaced), "topic" (sections tagged with it), "citation" (sections citing a number).
    kind: str
    catalog_key: str | None = None  # the catalog document field holding the value
    index_key: str | None = None  # the index field holding the value's slug (year: the number)
    closed: Callable[[], list[str]] | None = None  # the only values allowed
    counted: bool = True  # listed with counts beside the results
    help: str = ""


def _type_labels() -> list[str]:
    return [label for label, _ in DOC_TYPES]


def _topic_labels() -> list[str]:
    return [t.label for t in load_topics()]


FACETS: tuple[Facet, ...] = (
    Facet("year", "Năm", "năm", "year", catalog_key="year", index_key="year"),
    Facet("doc_type", "Loại văn bản", "loại văn bản", "value", catalog_key="doc_type", index_key="doc_type",
          closed=_type_labels, help="tên hoặc mã loại: Kết luận, KL"),
    Facet("issuer", "Cơ quan ban hành", "cơ quan ban hành", "name", catalog_key="issuer", index_key="issuer_key",
          help="tên đầy đủ, hoặc một phần tên"),
    Facet("level", "Cấp ban hành", "cấp ban hành", "value", catalog_key="issuer_level", index_key="issuer_level",
          closed=lambda: list(LEVELS), help="Trung ương, Tỉnh, Huyện, Cơ sở"),
    Facet("province", "Tỉnh, thành phố", "tỉnh, thành phố", "value", catalog_key="province", index_key="province"),
    Facet("signer", "Người ký", "người ký", "value", catalog_key="signer"),
    Facet("topic", "Chủ đề", "chủ đề", "topic", index_key="topics", closed=_topic_labels),
    Facet("number", "Số ký hiệu", "số ký hiệu", "number", catalog_key="number", counted=False,
          help="số ký hiệu của văn bản: 69-KL/TU"),
    Facet("title", "Trích yếu có", "trích yếu", "words", catalog_key="title", counted=False,
          help="các từ có trong trích yếu"),
    Facet("cites", "Dẫn chiếu văn bản số", "số ký hiệu được dẫn chiếu", "citation", index_key="cites", counted=False,
          help="số ký hiệu: các đoạn dẫn chiếu văn bản đó"),
)  # fmt: skip
BY_NAME = {f.name: f for f in FACETS}
COUNTED = tuple(f.name for f in FACETS if f.counted)
DATE_FORMAT_HELP = "ngày dạng 09/4/2021 hoặc 2021-04-09"


def _values(value) -> tuple:
    """A filter's values as a tuple, blanks and repeats out: a single value,
    a list, or nothing (None, "")."""
    if value is None:
        return ()
    items = [value] if isinstance(value, (str, int)) else list(value)
    out, seen = [], set()
    for item in items:
        item = " ".join(item.split()) if isinstance(item, str) else item
        key = slug(item) if isinstance(item, str) else item  # as facet values compare
        if item not in ("", None) and key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


def parse_day(text: str) -> str:
    """``2021-04-09`` or ``9/4/2021`` → ``2021-04-09``; FilterError otherwise."""
    text = text.strip()
    if found := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        year, month, day = (int(g) for g in found.groups())
    elif found := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        day, month, year = (int(g) for g in found.groups())
    else:
        raise FilterError(f"Ngày không hợp lệ: “{text[:40]}” ({DATE_FORMAT_HELP}).")
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise FilterError(f"Ngày không hợp lệ: “{text[:40]}” (không có ngày này).") from None


class _FilterRules:
    """What ``Filters`` does; its fields come from FACETS."""

    def __post_init__(self):
        for f in FACETS:
            values = _values(getattr(self, f.name))
            if f.name == "doc_type":
                # A type may be given by its code in numbers: "KL" for Kết luận.
                values = _values([type_for_code(v) or v for v in values])
            object.__setattr__(self, f.name, values)
        for name in ("date_from", "date_to"):
            value = getattr(self, name) or ""
            object.__setattr__(self, name, parse_day(value) if value.strip() else "")

    def chosen(self) -> dict[str, tuple]:
        """Facet → its values, for the facets that restrict; "year" covers
        the range of years, "date" the range of days."""
        out = {f.name: getattr(self, f.name) for f in FACETS if getattr(self, f.name)}
        if self.year_from is not None or self.year_to is not None:
            out["year"] = out.get("year", ())
        if self.date_from or self.date_to:
            out["date"] = ()
        return out

    def check(self) -> None:
        """FilterError for values that can select nothing by construction."""
        if self.year and (self.year_from is not None or self.year_to is not None):
            raise FilterError("Chọn năm hoặc một khoảng năm, không chọn cả hai.")
        if None not in (self.year_from, self.year_to) and self.year_from > self.year_to:
            raise FilterError(f"Khoảng năm không hợp lệ: {self.year_from}–{self.year_to}.")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise FilterError(f"Khoảng ngày không hợp lệ: từ {self.date_from} đến {self.date_to}.")
        for f in FACETS:
            for value in getattr(self, f.name):
                _check_value(f, value)


def _check_value(f: Facet, value) -> None:
    if f.kind in ("citation", "number"):
        if len(find_numbers(str(value), query=True)) != 1:
            raise FilterError(f"Số ký hiệu không hợp lệ: “{value}” (ví dụ: 69-KL/TU).")
    elif f.kind != "year" and not slug(str(value)):
        raise FilterError(f"Giá trị lọc không hợp lệ: “{value}”.")
    elif f.closed is not None:
        labels = f.closed()
        # Closed lists: a typo gets the list, not an empty result.
        if slug(str(value)) not in {slug(label) for label in labels}:
            raise FilterError(f"Không có {f.what} “{value}”. Các giá trị: {'; '.join(labels)}.")


Filters = make_dataclass(
    "Filters",
    [(f.name, tuple, field(default=())) for f in FACETS]
    + [("year_from", "int | None", None), ("year_to", "int | None", None), ("date_from", str, ""), ("date_to", str, "")],
    bases=(_FilterRules,),
    frozen=True,

)
Filters.__module__ = __name__  # for pickling and reprs
Filters.__doc__ = """The filters of a search: each facet's values (a single value or
a list may be given), a range of years, a range of days (ISO or d/m/yyyy)."""
FILTER_FIELDS = tuple(f.name for f in fields(Filters))


def filter_masks(filters, columns, cited: Callable[[list[str]], np.ndarray], base: np.ndarray) -> dict:
    """Each restricting facet as the sections it allows (bool by section)
    among ``base``, from the section columns. ``cited(keys)``: the sections
    citing any of the number keys."""
    masks = {}
    for name, values in filters.chosen().items():
        if name == "year":
            mask = _year_mask(columns.years, values, filters.year_from, filters.year_to)
        elif name == "date":
            mask = _day_mask(columns.days, filters.date_from, filters.date_to)
        elif BY_NAME[name].kind == "citation":
            mask = cited([find_numbers(str(v), query=True)[0].key for v in values])
        else:
            mask = np.zeros(len(base), dtype=bool)
            for value in values:
                mask |= _value_mask(BY_NAME[name], columns.facets[name], value, base)
        masks[name] = mask & base
    return masks


def _year_mask(years: np.ndarray, chosen: tuple, low: int | None, high: int | None) -> np.ndarray:
    mask = np.isin(years, np.array(chosen, dtype=years.dtype)) if chosen else years > 0
    if low is not None:
        mask &= years >= low
    if high is not None:
        mask &= years <= high
    return mask


def _day_mask(days: np.ndarray, low: str, high: str) -> np.ndarray:
    """Documents dated within [low, high]; one known only by its year is
    not within a range of days."""
    mask = days > 0
    if low:
        mask &= days >= int(low.replace("-", ""))
    if high:
        mask &= days <= int(high.replace("-", ""))
    return mask


def _value_mask(f: Facet, column, value, base: np.ndarray) -> np.ndarray:
    if f.kind == "number":
        key = find_numbers(value, query=True)[0].key
        return column.mask_by("number", _number_key, lambda found: found == key)
    if f.kind == "words":
        wanted = set(_folded(value))
        return column.mask_by("words", lambda title: set(_folded(title)), lambda found: wanted <= found)
    if f.kind == "name":
        # An issuer's whole name (a facet link) means that issuer alone,
        # not every issuer whose name contains it ("Văn phòng Tỉnh ủy"
        # within "Văn phòng Tỉnh ủy Lai Châu"); part of a name, all of them.
        mask = column.slug_mask(slug(value))
        # Among what the reader may read: a name borne only by a document
        # they may not read must not change what the filter means.
        if not (mask & base).any():
            wanted = _folded(value)
            mask = column.mask_by("folded", _folded, lambda name: _contains(name, wanted))
        return mask
    return column.slug_mask(slug(str(value)))


def _folded(text: str) -> list[str]:
    return analyze(text).folded


def _number_key(text: str) -> str:
    found = find_numbers(text, query=True)
    return found[0].key if found else ""


def _contains(sequence: list[str], part: list[str]) -> bool:
    n = len(part)
    return bool(part) and any(sequence[i : i + n] == part for i in range(len(sequence) - n + 1))
