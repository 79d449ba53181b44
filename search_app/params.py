"""The search page's and the API's parameters: read, checked, and written
back into links. All state lives in the URL."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from indexer.schema import slug
from search_app.facets import FACETS, FILTER_FIELDS, FilterError, Filters
from search_app.query import MAX_QUERY_CHARS
from search_app.labels import GROUP_LABELS, SORT_LABELS, VIEW_LABELS
from search_app.search import DEFAULT_LIMIT

MAX_PER_PAGE = 100
MAX_PAGE = 10_000
MAX_VALUE_CHARS = 200
YEARS = (1900, 2200)
MAX_VALUES = 20  # values of one facet


class BadParameter(ValueError):
    """A parameter that cannot be used; the message is for the user."""


@dataclass(frozen=True)
class SearchRequest(Filters):
    """The filters, and what to search and show."""

    q: str = ""
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_LIMIT
    group: str = "parent"  # GROUPINGS: one passage per parent heading by default
    view: str = "passages"  # VIEWS: passages, or the matching documents as a table

    @property
    def filters(self) -> Filters:
        return Filters(**{name: getattr(self, name) for name in FILTER_FIELDS})

    @property
    def has_filters(self) -> bool:
        return self.filters != Filters()

    def changed(self, **changes) -> "SearchRequest":
        """A copy with ``changes``; any change but the page goes back to page 1."""
        if "page" not in changes:
            changes["page"] = 1
        if "year" in changes:
            changes.update(year_from=None, year_to=None)
        return replace(self, **changes)

    def args(self) -> dict[str, str | list[str]]:
        """URL parameters, defaults left out so links stay short; a facet's
        several values as a list (repeated in the URL)."""
        defaults = SearchRequest()
        args = {}
        for name, value in vars(self).items():
            if value in (None, "", ()) or value == getattr(defaults, name):
                continue
            args[name] = [str(v) for v in value] if isinstance(value, tuple) else str(value)
        return dict(sorted(args.items(), key=lambda item: item[0] != "q"))  # q first, for people

    def pairs(self, leave_out=()) -> list[tuple[str, str]]:
        """``args`` as (name, value) pairs, one per value: hidden form inputs."""
        out = []
        for name, value in self.args().items():
            if name not in leave_out:
                out += [(name, v) for v in value] if isinstance(value, list) else [(name, value)]
        return out

    def toggled(self, facet: str, value) -> "SearchRequest":
        """A copy with ``value`` added to ``facet``'s values, or taken out when chosen."""
        current = getattr(self, facet)
        chosen = [v for v in current if same_value(v, value)]
        values = [v for v in current if not same_value(v, value)] if chosen else [*current, value]
        return self.changed(**{facet: tuple(values)})


def same_value(a, b) -> bool:
    """Two values of a facet are one: years as numbers, names by slug."""
    return a == b if isinstance(a, int) or isinstance(b, int) else slug(str(a)) == slug(str(b))


def _integer(args, name: str, low: int, high: int, what: str) -> int | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    # str.isdigit() also takes "²" and "٣", which int() refuses or misreads.
    if not re.fullmatch(r"[0-9]{1,6}", text) or not low <= int(text) <= high:
        raise BadParameter(f"{what} không hợp lệ: “{text[:40]}” (cần số từ {low} đến {high}).")
    return int(text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _text(args, name: str) -> str:
    """A text parameter, control characters blanked (they are never typed)."""
    return _clean(args.get(name) or "")


def _clean(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def _all(args, name: str) -> list[str]:
    """Every value of a repeated parameter (``?issuer=A&issuer=B``), blanks out."""
    values = args.getlist(name) if hasattr(args, "getlist") else [args.get(name) or ""]
    values = [_clean(v) for v in values if _clean(v)]
    if len(values) > MAX_VALUES:
        raise BadParameter(f"Quá nhiều giá trị lọc ({len(values)}, tối đa {MAX_VALUES}).")
    for value in values:
        if len(value) > MAX_VALUE_CHARS:
            raise BadParameter(f"Giá trị lọc quá dài ({len(value)} ký tự, tối đa {MAX_VALUE_CHARS}).")
    return values


def _choice(args, name: str, labels: dict, what: str, default: str = "relevance") -> str:
    """One of ``labels``' keys; the message names each choice as people read it."""
    value = (args.get(name) or default).strip()
    if value not in labels:
        raise BadParameter(f"{what} không hợp lệ: “{value[:40]}”. Chọn một trong: {', '.join(labels.values())}.")
    return value


def _years(args) -> tuple[int, ...]:
    out = []
    for text in _all(args, "year"):
        out.append(_integer({"year": text}, "year", *YEARS, "Năm"))
    return tuple(out)


def parse_search_args(args) -> SearchRequest:
    """``args``: a mapping of URL parameters (Flask's request.args). Values
    are read and typed here; what they mean together (a range, a closed
    list) is checked once, by search_page."""
    q = _text(args, "q")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter(f"Câu tìm kiếm quá dài ({len(q)} ký tự, tối đa {MAX_QUERY_CHARS}).")
    year_from = _integer(args, "year_from", *YEARS, "Năm bắt đầu")
    year_to = _integer(args, "year_to", *YEARS, "Năm kết thúc")
    values = {f.name: tuple(_all(args, f.name)) for f in FACETS if f.name != "year"}
    sort = _choice(args, "sort", SORT_LABELS, "Cách sắp xếp")
    group = _choice(args, "group", GROUP_LABELS, "Cách gộp", default="parent")
    view = _choice(args, "view", VIEW_LABELS, "Cách xem", default="passages")
    page = _integer(args, "page", 1, MAX_PAGE, "Số trang") or 1
    per_page = _integer(args, "per_page", 1, MAX_PER_PAGE, "Số kết quả mỗi trang") or DEFAULT_LIMIT
    try:
        wanted = SearchRequest(
            q=q.strip(),
            year=_years(args),
            year_from=year_from,
            year_to=year_to,
            date_from=_text(args, "date_from")[:40],
            date_to=_text(args, "date_to")[:40],
            sort=sort,
            page=page,
            per_page=per_page,
            group=group,
            view=view,
            **values,
        )
    except FilterError as error:
        raise BadParameter(str(error)) from None
    return wanted
