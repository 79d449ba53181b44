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


def test_a_number_and_title_words_filter_documents(client):
    assert found(client, "number=69+-+KL/TU")[1] == {K69}
    assert found(client, "title=biên+giới+dân+vận")[1] == {K69}  # any order, without the rest of the title
    assert found(client, "title=bien+gioi")[1] == {K69}  # without diacritics
    assert found(client, "title=biên+giới+rừng")[0] == 0


def test_the_documents_view_is_one_row_per_document(client):
    page = client.get("/?q=69-KL/TU&view=documents").get_data(as_text=True)
    rows = re.findall(r'<tr>\s*<td class="number"[^>]*>(.*?)</td>.*?<td class="count"[^>]*>(\d+)</td>', page, re.S)
    assert dict(rows) == {"69-KL/TU": "1", "426-BC/HU": "25"}  # 25 of 001's sections cite 69-KL/TU
    assert "<strong>2</strong> văn bản có đoạn khớp" in page
    by_number = client.get("/?q=tỉnh&view=documents&sort=number").get_data(as_text=True)
    numbers = re.findall(r'<td class="number"[^>]*>(.*?)</td>', by_number)
    assert numbers[:3] == ["68-KH/ĐU", "69-KL/TU", "426-BC/HU"] and set(numbers[3:]) == {"—"}
    everything = client.get("/?view=documents").get_data(as_text=True)
    assert everything.count('<td class="number"') == 5


def test_the_landing_page_describes_the_archive(client):
    page = client.get("/").get_data(as_text=True)
    assert "<strong>5</strong> văn bản" in page and "từ năm 2015 đến năm 2026" in page
    assert "Cập nhật lúc" in page and "Xem tất cả 5 văn bản" in page
    assert re.search(r"Báo cáo \(2\)", page)


def test_a_new_query_from_the_box_says_it_kept_the_filters(client):
    page = client.get("/?q=rừng&doc_type=Báo+cáo&from_q=dân+vận").get_data(as_text=True)
    assert "Vẫn đang áp dụng bộ lọc của lần tìm trước" in page
    (dropped,) = links(page, "trong toàn bộ kho")
    assert dropped == {"q": ["rừng"]}
    # The box itself sends the query it replaces when filters are on.
    assert 'name="from_q" value="rừng"' in page
    for same in ("/?q=rừng&doc_type=Báo+cáo&from_q=rừng", "/?q=rừng&doc_type=Báo+cáo", "/?q=rừng&from_q=x"):
        assert "Vẫn đang áp dụng" not in client.get(same).get_data(as_text=True)


def test_sort_and_view_errors_name_the_choices_in_vietnamese(client):
    response = client.get("/api/search?q=x&sort=ngay")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "Mới nhất" in error and "relevance" not in error


def test_result_lists_export_every_page_as_csv_and_xlsx(client):
    import csv
    import io

    import openpyxl

    total = client.get("/api/search?q=dân+tộc&per_page=1").get_json()["groups"]
    assert total > 10  # more than one page of the default 10
    response = client.get("/export.csv?q=dân+tộc")
    assert response.headers["Content-Disposition"].endswith('ket-qua-tim-kiem.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Số ký hiệu", "Ngày", "Loại"] and len(rows) == total + 1
    assert all(r[-1].startswith("http://localhost/doc/") for r in rows[1:])
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/export.xlsx?q=dân+tộc").get_data())).active
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0][0] == "Kết quả tìm “dân tộc”" and cells[2][0] == "Số ký hiệu"
    assert [list(map(lambda v: "" if v is None else str(v), r)) for r in cells[3:]] == rows[1:]
    documents = list(csv.reader(io.StringIO(client.get("/export.csv?view=documents").get_data().decode("utf-8-sig"))))
    assert len(documents) == 6


def test_an_exported_cell_is_never_a_formula():
    from search_app.tables import to_csv

    text = to_csv([["=HYPERLINK(\"x\")", "+1", "- một ý", "-1+2", "@SUM(A1)", "- 1+cmd", 3]]).decode("utf-8-sig")
    assert text.splitlines()[1] == "\"'=HYPERLINK(\"\"x\"\")\",'+1,- một ý,'-1+2,'@SUM(A1),'- 1+cmd,3"


def test_a_heading_that_is_the_first_sentence_is_not_repeated(client):
    page = client.get(f"/doc/{K69}").get_data(as_text=True)
    heading = re.search(r'<h4 class="run-in" aria-label="(\(1\) Vận động nhân dân[^"]*)">\(1\)</h4>', page)
    assert heading, "the item's number alone, its words once, in the text"
    section = page[page.rindex("<section", 0, heading.start()):page.index("</section>", heading.start())]
    shown = re.sub(r"<[^>]+>", " ", re.sub(r"<textarea.*?</textarea>", "", section, flags=re.S))
    assert shown.count("Vận động nhân dân đẩy mạnh phát triển kinh tế") == 1


def test_footnotes_link_back_and_hit_counts_are_the_marks_shown(client):
    page = client.get(f"/doc/{B426}?q=rừng").get_data(as_text=True)
    refs = re.findall(r'<a href="#fn-([^"]+)" class="fn" id="fnref-([^"]+)"', page)
    backs = re.findall(r'<a class="fn-back" href="#fnref-([^"]+)"', page)
    assert refs and all(a == b for a, b in refs) and sorted(backs) == sorted(b for _, b in refs)
    article = page[page.index("<article"):page.index("</article>")]
    count = int(re.search(r'class="hit-count">(\d+) chỗ khớp', page).group(1))
    assert count == article.count("<mark>") > 0


def test_a_facet_lists_its_most_frequent_values_and_the_chosen_ones():
    import numpy as np

    from search_app.sections import FacetColumn

    values = [f"Người ký {i:03d}" for i in range(120)]
    codes = np.repeat(np.arange(120, dtype=np.int32), np.arange(1, 121))  # value i on i + 1 sections
    column = FacetColumn(values, codes=codes)
    everything = np.ones(len(codes), dtype=bool)
    counts = column.counts(everything, 50)
    assert len(counts) == 50 and min(counts.values()) == 71  # the 50 most frequent
    kept = column.counts(everything, 50, {column.slugs[0]})
    assert kept[values[0]] == 1 and len(kept) == 51  # a chosen value stays, with its true count


def test_the_advanced_form_keeps_what_it_has_no_field_for(client):
    page = client.get("/?q=rừng&year=2021&doc_type=KL&doc_type=Báo+cáo&sort=date&issuer=A&issuer=B").get_data(as_text=True)
    start = page.index('class="advanced-form"')
    form = page[start : page.index("</form>", start)]
    hidden = re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)
    assert ("year", "2021") in hidden and ("sort", "date") in hidden
    assert ("doc_type", "Báo cáo") in hidden and ("issuer", "B") in hidden  # the values past the first
    assert '<option selected>Kết luận</option>' in form and 'name="issuer" value="A"' in form


def test_a_value_given_twice_is_one_value(client):
    page = client.get("/?q=rừng&issuer=Tỉnh+ủy&issuer=tinh+uy").get_data(as_text=True)
    assert page.count('class="chip"') == 1


def test_a_chosen_part_of_a_name_shows_no_false_count(client):
    page = client.get("/?issuer=Tỉnh+ủy").get_data(as_text=True)
    chosen = re.search(r'<a class="selected"[^>]*>\s*<span class="value">Tỉnh ủy</span>(.*?)</a>', page, re.S).group(1)
    assert 'class="count"' not in chosen  # it matches several issuers: no "0" beside it


def test_a_search_within_the_document_keeps_the_way_back(client):
    page = client.get(f"/doc/{B426}?q=dân+vận&year=2023").get_data(as_text=True)
    assert 'name="back_q" value="dân vận"' in page
    within = client.get(f"/doc/{B426}?q=khéo&year=2023&back_q=dân+vận").get_data(as_text=True)
    back = re.search(r'<nav class="back"[^>]*><a href="([^"]+)"', within).group(1)
    assert parse_qs(urlsplit(unescape(back)).query) == {"q": ["dân vận"], "year": ["2023"]}
    assert "<mark>khéo</mark>" in within.lower()


def test_hit_counts_are_the_marks_even_across_lines(client):  # the client's app: citations need a request
    from search_app.documents import DocSection
    from search_app.query import build_query, parse_query
    from search_app.reading import _shown_section

    section = DocSection(section_id="x", heading="Về dân vận", path=["1. Mở đầu"], level=2, text="công tác dân vận\nDân vận khéo")
    with client.application.test_request_context("/"):
        shown = _shown_section({"doc_id": "d"}, section, build_query(parse_query("dân vận")), [])
    marks = sum(str(h).count("<mark>") for h in (shown["heading_html"], shown["text_html"]))
    assert shown["hits"] == marks == 3
