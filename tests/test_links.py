"""Links between documents: citations per section, resolution to corpus
documents, number search in its loose forms, and the cites= filter."""

import pytest

from analyzers.docnumber import find_loose_numbers
from indexer.build import build_index
from indexer.store import open_current
from search_app import create_app
from search_app.query import parse_query

K69 = "000_8b1cbe83c3de1fbc"
B426 = "001_b7d788ee9d07cfc0"


@pytest.fixture(scope="module")
def client(index_root):
    return create_app({"INDEX_DIR": str(index_root)}).test_client()


@pytest.mark.parametrize("typed", ["69-KL/TU", "kl 69", "69 KL TU", "KL69", "69 KL/TU", "kết luận 69", "Ket luan so 69"])
def test_number_forms_find_the_document_then_its_citers(find, typed):
    result = find(typed, limit=5)
    assert result.passages[0].doc_id == K69 and result.passages[0].section_id == "mo-dau"
    assert {p.doc_id for p in result.passages[1:]} == {B426}


def test_loose_number_that_names_no_document_is_read_as_words(find):
    # "tt 5" could be Thông tư số 5; no document has that number, so the
    # words are searched instead of answering nothing.
    assert [(n.code, n.digits) for n in parse_query("tt 5").loose] == [("TT", "5")]
    assert find("tt 5").total > 0


@pytest.mark.parametrize("text", ["tt 2024", "dân vận 69", "năm 2023 kế hoạch"])
def test_years_and_bare_figures_are_not_numbers(text):
    assert [n for n in find_loose_numbers(text) if n.digits in ("2024", "2023", "69")] == []


def test_loose_state_number_matches_state_keys():
    (number,) = find_loose_numbers("nđ 162")
    assert number.matches("162/2017/ND-CP") and number.matches("162/ND-CP") and not number.matches("1620/ND-CP")


def test_loose_number_is_highlighted(client):
    result = client.get("/api/search?q=kl+69").get_json()["results"][1]
    assert "<mark>69-KL/TU</mark>" in result["snippet_html"] or "<mark>69 -KL/TU</mark>" in result["snippet_html"]


def test_api_document_lists_what_it_cites_and_who_cites_it(client):
    report = client.get(f"/api/documents/{B426}").get_json()
    assert report["cited_by"] == []
    k69 = [c for c in report["cites"] if c["number"] == "69-KL/TU"]
    assert k69 and {c["doc_id"] for c in k69} == {K69}
    assert set(k69[0]) == {"number", "doc_type", "date", "issuer", "title", "section_id", "doc_id"}
    decree = next(c for c in report["cites"] if c["number"] == "162/2017/NĐ-CP")
    assert decree["doc_type"] == "Nghị định" and decree["doc_id"] is None
    conclusion = client.get(f"/api/documents/{K69}").get_json()
    assert {c["doc_id"] for c in conclusion["cited_by"]} == {B426}
    assert {c["section_id"] for c in conclusion["cited_by"]} == {c["section_id"] for c in k69}
    assert all(c["number"] == "69-KL/TU" for c in conclusion["cited_by"])


def test_document_page_shows_both_directions(client):
    conclusion = client.get(f"/doc/{K69}").get_data(as_text=True)
    assert "Văn bản dẫn chiếu đến văn bản này (1)" in conclusion
    assert f'href="/doc/{B426}#phan-1-III-1"' in conclusion
    assert 'href="/?cites=69-KL/TU"' in conclusion
    report = client.get(f"/doc/{B426}").get_data(as_text=True)
    assert "Văn bản này dẫn chiếu" in report
    assert f'<a href="/doc/{K69}">Kết luận số 69-KL/TU' in report and "có trong kho" in report
    assert "Nghị định số 162/2017/NĐ-CP" in report


def test_cites_filter(client):
    data = client.get("/api/search?cites=69-KL/TU&per_page=100").get_json()
    assert data["total"] >= 5 and {r["doc_id"] for r in data["results"]} == {B426}
    assert client.get("/api/search?cites=69 -kl/tu").get_json()["total"] == data["total"]
    narrowed = client.get("/api/search?q=dân+vận&cites=69-KL/TU").get_json()
    assert 0 < narrowed["total"] <= data["total"]
    assert client.get("/api/search?cites=abc").status_code == 400
    page = client.get("/?cites=69-KL/TU").get_data(as_text=True)
    assert "Dẫn chiếu văn bản số: 69-KL/TU" in page


def test_issuer_level_facet_and_filter(client):
    data = client.get("/api/search?q=dân+vận&per_page=100").get_json()
    levels = {v["value"]: v["count"] for v in data["facets"]["level"]}
    assert levels == {"Tỉnh": levels["Tỉnh"], "Huyện": levels["Huyện"]} and sum(levels.values()) == data["total"]
    district = client.get("/api/search?q=dân+vận&level=Huyện&per_page=100").get_json()
    assert district["total"] == levels["Huyện"]
    assert {r["document"]["issuer_level"] for r in district["results"]} == {"Huyện"}
    assert client.get("/api/search?level=huyen").get_json()["total"] > 0  # any case, no diacritics
    assert "Trung ương" in client.get("/api/search?level=Bộ").get_json()["error"]


def test_number_in_a_sentence_ranks_passages_by_the_words(find):
    result = find("hạn chế và nguyên nhân trong thực hiện Kết luận 69", limit=5)
    top = [p.section_id for p in result.passages]
    assert result.passages[0].section_id != "mo-dau"  # not the document's opening first
    assert "phan-1-IV-2-1-2-1" in top[:3] and "phan-1-IV-2-1-2-2" in top  # Hạn chế / Nguyên nhân


def test_a_number_in_a_heading_covers_the_sections_under_it(find):
    # "1.2.2. Nguyên nhân" sits under "1.2. Về thực hiện Kết luận 69 -KL/TU".
    keys = [(p.doc_id, p.section_id) for p in find("69-KL/TU", limit=200).passages]
    assert (B426, "phan-1-IV-2-1-2-2") in keys
    assert keys.index((B426, "phan-1-IV-2-1-2-2")) > keys.index((B426, "phan-1-III-1"))  # after real citers


def test_a_citation_links_the_document_of_its_year(make_corpus, tmp_path):
    # "12/QĐ-UBND" of 2022 and of 2023 are two documents: a citation dated
    # 2023 means the second; one without a date could mean either.
    body = "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU\nSố: 12/QĐ-UBND\n\nQUYẾT ĐỊNH\nVề việc {subject}\n\nĐiều 1. Nội dung {subject}.\n"
    citing = ("ỦY BAN NHÂN DÂN TỈNH LAI CHÂU\nSố: 30/KH-UBND\n\nKẾ HOẠCH\nVề việc triển khai\n\n"
              "I. Căn cứ Quyết định số 12/QĐ-UBND ngày 10/5/2023 của Ủy ban nhân dân tỉnh.\n\n"
              "II. Thực hiện Quyết định số 12/QĐ-UBND của Ủy ban nhân dân tỉnh.\n")
    folder = make_corpus({
        "qd2022.txt": body.format(subject="thành lập tổ công tác"),
        "qd2022.meta.toml": 'date = "2022-03-01"\n',
        "qd2023.txt": body.format(subject="giao chỉ tiêu giảm nghèo"),
        "qd2023.meta.toml": 'date = "2023-05-10"\n',
        "kh.txt": citing,
    })
    build_index(folder, tmp_path / "index")
    catalog = open_current(tmp_path / "index").catalog
    links = {c["section_id"]: c["doc_id"] for c in catalog.cites("kh")}
    assert links == {"I": "qd2023", "II": None}
    assert [c["doc_id"] for c in catalog.cited_by("qd2023")] == ["kh"]
    assert catalog.cited_by("qd2022") == []
