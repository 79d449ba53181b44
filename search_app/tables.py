"""A result list as a table, for a spreadsheet: one row per passage (or per
document in the documents view), written as .csv or .xlsx."""

from __future__ import annotations

import csv
import io
import re

import xlsxwriter

from indexer.metadata import display_date
from indexer.parser import OPENING_ID

COLUMNS = (
    ("Số ký hiệu", 16), ("Ngày", 11), ("Loại", 12), ("Cơ quan ban hành", 28), ("Trích yếu", 48), ("Mục", 36),
    ("Đoạn trích", 70), ("Số đoạn khớp", 8), ("Độ mật", 10), ("Đường dẫn", 40),
)  # fmt: skip
TEXT_LINK = len(COLUMNS) - 1
# Spreadsheets run a cell starting with these as a formula; a list item's
# "- " followed by a word does not.
_FORMULA = re.compile(r"^(?:[=+@\t\r]|-(?! [^\W\d_]))")


def row(item: dict) -> list:
    """A result (``present.passage_item``) as the table's cells."""
    d = item["document"]
    heading = " › ".join([*item["path"], item["heading"]]) if item["section_id"] != OPENING_ID else ""
    return [
        d.get("number") or "",
        display_date(d.get("date")) or str(d.get("year") or ""),
        d.get("doc_type") or "",
        d.get("issuer") or "",
        d.get("title") or "",
        heading,
        " ".join(item["_snippet_text"].split()),
        item["more_count"] + 1,
        d.get("mark") or "",
        item["url"],
    ]


def _safe(value):
    return "'" + value if isinstance(value, str) and _FORMULA.match(value) else value


def to_csv(rows: list[list]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the Vietnamese letters."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _ in COLUMNS])
    writer.writerows([[_safe(v) for v in r] for r in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: list[list], title: str, note: str = "") -> bytes:
    """One sheet: a title line (the search, and ``note``), the header, the rows;
    every cell written as text or a number, never as a formula."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("Kết quả")
    bold = book.add_format({"bold": True, "bg_color": "#EEF1F6", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.write_string(0, 0, title, book.add_format({"bold": True, "font_size": 12}))
    if note:
        sheet.write_string(1, 0, note)
    first = 3
    for column, (name, width) in enumerate(COLUMNS):
        sheet.set_column(column, column, width, wrap)
        sheet.write_string(first - 1, column, name, bold)
    for number, cells in enumerate(rows, start=first):
        for column, value in enumerate(cells):
            if isinstance(value, int):
                sheet.write_number(number, column, value)
            elif column == TEXT_LINK and value:
                sheet.write_url(number, column, value, string=value)
            else:
                sheet.write_string(number, column, value)
    sheet.freeze_panes(first, 0)
    sheet.autofilter(first - 1, 0, first - 1 + len(rows), len(COLUMNS) - 1)
    book.close()
    return out.getvalue()
