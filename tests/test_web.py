"""The web UI and JSON API through Flask's test client, on the sample corpus
plus one hostile document (markup in its text)."""

import re
import shutil
import time
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from indexer.build import build_index
from indexer.store import current_generation
from search_app import create_app

from tests.conftest import CORPUS

HOSTILE = """ỦY BAN NHÂN DÂN TỈNH THỬ
Số: 12/BC-UBND

BÁO CÁO
Thử nghiệm <scr<script>ipt>alert(1)</scr</script>ipt> hiển thị

Hà Nội, ngày 05 tháng 3 năm 2024

I. NỘI DUNG THỬ
Chỉ tiêu 1 < 2 & 3 > 2, mô hình <b>đậm</b> đạt chuẩn<sup>1</sup> và "trích" 'đơn'.
<sup>1</sup> Ghi chú <scr<script>ipt>x</scr</script>ipt> về chuẩn.
"""

OPENING = "mo-dau"
K69 = "000_8b1cbe83c3de1fbc"
B426 = "001_b7d788ee9d07cfc0"
TB003 = "003_064c99f8bc1e6bb7"


@pytest.fixture(scope="module")
def web_index(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("webcorpus")
    for path in CORPUS.iterdir():
        if path.is_file():
            shutil.copy(path, corpus / path.name)
    (corpus / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    # An issuer whose name holds another issuer's whole name (003's).
    (corpus / "office.txt").write_text(HOSTILE.replace("12/BC-UBND", "14/BC-VPTU"), encoding="utf-8")
    (corpus / "office.meta.toml").write_text('issuer = "Văn phòng Tỉnh ủy Lai Châu"\n', encoding="utf-8")
    root = tmp_path_factory.mktemp("webindex")
    build_index(corpus, root)
    return root


@pytest.fixture(scope="module")
def client(web_index):
    app = create_app({"INDEX_DIR": str(web_index), "TESTING": True})
    return app.test_client()


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()


def html(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def marks(snippet_html):
    return [m.lower() for m in re.findall(r"<mark>(.*?)</mark>", snippet_html)]


# ---------------------------------------------------------------- search page


def test_search_page_shows_ranked_passages_with_document_and_breadcrumb(client):
    page = html(client, "/?q=công+tác+dân+vận")
    assert 'value="công tác dân vận"' in page  # the box keeps the query
    count = int(re.search(r"<strong>(\d+)</strong> đoạn văn bản khớp", page).group(1))
    items = re.findall(r'<li class="passage"', page)
    assert count > 10 and len(items) == 10
    assert "Huyện ủy Tam Đường" in page and "số 426-BC/HU" in page and "ngày 21/7/2023" in page
    assert 'class="crumbs"' in page and "<mark>" in page


def test_the_query_is_named_in_one_pair_of_quotes(client):
    phrase = html(client, "/?q=%22bảo+vệ+rừng%22")
    assert re.search(r"</strong> đoạn văn bản khớp &#34;bảo vệ rừng&#34;", phrase)
    words = html(client, "/?q=bảo+vệ+rừng")
    assert "</strong> đoạn văn bản khớp “bảo vệ rừng”" in words
    mixed = html(client, "/?q=%22dân+vận%22+khéo")
    assert "khớp “&#34;dân vận&#34; khéo”" in mixed


def test_unaccented_and_abbreviated_queries_are_highlighted(client):
    plain = get_json(client, "/api/search?q=dan+toc+thieu+so&per_page=5")
    assert plain["results"] and all(
        "dân tộc thiểu số" in marks(r["snippet_html"]) for r in plain["results"]
    )
    short = get_json(client, "/api/search?q=DTTS&per_page=10")
    found = {m for r in short["results"] for m in marks(r["snippet_html"])}
    assert {"dtts", "dân tộc thiểu số"} <= found


def test_pagination_splits_the_same_ranking(client):
    whole = get_json(client, "/api/search?q=dân+vận&per_page=20")
    first = get_json(client, "/api/search?q=dân+vận&per_page=10&page=1")
    second = get_json(client, "/api/search?q=dân+vận&per_page=10&page=2")
    key = lambda r: (r["doc_id"], r["section_id"])  # noqa: E731
    assert [key(r) for r in first["results"] + second["results"]] == [key(r) for r in whole["results"]]
    assert first["total"] == second["total"] == whole["total"]
    page = html(client, "/?q=dân+vận&page=2")
    assert 'rel="prev"' in page and 'aria-current="page">2<' in page
    past = html(client, "/?q=dân+vận&page=99")
    assert "Trang 99 không có kết quả" in past


def test_sort_by_date_puts_newest_first(client):
    data = get_json(client, "/api/search?q=dân+vận&sort=date&per_page=100")
    dates = [r["document"]["date"] or str(r["document"]["year"]) for r in data["results"]]
    assert dates == sorted(dates, reverse=True) and dates[0] == "2026-04-19"
    # Within a document, reading order.
    sections = [r["section_id"] for r in data["results"] if r["doc_id"] == K69]
    ids = [s["section_id"] for s in get_json(client, f"/api/documents/{K69}")["sections"]]
    assert sections == sorted(sections, key=ids.index)
    relevance = get_json(client, "/api/search?q=dân+vận&per_page=100")
    assert [r["score"] for r in relevance["results"]] == sorted(
        (r["score"] for r in relevance["results"]), reverse=True
    )


def test_facet_counts_add_up_and_selecting_keeps_alternatives(client):
    data = get_json(client, "/api/search?q=dân+vận&per_page=100")
    for facet in ("year", "doc_type", "issuer"):
        assert sum(v["count"] for v in data["facets"][facet]) == data["total"]
    years = {v["value"]: v["count"] for v in data["facets"]["year"]}
    chosen = get_json(client, "/api/search?q=dân+vận&year=2023&per_page=100")
    assert chosen["total"] == years[2023]
    assert {r["document"]["year"] for r in chosen["results"]} == {2023}
    # The year facet still offers the other years, with their counts.
    assert {v["value"]: v["count"] for v in chosen["facets"]["year"]} == years
    # Other facets count within the chosen year.
    assert sum(v["count"] for v in chosen["facets"]["doc_type"]) == years[2023]


def test_every_facet_value_filters_to_its_count(client):
    everything = get_json(client, "/api/search")
    assert {"Văn phòng Tỉnh ủy", "Văn phòng Tỉnh ủy Lai Châu"} <= {
        v["value"] for v in everything["facets"]["issuer"]
    }
    for facet, values in everything["facets"].items():
        for value in values:
            chosen = get_json(client, f"/api/search?{facet}={quote(str(value['value']))}")
            assert chosen["total"] == value["count"], (facet, value)
    # Part of a name still finds every issuer holding it.
    part = get_json(client, "/api/search?issuer=Văn+phòng")
    office = [v["count"] for v in everything["facets"]["issuer"] if v["value"].startswith("Văn phòng")]
    assert part["total"] == sum(office)


def test_topic_filter_counts_sections_with_that_topic(client):
    data = get_json(client, "/api/search?q=dân+vận&per_page=100")
    forest = {v["value"]: v["count"] for v in data["facets"]["topic"]}["Rừng và môi trường"]
    chosen = get_json(client, "/api/search?q=dân+vận&topic=Rừng+và+môi+trường&per_page=100")
    assert chosen["total"] == forest
    assert all("Rừng và môi trường" in r["topics"] for r in chosen["results"])


def test_facet_links_select_and_clear(client):
    page = html(client, "/?q=dân+vận")
    total = get_json(client, "/api/search?q=dân+vận")["total"]
    link = re.search(r'<a href="([^"]*year=2023[^"]*)"><span class="value">2023</span>', page).group(1)
    chosen = html(client, link.replace("&amp;", "&"))
    assert "Đang lọc:" in chosen and "Năm 2023" in chosen
    assert f"(chưa lọc: {total} đoạn)" in chosen
    clear = re.search(r'<a class="selected" href="([^"]*)"', chosen).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(clear).query) == {"q": ["dân vận"]}


def test_year_range_filters_and_bad_range_is_explained(client):
    data = get_json(client, "/api/search?q=dân+vận&year_from=2021&year_to=2023&per_page=100")
    assert data["total"] and {r["document"]["year"] for r in data["results"]} <= {2021, 2022, 2023}
    bad = get_json(client, "/api/search?q=dân+vận&year_from=2024&year_to=2021", status=400)
    assert "2024" in bad["error"]
    page = html(client, "/?q=dân+vận&year_from=2024&year_to=2021", status=400)
    assert "Khoảng năm không hợp lệ" in page


def test_empty_query_with_filter_lists_sections_by_date(client):
    data = get_json(client, "/api/search?issuer=Huyện+ủy+Tam+Đường&per_page=100")
    assert data["total"] > 10 and {r["doc_id"] for r in data["results"]} == {B426}
    positions = [r["section_id"] for r in data["results"]]
    assert positions[0] == OPENING  # reading order within the document
    landing = html(client, "/")
    assert "<strong>7</strong> văn bản" in landing and f"/doc/{K69}" in landing


def test_filters_do_not_loosen_the_query(client):
    # Every word is found, only not in 2015: say so, and offer the way out,
    # rather than show sections with some of the words.
    data = get_json(client, "/api/search?q=dân+vận+khéo&year=2015")
    assert data["total"] == 0 and data["notes"] == []
    page = html(client, "/?q=dân+vận+khéo&year=2015")
    assert re.search(r"Bỏ lọc “Năm 2015”</a> \(sẽ có \d+ đoạn\)", page)
    # The chosen year stays listed in its facet, to be cleared.
    assert re.search(r'class="selected"[^>]*>\s*<span class="value">2015</span> <span class="count">0</span>', page)


def test_spelling_suggestions(client):
    for typed, meant in (("bảo vê rừng", "bảo vệ rừng"), ("giảm nghéo", "giảm nghèo"), ("dân vânn", "dân vận")):
        assert get_json(client, f"/api/search?q={quote(typed)}")["suggestion"] == meant
    for typed in ("abcde fghij klmno", "dân vận"):
        assert get_json(client, f"/api/search?q={quote(typed)}")["suggestion"] is None


def test_every_result_opens_at_an_anchor_the_document_has(client):
    for q in ("426-BC/HU", "69-KL/TU", "dân vận", "giao lưu kết nghĩa"):
        for result in get_json(client, f"/api/search?q={quote(q)}&per_page=20")["results"]:
            path, _, anchor = result["url"].removeprefix("http://localhost").partition("#")
            page = html(client, path)
            assert not anchor or f'id="{anchor}"' in page, result["url"]
    opening = get_json(client, "/api/search?q=426-BC/HU")["results"][0]
    assert opening["url"] == f"http://localhost/doc/{B426}" and "“" not in opening["citation"]


def test_public_url_is_used_in_citations(web_index):
    app = create_app({"INDEX_DIR": str(web_index), "PUBLIC_URL": "https://tracuu.example.vn/"})
    result = app.test_client().get("/api/search?q=dân+vận&per_page=1").get_json()["results"][0]
    assert result["url"].startswith("https://tracuu.example.vn/doc/")
    assert result["citation"].endswith(f"({result['url']})")


def test_back_link_returns_to_the_same_results(client):
    page = html(client, "/?q=dân+vận&year=2023&sort=date&page=2")
    link = re.search(r'<h3><a href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query) == {"q": ["dân vận"], "year": ["2023"], "sort": ["date"], "page": ["2"]}
    document = html(client, link.split("#")[0])
    back = re.search(r'<nav class="back"[^>]*><a href="([^"]+)"', document).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(back).query) == parse_qs(urlsplit(link).query)


def test_document_with_a_vietnamese_file_name(tmp_path, make_corpus):
    corpus = make_corpus({"Kết luận bản sao (2).txt": HOSTILE})
    build_index(corpus, tmp_path / "index")
    client = create_app({"INDEX_DIR": str(tmp_path / "index")}).test_client()
    result = get_json(client, "/api/search?q=đạt+chuẩn")["results"][0]
    assert result["doc_id"] == "Kết luận bản sao (2)"
    assert client.get(urlsplit(result["url"]).path).status_code == 200
    assert get_json(client, "/api/documents/" + quote(result["doc_id"]))["doc_id"] == result["doc_id"]


def test_no_results_offers_a_way_out(client):
    page = html(client, "/?q=dân+vận&year=2015&doc_type=Kế+hoạch")
    assert "Không tìm thấy đoạn văn bản nào" in page
    assert re.search(r"Bỏ lọc “Loại văn bản: Kế hoạch”</a> \(sẽ có \d+ đoạn\)", page)
    typo = get_json(client, "/api/search?q=tuyen+truyenn")
    assert typo["suggestion"] == "tuyen truyen"
    assert "Có phải bạn muốn tìm" in html(client, "/?q=tuyen+truyenn")


# ---------------------------------------------------------------- citation


def test_citation_names_document_section_passage_and_permalink(client):
    data = get_json(client, "/api/search?q=Ban+Cán+sự+Đảng+UBND+tỉnh&doc_type=Kết+luận&per_page=5")
    hit = next(r for r in data["results"] if r["section_id"] == "3-2")
    # 69-KL/TU's number and date are read from the report citing it: flagged.
    assert hit["citation"].startswith(
        "Kết luận số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy Lai Châu"
        " [số ký hiệu, ngày: suy ra, chưa đối chiếu bản gốc], mục 3.2: “"
    )
    assert hit["citation"].endswith(f"” (http://localhost/doc/{K69}#3-2)")
    assert hit["url"] == f"http://localhost/doc/{K69}#3-2"
    item = get_json(client, "/api/search?q=Vận+động+nhân+dân+đẩy+mạnh+phát+triển+kinh+tế&doc_type=KL")["results"]
    nested = next(r for r in item if r["section_id"] == "2-1-i1")
    assert ", mục 2.1, điểm (1): “" in nested["citation"]
    page = html(client, "/?q=Ban+Cán+sự+Đảng+UBND+tỉnh&doc_type=Kết+luận&per_page=5")
    assert "mục 3.2: “" in page and 'class="copy"' in page


def test_citation_leaves_out_an_unknown_number_and_date(client):
    data = get_json(client, "/api/search?q=giao+lưu+kết+nghĩa&issuer=Văn+phòng+Tỉnh+ủy")
    citation = data["results"][0]["citation"]
    assert citation.startswith("Thông báo kết luận của Thường trực Tỉnh ủy")
    document_part = citation.split("“")[0]
    assert not document_part.startswith("Thông báo số") and "ngày" not in document_part


# ---------------------------------------------------------------- document page


def test_document_page_has_metadata_toc_anchors_notes_and_tables(client):
    page = html(client, f"/doc/{B426}")
    data = get_json(client, f"/api/documents/{B426}")
    assert "Huyện ủy Tam Đường" in page and "426-BC/HU" in page and "Cao Trang Trọng" in page
    assert "<dt>Nơi nhận</dt>" in page and "<li>MTTQ và các đoàn thể huyện</li>" in page
    for section in data["sections"][1:]:
        assert f'id="{section["section_id"]}"' in page
        assert f'href="#{section["section_id"]}"' in page  # in the table of contents
    assert re.search(r'<sup><a href="#fn-[^"]+-1" class="fn" id="fnref-[^"]+-1">1</a></sup>', page)
    assert 'id="fn-' in page and "Kết luận số 43-KL/TW" in page
    table = html(client, f"/doc/{K69}")
    assert "<table>" in table and "<th>Stt</th>" in table


def test_document_page_marks_inferred_number(client):
    page = html(client, f"/doc/{K69}")
    assert "69-KL/TU" in page
    inferred = re.search(r'<span class="inferred"[^>]*>(.*?)</span>', page, re.S).group(1)
    assert "suy ra từ văn bản dẫn chiếu" in inferred
    assert f'href="/doc/{B426}">Báo cáo số 426-BC/HU' in inferred


def test_document_page_highlights_the_query(client):
    page = html(client, f"/doc/{B426}?q=dan+van")
    assert "<mark>dân vận</mark>" in page.lower() and "chỗ khớp “dan van”" in page
    assert "<mark>" not in html(client, f"/doc/{B426}")
    # A misspelt diacritic: the words the search found are marked, not just "bảo".
    misspelt = html(client, f"/doc/{B426}?q=" + quote("bảo vê rừng"))
    assert "<mark>bảo vệ rừng</mark>" in misspelt.lower()
    exact = html(client, f"/doc/{B426}?q=" + quote("công tác dân vận"))
    assert "<mark>công tác dân vận</mark>" in exact.lower()


@pytest.mark.parametrize("doc_id", ["nope", "..%2F..%2Fetc%2Fpasswd", "000_8b1cbe83c3de1fbc.txt", "%00"])
def test_unknown_document_is_404(client, doc_id):
    assert "Không" in html(client, f"/doc/{doc_id}", status=404)
    assert "error" in get_json(client, f"/api/documents/{doc_id}", status=404)


# ---------------------------------------------------------------- JSON API


def test_api_search_shape(client):
    data = get_json(client, "/api/search?q=dân+vận&per_page=3")
    assert list(data)[:4] == ["query", "total", "page", "per_page"]
    assert set(data["facets"]) == {"year", "issuer", "level", "province", "doc_type", "signer", "topic"}
    result = data["results"][0]
    assert set(result) == {
        "doc_id", "section_id", "heading", "path", "text", "snippet_html", "score", "url",
        "citation", "topics", "document", "footnotes", "matched_in", "missing", "more", "more_count",
    }
    assert set(result["document"]) == {
        "doc_id", "title", "doc_type", "number", "date", "year", "issuer", "issuer_level", "province", "signer",
        "mark",
    }
    full = get_json(client, f"/api/documents/{result['doc_id']}")
    section = next(s for s in full["sections"] if s["section_id"] == result["section_id"])
    assert result["text"] == section["text"] and len(result["text"]) > len(re.sub("<[^>]+>", "", result["snippet_html"]))


def test_api_documents(client):
    documents = get_json(client, "/api/documents")["documents"]
    assert len(documents) == 7
    one = next(d for d in documents if d["doc_id"] == K69)
    assert one["number"] == "69-KL/TU" and one["date"] == "2021-04-09"
    full = get_json(client, f"/api/documents/{K69}")
    assert full["issuer"] == "Ban Thường vụ Tỉnh ủy Lai Châu"
    assert [s["section_id"] for s in full["sections"]][:3] == [OPENING, "1", "2"]
    assert set(full["sections"][0]) == {"section_id", "heading", "path", "text", "pages"}
    assert full["sections"][0]["pages"] is None and full["origin"] == ""  # a text file has no pages


@pytest.mark.parametrize(
    "query",
    [
        "year=abc", "year=99999", "year=2023&year_from=2020", "page=0", "page=-1", "per_page=0",
        "per_page=101", "per_page=x", "sort=alphabet", "doc_type=Sắc+lệnh", "topic=bóng+đá",
        "q=" + "a" * 1001, "q=%22%22", "q=(((", "issuer=" + "x" * 201,
        "year=%C2%B2", "per_page=%C2%B9", "page=%D9%A3", "year=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%93",
    ],
)
def test_bad_parameters_are_400_with_a_message(client, query):
    assert get_json(client, f"/api/search?{query}", status=400)["error"]
    assert 'class="error"' in html(client, f"/?{query}", status=400)


@pytest.mark.parametrize(
    "query",
    [
        "q=%00", "q=AND+OR+NOT", "q=*", "q=title:dân", "q=😀", "q=%E2%80%8B", "q=69-KL/TU",
        "q=kl+69", "q=“dân+vận”", "q=dân+vận&province=Mars", "q=\\", "q=%ED%A0%80",
        "q=dân&q=vận", "issuer=%3Cscript%3E", "q=" + "dân+" * 300,
    ],
)
def test_strange_queries_never_give_500(client, query):
    for url in (f"/?{query}", f"/api/search?{query}", f"/doc/{K69}?{query}"):
        assert client.get(url).status_code in (200, 400), url


# ---------------------------------------------------------------- safety


def test_document_text_is_escaped(client):
    page = html(client, "/doc/hostile")
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts == ['<script src="/static/app.js" defer>']
    assert "&lt;script&gt;" in page and "1 &lt; 2 &amp; 3 &gt; 2" in page
    assert "<b>" not in page  # the document's own markup is not passed through
    data = get_json(client, "/api/search?q=đạt+chuẩn")
    snippet = next(r["snippet_html"] for r in data["results"] if r["doc_id"] == "hostile")
    assert "<script" not in snippet and "&lt;" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_echoed_query_is_escaped(client):
    page = html(client, "/?q=%3Cscript%3Ealert(1)%3C/script%3E+dân+vận")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    page = html(client, "/?q=%22%3E%3Cimg+src%3Dx%3E")
    assert "<img" not in page


def test_security_headers_forbid_inline_script(client):
    for url in ("/", "/?q=dân+vận", f"/doc/{K69}", "/api/documents", "/nope"):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", body)  # no inline script
        assert not re.search(r"<[^>]*\son\w+=", body)  # no inline handlers


def test_unknown_page_and_api_path(client):
    assert "Không tìm thấy trang" in html(client, "/khong-co", status=404)
    assert get_json(client, "/api/khong-co", status=404)["error"]
    assert client.post("/api/search").status_code == 405


# ---------------------------------------------------------------- index life


def test_missing_index_is_a_clear_503(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    response = client.get("/?q=dân")
    assert response.status_code == 503 and "tracuu index" in response.get_data(as_text=True)
    assert "tracuu index" in get_json(client, "/api/search?q=dân", status=503)["error"]


def wait_for_switch(app, root) -> None:
    """Until the app serves the generation a rebuild just published: it is
    warmed in a thread first (search_app.indexes)."""
    deadline = time.monotonic() + 30
    while app.extensions["tracuu_index"].get().generation != current_generation(root).name:
        assert time.monotonic() < deadline, "the app never switched to the rebuilt index"
        time.sleep(0.01)


def served_hostile(tmp_path, make_corpus):
    """(corpus, index root, app, client) of an app serving the hostile
    document alone."""
    corpus = make_corpus({"a.txt": HOSTILE})
    root = tmp_path / "index"
    build_index(corpus, root)
    app = create_app({"INDEX_DIR": str(root)})
    return corpus, root, app, app.test_client()


def add_second_and_rebuild(corpus, root) -> None:
    (corpus / "b.txt").write_text(HOSTILE.replace("12/BC-UBND", "13/BC-UBND"), encoding="utf-8")
    build_index(corpus, root)


def test_app_picks_up_a_rebuilt_index(tmp_path, make_corpus):
    corpus, root, app, client = served_hostile(tmp_path, make_corpus)
    assert get_json(client, "/api/documents")["documents"][0]["doc_id"] == "a"
    add_second_and_rebuild(corpus, root)
    # Until the new generation is warm, the old one answers, whole.
    assert [d["doc_id"] for d in get_json(client, "/api/documents")["documents"]] in (["a"], ["a", "b"])
    wait_for_switch(app, root)
    assert [d["doc_id"] for d in get_json(client, "/api/documents")["documents"]] == ["a", "b"]
    assert get_json(client, "/api/search?q=13/BC-UBND")["results"][0]["doc_id"] == "b"


def test_a_rebuilt_index_is_warmed_on_the_searches_staff_made(tmp_path, make_corpus):
    from engine import engine_for
    from search_app.search import BM25_B, BM25_K1

    corpus, root, app, client = served_hostile(tmp_path, make_corpus)
    assert get_json(client, "/api/search?q=mô hình đạt chuẩn")["total"] == 1
    assert "Thử nghiệm" in client.get("/?q=thu+nghiem&year=2024").get_data(as_text=True)
    add_second_and_rebuild(corpus, root)
    get_json(client, "/api/documents")  # notices the rebuild
    wait_for_switch(app, root)
    engine = engine_for(app.extensions["tracuu_index"].get(), BM25_B, BM25_K1)
    # Read before anyone searched the new index: the API's and the page's search.
    assert engine.is_cached("body", "chuẩn") and engine.is_cached("body_fold", "nghiem")
    assert not engine.is_cached("body", "đơn")
    assert get_json(client, "/api/search?q=mô hình đạt chuẩn")["total"] == 2


def test_app_rereads_data_files_when_the_index_changes(tmp_path, make_corpus, monkeypatch):
    import indexer.topics

    corpus, root, app, client = served_hostile(tmp_path, make_corpus)
    reads = []
    real = indexer.topics.load_toml
    monkeypatch.setattr(indexer.topics, "load_toml", lambda path: reads.append(path) or real(path))
    get_json(client, "/api/search?q=đạt&topic=Chuyển+đổi+số")
    get_json(client, "/api/search?q=đạt&topic=Chuyển+đổi+số")
    settled = len(reads)
    get_json(client, "/api/search?q=đạt&topic=Chuyển+đổi+số")
    assert len(reads) == settled  # cached while the index stays
    build_index(corpus, root)  # as after an edit of topics.toml
    get_json(client, "/api/search?q=đạt&topic=Chuyển+đổi+số")
    wait_for_switch(app, root)
    get_json(client, "/api/search?q=đạt&topic=Chuyển+đổi+số")
    assert len(reads) > settled


def test_results_are_grouped_by_parent_heading_by_default(client):
    """One passage per parent heading, the rest behind "+N đoạn khác"; counts
    and facets stay per passage; grouping by document or none on request."""
    grouped = get_json(client, "/api/search?q=dân+vận&per_page=100")
    flat = get_json(client, "/api/search?q=dân+vận&per_page=100&group=none")
    by_document = get_json(client, "/api/search?q=dân+vận&per_page=100&group=document")
    assert grouped["grouped"] == "parent" and flat["grouped"] == "none" and by_document["grouped"] == "document"
    assert grouped["total"] == flat["total"] == by_document["total"] and grouped["facets"] == flat["facets"]
    assert len(grouped["results"]) == grouped["groups"] < flat["total"]
    assert sum(1 + r["more_count"] for r in grouped["results"]) == grouped["total"]
    shown = {(r["doc_id"], r["section_id"]) for r in grouped["results"]}
    behind = {(m["doc_id"], m["section_id"]) for r in grouped["results"] for m in r["more"]}
    assert not shown & behind and shown | behind == {(r["doc_id"], r["section_id"]) for r in flat["results"]}
    assert len({r["doc_id"] for r in by_document["results"]}) == len(by_document["results"]) == by_document["groups"]
    # The best passage of each group keeps its place in the ungrouped order.
    order = [(r["doc_id"], r["section_id"]) for r in flat["results"]]
    assert [order.index(k) for k in [(r["doc_id"], r["section_id"]) for r in grouped["results"]]] == sorted(
        order.index((r["doc_id"], r["section_id"])) for r in grouped["results"]
    )
    page = html(client, "/?q=dân+vận")
    assert "đoạn khác trong mục này</summary>" in page and "Gộp:" in page
    assert get_json(client, "/api/search?q=dân+vận&group=xyz", 400)["error"].startswith("Cách gộp không hợp lệ")


def test_oldest_first_page_sizes_and_topic_links(client):
    oldest = get_json(client, "/api/search?q=dân+vận&sort=oldest&per_page=100&group=none")
    dates = [r["document"]["date"] or str(r["document"]["year"]) for r in oldest["results"]]
    assert dates == sorted(dates) and dates[0].startswith("2015")
    listing = get_json(client, "/api/search?year=2023&sort=oldest&group=none")
    assert listing["sort"] == "oldest"
    page = html(client, "/?q=dân+vận")
    assert "Cũ nhất</a>" in page and "Mỗi trang:" in page and 'per_page=20">20</a>' in page.replace("&amp;", "&")
    tag = re.search(r'<a class="tag" href="([^"]+)"[^>]*>([^<]+)</a>', page)
    assert tag and "topic=" in tag.group(1)
    filtered = html(client, tag.group(1).replace("&amp;", "&"))
    assert f"Chủ đề: {tag.group(2)}" in filtered
    # A facet with no value at all is not shown as an empty box.
    assert '<p class="none">Không có</p>' not in page
