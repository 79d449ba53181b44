"""Tables keep their columns: an empty or merged cell keeps its place, so
every value stays under its header, on the page, in the API text and in
citations (staff copy these figures)."""

import re

import pytest

from indexer.parser import CELL_SEPARATOR, parse_document
from indexer.reader import read_text
from search_app import create_app

from .conftest import CORPUS

TARGETS = "000_8b1cbe83c3de1fbc"  # "Biểu tổng hợp mục tiêu": 8 of its 13 rows have no "Stt"
PLAN = "002_47ca4eed93e62be1"


def _tables(doc_id):
    path = CORPUS / f"{doc_id}.txt"
    for section in parse_document(doc_id, read_text(path), path).sections:
        rows = [line.split(CELL_SEPARATOR) for line in section.text.split("\n") if CELL_SEPARATOR in line]
        if rows:
            yield section.section_id, rows


def test_every_row_of_the_targets_table_is_under_its_headers():
    (section_id, rows), = _tables(TARGETS)
    assert section_id == "bieu-tong-hop"
    header, *data = rows
    assert header == ["Stt", "Nội dung", "Đơn vị tính", "Mục tiêu giai đoạn 2021-2025", "Ghi chú"]
    assert len(data) == 13
    for cells in data:
        stt, content, unit, target = cells[:4]
        assert re.fullmatch(r"\d*", stt), cells
        assert len(content) > 10, cells
        assert unit in ("%", "Mô hình"), cells
        assert re.fullmatch(r"\d+(-\d+)?", target), cells
    assert sum(1 for cells in data if not cells[0]) == 8


def test_every_row_of_the_plans_tables_is_under_its_headers():
    tables = list(_tables(PLAN))
    assert tables
    for _, rows in tables:
        header = rows[0]
        assert header[:2] == ["STT", "Nội dung nhiệm vụ"]
        for cells in rows[1:]:
            if cells == header:
                continue  # the header again, on the next page
            assert len(cells) <= len(header), cells
            assert re.fullmatch(r"\d+", cells[0]), cells
            assert cells[2].startswith(("UBND", "Các", "Ban", "Đảng", "Văn phòng", "Công đoàn", "Đoàn")), cells


@pytest.fixture(scope="module")
def client(index_root):
    return create_app({"INDEX_DIR": str(index_root), "TESTING": True}).test_client()


def test_the_page_and_the_api_keep_the_empty_cells(client):
    page = client.get(f"/doc/{TARGETS}").get_data(as_text=True)
    table = page[page.index('id="bieu-tong-hop"') :]
    table = table[: table.index("</table>")]
    assert "<tr><td></td><td>Tăng tỷ lệ hộ sản xuất kinh doanh giỏi hàng năm.</td><td>%</td><td>5</td>" in table
    sections = client.get(f"/api/documents/{TARGETS}").get_json()["sections"]
    text = next(s["text"] for s in sections if s["section_id"] == "bieu-tong-hop")
    assert f"{CELL_SEPARATOR}Quản lý các điểm nhóm tôn giáo.{CELL_SEPARATOR}%{CELL_SEPARATOR}100" in text
    assert "\n | Quản lý các điểm nhóm tôn giáo. | % | 100" in text
