"""The pages staff use all day, in headless Chromium on desktop and phone
sizes: the documents view and several values per facet, filters from a
button on a phone, reading a long document (contents beside the text,
search within it, next/previous hit, footnotes and back), printing, the
keyboard, export, and an automated accessibility check (axe-core).
Screenshots go to var/screenshots."""

import io

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.test_browser import SCREENSHOTS, browser, server  # noqa: F401 - fixtures

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
REPORT = "001_b7d788ee9d07cfc0"  # 426-BC/HU: 13 pages, footnotes, a long outline


@pytest.fixture
def page(browser):  # noqa: F811 - the imported fixture
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    yield page
    context.close()
    assert errors == []


def test_documents_view_and_several_values_of_a_facet(server, page):  # noqa: F811
    page.goto(server + "/?q=giảm+nghèo")
    page.click("#facet-doc_type a:has-text('Kết luận')")
    page.click("#facet-doc_type a:has-text('Báo cáo')")  # a second value: either type
    chips = page.locator(".active-filters .chip").all_inner_texts()
    assert any("Kết luận" in c for c in chips) and any("Báo cáo" in c for c in chips)
    assert set(page.locator("li.passage p.doc .type").all_inner_texts()) == {"Kết luận", "Báo cáo"}
    page.click("nav.views a:has-text('Văn bản')")
    rows = page.locator("table.doc-table tbody tr")
    expect(rows.first).to_be_visible()
    assert page.locator("table.doc-table").inner_text().count("Kết luận") >= 1
    counts = [int(c) for c in page.locator("td.count").all_inner_texts()]
    assert sum(counts) == int(page.inner_text("p.summary").split("(")[1].split()[0])
    page.screenshot(path=str(SCREENSHOTS / "documents-view.png"))
    # The chip drops its own value only.
    page.click(".active-filters .chip:has-text('Kết luận')")
    chips = page.locator(".active-filters .chip").all_inner_texts()
    assert len(chips) == 1 and "Báo cáo" in chips[0]


def test_filters_open_from_a_button_at_the_top_on_a_phone(server, browser):  # noqa: F811
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(server + "/?q=dân+vận")
    button = page.locator("button.filters-toggle")
    box = button.bounding_box()
    assert box is not None and box["y"] < 250  # at the top, not below the results
    assert not page.locator("#facets").is_visible()
    button.click()
    expect(page.locator("#facets")).to_be_visible()
    assert button.get_attribute("aria-expanded") == "true"
    facet = page.locator("#facets").bounding_box()
    assert facet["y"] < 400  # the panel opens under the button
    page.screenshot(path=str(SCREENSHOTS / "filters-phone.png"))
    year = page.locator("#facet-year a:has-text('2023')")
    year.scroll_into_view_if_needed()
    before = year.bounding_box()["y"]
    year.click()
    assert "Năm 2023" in page.inner_text(".active-filters")
    # The panel is open again where the reader was, to choose another value.
    expect(page.locator("#facets")).to_be_visible()
    after = page.locator("#facet-year a.selected").bounding_box()["y"]
    assert abs(after - before) < 40, (before, after)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The documents view reads as one card a document, nothing to scroll sideways.
    page.goto(server + "/?q=69-KL/TU&view=documents")
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert "Số ký hiệu: 69-KL/TU" in page.locator("td.number").first.evaluate(
        "e => getComputedStyle(e, '::before').content.replace(/\"/g, '') + e.innerText"
    )
    page.screenshot(path=str(SCREENSHOTS / "documents-phone.png"))
    context.close()


def test_reading_a_long_document(server, page):  # noqa: F811
    page.goto(server + f"/doc/{REPORT}?q=rừng#phan-1-III-2-1")
    # Arriving from a search: the hits counted, the first one in the section current.
    count = int(page.inner_text(".hit-count").split()[0])
    assert count == page.locator(".document .section mark").count() > 1
    at = page.locator(".hit-at")
    first = at.inner_text()
    assert page.locator("[id='phan-1-III-2-1'] mark.current").count() == 1  # the arrival's first hit
    page.click("button.hit-next")
    assert at.inner_text() != first and page.locator("mark.current").count() == 1
    current = page.locator("mark.current").bounding_box()
    assert 0 < current["y"] < DESKTOP["height"]
    page.click("button.hit-prev")
    assert at.inner_text() == first
    # The contents stay beside the text while reading, the tools on top.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight * 0.4)")
    page.wait_for_timeout(200)
    toc = page.locator("#toc").bounding_box()
    tools = page.locator(".doc-tools").bounding_box()
    assert 0 <= toc["y"] < 50 and 0 <= tools["y"] < 50
    expect(page.locator("#toc a[aria-current]")).to_have_count(1)  # the section being read is marked
    page.screenshot(path=str(SCREENSHOTS / "document-reading.png"))
    # A footnote marker leads to its note and the note back to it.
    marker = page.locator("a.fn[id]").first
    marker_id = marker.get_attribute("id")
    marker.click()
    note = page.locator(f"[id='{marker.get_attribute('href')[1:]}']")
    assert note.evaluate("element => element.matches(':target')")
    note.locator("a.fn-back").click()
    assert page.url.endswith("#" + marker_id)
    # Search within the document.
    page.fill("#in-doc-q", "Mặt trận")
    page.press("#in-doc-q", "Enter")
    page.wait_for_selector(".hit-count")
    assert "Mặt trận" in page.inner_text(".hit-count")
    assert page.locator(".document .section mark").count() == int(page.inner_text(".hit-count").split()[0])
    assert "Kết quả tìm “rừng”" in page.inner_text("nav.back")  # the way back is still to the search


def test_contents_open_from_a_button_on_a_phone(server, browser):  # noqa: F811
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(server + f"/doc/{REPORT}")
    assert not page.locator("#toc").is_visible()
    page.click("button.toc-toggle")
    expect(page.locator("#toc")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "contents-phone.png"))
    page.locator("#toc a").nth(3).click()
    expect(page.locator("#toc")).to_be_hidden()  # closed once a section is chosen
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_printing_a_document_and_a_result_list(server, page):  # noqa: F811
    page.emulate_media(media="print")
    page.goto(server + f"/doc/{REPORT}")
    for hidden in (".top", ".toc", ".doc-tools", ".section-actions", ".back"):
        assert not page.locator(hidden).first.is_visible(), hidden
    foot = page.locator(".print-foot")
    expect(foot).to_be_visible()
    assert "Báo cáo số 426-BC/HU" in foot.inner_text() and f"/doc/{REPORT}" in foot.inner_text()
    page.pdf(path=str(SCREENSHOTS / "document-print.pdf"), format="A4")
    page.goto(server + "/?q=rừng")
    for hidden in (".top", "#facets", ".sort", ".actions", ".views"):
        assert not page.locator(hidden).first.is_visible(), hidden
    expect(page.locator("li.passage").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "results-print.png"))


def test_keyboard_skip_link_slash_and_headings(server, page):  # noqa: F811
    page.goto(server + "/?q=rừng")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # shown when focused
    page.keyboard.press("Enter")
    page.locator("main").click(position={"x": 5, "y": 5})
    page.keyboard.press("/")
    expect(page.locator("#q")).to_be_focused()
    outline = page.locator("#q").evaluate("e => getComputedStyle(e).outlineWidth")
    assert outline == "3px"  # the page's own focus ring, wider than the browser's
    # Error pages among them: a page of its own, whose 404 and 400 are expected.
    other = page.context.new_page()
    for url in ("/", "/?q=rừng", "/?q=zzqqxx", f"/doc/{REPORT}", "/doc/khong-co", "/?sort=x&q=a", "/basket", "/check"):
        other.goto(server + url)
        assert other.locator("h1").count() == 1, url
        assert other.locator("main").count() == 1 and other.locator("header").count() >= 1, url


def test_export_downloads_from_the_page(server, page):  # noqa: F811
    page.goto(server + "/?q=dân+tộc&view=documents")
    with page.expect_download() as download:
        page.click(".export a:has-text('Excel')")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    shown = int(page.inner_text("p.summary").split()[0])
    assert rows[2][0] == "Số ký hiệu" and len(rows) - 3 == shown
    assert download.value.suggested_filename == "ket-qua-tim-kiem.xlsx"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_serious_accessibility_violations(server, browser, viewport):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    axe = Axe()
    found = {}
    for name, url in (
        ("search", "/?q=giảm+nghèo"),
        ("documents", "/?q=giảm+nghèo&view=documents"),
        ("landing", "/"),
        ("document", f"/doc/{REPORT}?q=rừng"),
        ("empty", "/?q=zzqqxx"),
        ("error", "/?q=a&sort=x"),
        ("not found", "/doc/khong-co"),
    ):
        page.goto(server + url)
        violations = axe.run(page).response["violations"]
        bad = [(v["id"], v["impact"], v["nodes"][0]["target"]) for v in violations if v["impact"] in ("serious", "critical")]
        if bad:
            found[name] = bad
    context.close()
    assert found == {}


def test_advanced_search_and_a_new_query_keeping_filters(server, page):  # noqa: F811
    page.goto(server + "/")
    page.click("details.advanced summary")
    form = page.locator("form.advanced-form")
    form.locator("input[name=title]").fill("dân vận biên giới")
    form.locator("select[name=doc_type]").select_option("Kết luận")
    form.locator("input[name=date_from]").fill("2021-01-01")
    form.locator("input[value=documents]").check()
    page.screenshot(path=str(SCREENSHOTS / "advanced-search.png"))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("table.doc-table")
    assert "view=documents" in page.url and "doc_type=" in page.url and "date_from=2021-01-01" in page.url
    assert page.locator("td.number").all_inner_texts() == ["69-KL/TU"]
    chips = page.locator(".active-filters .chip").all_inner_texts()
    assert any("Trích yếu có: dân vận biên giới" in c for c in chips)
    # A new query from the box keeps the filters, and says so.
    page.fill("#q", "rừng")
    page.press("#q", "Enter")
    page.wait_for_selector("p.kept")
    assert "Vẫn đang áp dụng bộ lọc" in page.inner_text("p.kept")
    page.click("p.kept a")
    assert page.locator(".active-filters").count() == 0 and "rừng" in page.inner_text("p.summary")
