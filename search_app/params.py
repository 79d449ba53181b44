"""The search page's and the API's parameters: read, checked, and written
back into links. All state lives in the URL."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

from search_app.query import MAX_QUERY_CHARS
from search_app.search import DEFAULT_LIMIT, GROUPINGS, SORTS, Filters

MAX_PER_PAGE = 100
MAX_PAGE = 10_000
MAX_VALUE_CHARS = 200
YEARS = (1900, 2200)
TEXT_FILTERS = ("issuer", "level", "province", "doc_type", "topic", "cites")


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

    @property
    def filters(self) -> Filters:
        return Filters(**{f.name: getattr(self, f.name) for f in fields(Filters)})

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

    def args(self) -> dict[str, str]:
        """URL parameters, defaults left out so links stay short."""
        defaults = SearchRequest()
        args = {
            name: str(value)
            for name, value in vars(self).items()
            if value not in (None, "") and value != getattr(defaults, name)
        }
        return dict(sorted(args.items(), key=lambda item: item[0] != "q"))  # q first, for people


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
    return " ".join(_CONTROL.sub(" ", args.get(name) or "").split())


def parse_search_args(args) -> SearchRequest:
    """``args``: a mapping of URL parameters (Flask's request.args)."""
    q = _text(args, "q")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter(f"Câu tìm kiếm quá dài ({len(q)} ký tự, tối đa {MAX_QUERY_CHARS}).")
    year = _integer(args, "year", *YEARS, "Năm")
    year_from = _integer(args, "year_from", *YEARS, "Năm bắt đầu")
    year_to = _integer(args, "year_to", *YEARS, "Năm kết thúc")
    if year is not None and (year_from is not None or year_to is not None):
        raise BadParameter("Chọn một năm hoặc một khoảng năm, không chọn cả hai.")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise BadParameter(f"Khoảng năm không hợp lệ: từ {year_from} đến {year_to}.")
    text = {}
    for name in TEXT_FILTERS:
        value = _text(args, name)
        if len(value) > MAX_VALUE_CHARS:
            raise BadParameter(f"Giá trị lọc quá dài ({len(value)} ký tự, tối đa {MAX_VALUE_CHARS}).")
        text[name] = value
    sort = (args.get("sort") or "relevance").strip()
    if sort not in SORTS:
        raise BadParameter(f"Cách sắp xếp không hợp lệ: “{sort[:40]}” (dùng: {', '.join(SORTS)}).")
    group = (args.get("group") or "parent").strip()
    if group not in GROUPINGS:
        raise BadParameter(f"Cách gộp không hợp lệ: “{group[:40]}” (dùng: {', '.join(GROUPINGS)}).")
    page = _integer(args, "page", 1, MAX_PAGE, "Số trang") or 1
    per_page = _integer(args, "per_page", 1, MAX_PER_PAGE, "Số kết quả mỗi trang") or DEFAULT_LIMIT
    return SearchRequest(
        q=q.strip(),
        year=year,
        year_from=year_from,
        year_to=year_to,
        sort=sort,
        page=page,
        per_page=per_page,
        group=group,
        **text,
    )
