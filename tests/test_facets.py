"""Filters that refine: several values per facet (any of them), facets
combined (all of them), the signer facet, a range of days; in the API, the
page, its links and the CLI. On the five sample documents:
000 Kết luận 2021-04-09 (Lê Văn Lương), 001 Báo cáo 2023-07-21, 002 Kế hoạch
2026-04-19, 003 Thông báo and 004 Báo cáo known by their year only."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from search_app import create_app
from search_app.cli import main
from search_app.facets import Filters, FilterError

K69, B426, K002, TB003, B004 = (
    "000_8b1cbe83c3de1fbc", "001_b7d788ee9d07cfc0", "002_47ca4eed93e62be1", "003_064c99f8bc1e6bb7",
    "004_18f6aac5861878d1",
)  # fmt: skip


@pytest.fixture(scope="module")
def client(index_root):
    return create_app({"INDEX_DIR": str(index_root), "TESTING": True}).test_client()


def found(client, query: str) -> tuple[int, set[str]]:
    response = client.get("/api/search?per_page=100&group=none&" + query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    data = response.get_json()
    return data["total"], {r["doc_id"] for r in data["results"]}


def test_several_values_of_a_facet_find_any_of_them(client):
    conclusions, _ = found(client, "q=tỉnh&doc_type=Kết+luận")
    reports, report_docs = found(client, "q=tỉnh&doc_type=Báo+cáo")
    total, docs = found(client, "q=tỉnh&doc_type=Kết+luận&doc_type=Báo+cáo")
    assert conclusions and reports
    assert total == conclusions + reports
    assert docs == {K69} | report_docs


def test_facets_combine_with_and(client):
    _, docs = found(client, "q=tỉnh&doc_type=Báo+cáo&province=Thái+Nguyên")
    assert docs == {B004}
    total, _ = found(client, "q=tỉnh&doc_type=Kết+luận&province=Thái+Nguyên")
    assert total == 0


def test_a_type_code_is_its_type(client):
    assert found(client, "q=tỉnh&doc_type=KL") == found(client, "q=tỉnh&doc_type=Kết+luận")
    page = client.get("/?q=tỉnh&doc_type=KL").get_data(as_text=True)
    assert "Loại văn bản: Kết luận" in page and "Loại văn bản: KL" not in page


def test_signer_is_a_facet_and_a_filter(client):
    data = client.get("/api/search?q=tỉnh").get_json()
    signers = {f["value"]: f["count"] for f in data["facets"]["signer"]}
    assert "Lê Văn Lương" in signers and "Nguyễn Thái Nam" in signers
    total, docs = found(client, "q=tỉnh&signer=Lê+Văn+Lương")
    assert docs == {K69} and total == signers["Lê Văn Lương"]
    page = client.get("/?q=tỉnh").get_data(as_text=True)
    assert '<h2>Người ký</h2>' in page


def test_a_range_of_days(client):
    _, docs = found(client, "date_from=2021-01-01&date_to=2023-12-31")
    assert docs == {K69, B426}
    _, docs = found(client, "date_from=22/7/2023")  # the day after 001's
    assert docs == {K002}
    _, docs = found(client, "date_to=2021-04-09")  # the day itself is in
    assert docs == {K69}
    page = client.get("/?date_from=2021-01-01&date_to=2023-12-31").get_data(as_text=True)
    assert "Ngày ban hành 01/1/2021–31/12/2023" in page  # dates written as in the documents


@pytest.mark.parametrize(
    "query,message",
    [
        ("date_from=2021-02-30", "không có ngày này"),
        ("date_from=tomorrow", "Ngày không hợp lệ"),
        ("date_from=2023-01-01&date_to=2021-01-01", "Khoảng ngày không hợp lệ"),
        ("doc_type=Nghị+quyết+số", "Không có loại văn bản"),
        ("year=2021&year_from=2020", "không chọn cả hai"),
        ("issuer=" + "&issuer=".join(f"x{i}" for i in range(21)), "Quá nhiều giá trị"),
    ],
)
def test_bad_filters_get_a_message(client, query, message):
    response = client.get("/api/search?q=tỉnh&" + query)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    page = client.get("/?q=tỉnh&" + query)
    assert page.status_code == 400 and message in page.get_data(as_text=True)


def links(page: str, pattern: str) -> list[dict]:
    """The query parameters of each link whose text matches ``pattern``."""
    out = []
    for href, text in re.findall(r'<a[^>]*href="([^"]*)"[^>]*>(.*?)</a>', page, re.S):
        if re.search(pattern, unescape(re.sub("<[^>]+>", " ", text))):
            out.append(parse_qs(urlsplit(unescape(href)).query))
    return out


def test_facet_links_add_a_value_and_chips_drop_one(client):
    page = client.get("/?q=tỉnh&doc_type=Kết+luận").get_data(as_text=True)
    # Choosing "Báo cáo" keeps "Kết luận": any of the two.
    (adding,) = links(page, r"^\s*Báo cáo\s+\d+\s*$")
    assert adding["doc_type"] == ["Kết luận", "Báo cáo"]
    page = client.get("/?q=tỉnh&doc_type=Kết+luận&doc_type=Báo+cáo&year=2021").get_data(as_text=True)
    chips = {c: links(page, re.escape(c))[0] for c in ("Loại văn bản: Kết luận", "Loại văn bản: Báo cáo", "Năm 2021")}
    assert chips["Loại văn bản: Kết luận"]["doc_type"] == ["Báo cáo"]
    assert chips["Loại văn bản: Báo cáo"]["doc_type"] == ["Kết luận"]
    assert "year" not in chips["Năm 2021"] and chips["Năm 2021"]["doc_type"] == ["Kết luận", "Báo cáo"]
    # The hidden inputs keep every value for the next query from the box.
    assert page.count('name="doc_type" value="Kết luận"') >= 1 and 'name="doc_type" value="Báo cáo"' in page


def test_the_api_says_which_filters_it_applied(client):
    data = client.get("/api/search?q=tỉnh&doc_type=KL&doc_type=Báo+cáo&date_from=1/1/2021").get_json()
    assert data["filters"] == {"date_from": "2021-01-01", "doc_type": ["Kết luận", "Báo cáo"]}


def test_cli_repeats_an_option_for_several_values(capsys, index_root):
    code = main(["search", "tỉnh", "--doc-type", "KL", "--doc-type", "Kế hoạch", "--limit", "50", "--json",
                 "--index-dir", str(index_root)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert set(re.findall(r'"doc_id": "([^"]+)"', out)) == {K69, K002}
    code = main(["search", "tỉnh", "--date-from", "2021-02-30", "--index-dir", str(index_root)])
    assert code == 2 and "không có ngày này" in capsys.readouterr().err


def test_filters_take_one_value_or_several():
    assert Filters(doc_type="KL", year=2021) == Filters(doc_type=("Kết luận",), year=[2021])
    assert Filters(issuer=["A", " A ", ""]).issuer == ("A",)
    with pytest.raises(FilterError):
        Filters(date_to="31/02/2024")
