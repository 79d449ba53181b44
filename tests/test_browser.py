"""End to end in a real browser: `tracuu serve` as the README starts it,
driven in Debian's headless Chromium. Search, apply and clear a facet, open a
result at its section, copy a citation, and save screenshots (var/screenshots)."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import CORPUS, ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
SCREENSHOTS = ROOT / "var" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


TRACUU = shutil.which("tracuu", path=str(Path(sys.executable).parent)) or "tracuu"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`tracuu serve` on a fresh index folder: it builds the index first."""
    yield from _serve(CORPUS, tmp_path_factory.mktemp("browser-index"))


def _serve(corpus: Path, index_dir: Path):
    port = _free_port()
    process = subprocess.Popen(
        [TRACUU, "serve", "--index-dir", str(index_dir), "--corpus-dir", str(corpus), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                output = process.stdout.read()
                process.stdout.close()
                pytest.fail("tracuu serve did not start:\n" + output)
            time.sleep(0.3)
    yield base
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


@pytest.fixture(scope="module")
def browser():
    # The browser tests must run (CI installs chromium): a missing browser fails, never skips.
    assert CHROMIUM.exists(), "Chromium missing: apt-get install -y chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_search_filter_open_and_cite(server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    # Search, typed without diacritics.
    page.goto(server + "/")
    page.fill("#q", "dan toc thieu so")
    page.press("#q", "Enter")
    page.wait_for_selector("li.passage")
    summary = page.inner_text("p.summary")
    total = int(summary.split()[0])
    assert total > 10 and "dan toc thieu so" in summary
    marked = page.locator("li.passage").first.locator("mark").all_inner_texts()
    assert "dân tộc thiểu số" in [m.lower() for m in marked]

    # Apply a facet, then clear it.
    page.click("#facet-year a:has-text('2023')")
    page.wait_for_selector(".active-filters")
    assert "Năm 2023" in page.inner_text(".active-filters")
    filtered = int(page.inner_text("p.summary").split()[0])
    assert 0 < filtered < total
    years = page.locator("li.passage p.doc").all_inner_texts()
    assert years and all("2023" in line for line in years)
    page.screenshot(path=str(SCREENSHOTS / "search-filtered.png"), full_page=False)
    page.click(".active-filters a.chip")
    page.wait_for_selector("li.passage")
    assert page.locator(".active-filters").count() == 0
    assert int(page.inner_text("p.summary").split()[0]) == total

    # Copy a citation.
    first = page.locator("li.passage").first
    button = first.locator("button.copy")
    button.click()
    # A locator assertion, not wait_for_function: the page's CSP forbids the
    # eval that a string predicate needs.
    expect(button).to_contain_text("Đã sao chép")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == first.locator("textarea").input_value()
    assert "“" in copied and f"{server}/doc/" in copied and "#" in copied

    # Open a result at its section.
    link = first.locator("h3 a")
    href = link.get_attribute("href")
    section_id = href.split("#", 1)[1]
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith("#" + section_id) and "/doc/" in page.url
    target = page.locator(f"[id='{section_id}']")
    assert target.evaluate("element => element.matches(':target')")
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 900  # scrolled into view
    assert target.locator("mark").count() > 0  # the query's words are marked there
    page.screenshot(path=str(SCREENSHOTS / "document-section.png"))

    # A phone-sized window: nothing wider than the screen.
    phone = context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(server + "/?q=MTTQ")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone.screenshot(path=str(SCREENSHOTS / "search-phone.png"))
    phone.goto(server + "/doc/000_8b1cbe83c3de1fbc#bieu-tong-hop")  # a wide table
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SCREENSHOTS / "document-phone.png"))
    context.close()
    assert errors == []


def test_works_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "/?q=69-KL/TU")
    assert "Kết luận số 69-KL/TU" in page.inner_text("li.passage")
    assert page.locator("button.copy").first.is_hidden()  # the copy button needs JavaScript
    page.locator("li.passage details summary").first.click()
    citation = page.locator("li.passage textarea").first.input_value()
    assert citation.startswith("Kết luận số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy Lai Châu")
    context.close()



def test_a_table_keeps_its_columns_and_the_original_downloads(server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.goto(server + "/doc/000_8b1cbe83c3de1fbc#bieu-tong-hop")
    rows = page.locator("[id='bieu-tong-hop'] table tr")
    header = rows.nth(0).locator("th").all_inner_texts()
    assert header == ["Stt", "Nội dung", "Đơn vị tính", "Mục tiêu giai đoạn 2021-2025", "Ghi chú"]
    second = rows.nth(2).locator("td").all_inner_texts()
    assert second[:4] == ["", "Tăng tỷ lệ hộ sản xuất kinh doanh giỏi hàng năm.", "%", "5"]
    page.locator("[id='bieu-tong-hop']").screenshot(path=str(SCREENSHOTS / "document-table.png"))
    with page.expect_download() as download:
        page.click("text=Tải bản gốc (TXT)")
    saved = download.value.path()
    assert Path(saved).read_bytes() == (CORPUS / "000_8b1cbe83c3de1fbc.txt").read_bytes()
    assert download.value.suggested_filename == "000_8b1cbe83c3de1fbc.txt"
    context.close()


SECRET = "001_b7d788ee9d07cfc0"


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory):
    """A report restricted to group "bt", and a member added with the
    command the README gives, before the index exists."""
    corpus = tmp_path_factory.mktemp("guarded") / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / f"{SECRET}.meta.toml").write_text('access = "restricted"\ngroups = ["bt"]\nmark = "Mật"\n')
    index_dir = corpus.parent / "index"
    subprocess.run([TRACUU, "users", "add", "thanhvien", "--groups", "bt", "--index-dir", str(index_dir)],
                   input="mat-khau-dai-1\n", text=True, check=True, capture_output=True)
    yield from _serve(corpus, index_dir)


def test_sign_in_reads_the_restricted_report_and_sign_out_hides_it(guarded_server, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(guarded_server + f"/doc/{SECRET}")
    assert response.status == 404 and "Không tìm thấy văn bản" in page.inner_text("main")
    page.click("nav.account a:has-text('Đăng nhập')")
    page.fill("#username", "thanhvien")
    page.fill("#password", "sai-mat-khau")
    page.click("form button:has-text('Đăng nhập')")
    assert "không đúng" in page.inner_text("main")
    page.fill("#password", "mat-khau-dai-1")
    page.screenshot(path=str(SCREENSHOTS / "login.png"))
    page.click("form button:has-text('Đăng nhập')")
    page.wait_for_load_state()
    assert page.url == guarded_server + f"/doc/{SECRET}"  # back where sign-in was asked for
    assert "thanhvien" in page.inner_text("nav.account")
    assert page.locator("article .mark").first.inner_text().lower() == "mật"
    page.screenshot(path=str(SCREENSHOTS / "document-restricted.png"))
    page.goto(guarded_server + "/?q=camera")
    assert page.locator("li.passage").count() > 0
    page.click("nav.account button:has-text('Đăng xuất')")
    page.wait_for_load_state()
    assert "Đăng nhập" in page.inner_text("nav.account")
    page.goto(guarded_server + "/?q=camera")
    assert page.locator("li.passage").count() == 0
    assert page.goto(guarded_server + f"/doc/{SECRET}").status == 404
    context.close()
    assert errors == []


def test_basket_from_results_and_a_section_to_word_and_the_checker(server, browser, tmp_path):
    import html
    import re
    import zipfile

    import docx

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Two passages of the Kết luận from results, one of the report from its page.
    page.goto(server + "/?q=Ban+Cán+sự+Đảng&doc_type=Kết+luận&group=none")  # two of one heading
    page.locator("li.passage").nth(0).locator("button:has-text('Thêm vào tập trích dẫn')").click()
    assert "Đã thêm vào tập trích dẫn" in page.inner_text(".flash")
    page.locator("li.passage").nth(1).locator("button:has-text('Thêm vào tập trích dẫn')").click()
    page.goto(server + "/doc/001_b7d788ee9d07cfc0?q=dân+vận#phan-1-II-3")
    page.locator("[id='phan-1-II-3'] button:has-text('Thêm vào tập trích dẫn')").click()
    page.click("nav.account a.basket-link")
    items = page.locator("ol.basket-items > li")
    assert items.count() == 3 and "Tập trích dẫn (3)" in page.inner_text("nav.account")
    notes = [items.nth(i).locator("p.doc").inner_text() for i in range(3)]
    assert notes[2].startswith("Báo cáo số 426-BC/HU")
    items.nth(2).locator("button:has-text('Chuyển lên')").click()  # the report second
    order = [page.locator("ol.basket-items > li").nth(i).locator("p.doc").inner_text() for i in range(3)]
    assert order == [notes[0], notes[2], notes[1]]
    page.screenshot(path=str(SCREENSHOTS / "basket.png"), full_page=True)
    with page.expect_download() as download:
        page.click("a:has-text('Word (.docx)')")
    saved = tmp_path / "tap.docx"
    download.value.save_as(saved)
    quotes = [p.text for p in docx.Document(str(saved)).paragraphs if p.text.startswith("“")]
    assert len(quotes) == 3
    with zipfile.ZipFile(saved) as package:
        footnotes = package.read("word/footnotes.xml").decode("utf-8")
    texts = [html.unescape(" ".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", n)).strip())
             for n in re.findall(r'<w:footnote w:id="[1-9]\d*">(.*?)</w:footnote>', footnotes)]
    assert texts == order  # each footnote is the citation the basket showed
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless",
                    "--convert-to", "html", "--outdir", str(tmp_path), str(saved)],
                   check=True, capture_output=True, timeout=180)
    converted = (tmp_path / "tap.html").read_text(encoding="utf-8", errors="replace")
    flat = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", converted)).split())
    assert len(re.findall(r'<div id="sdfootnote\d+"', converted)) == 3
    assert all(" ".join(t.split()) in flat for t in texts)
    assert all(" ".join(q.split())[:60] in flat for q in quotes)

    # The checker on a draft with two planted errors.
    page.goto(server + "/")
    page.click("nav.account a:has-text('Kiểm tra dẫn chiếu')")
    page.fill("#draft", "Căn cứ Kết luận số 69-KL/TU, ngày 09/5/2021 của Ban Thường vụ Tỉnh ủy Lai Châu;\n"
                        "Căn cứ Báo cáo số 426-BC/HU, ngày 21/7/2023 của Huyện ủy Tam Đường;\n"
                        "Căn cứ Kế hoạch số 68-KH/ĐU, ngày 19/4/2026 của Ban Bí thư;\n"
                        "Căn cứ Nghị quyết số 12-NQ/TW;")
    page.click("form button:has-text('Kiểm tra')")
    assert page.inner_text("p.summary") == "1 khớp · 2 sai khác · 1 không có trong kho"
    flagged = page.locator("li.status-mismatch").all_inner_texts()
    assert "09/5/2021" in flagged[0] and "09/4/2021" in flagged[0] and "Ban Bí thư" in flagged[1]
    page.screenshot(path=str(SCREENSHOTS / "check.png"), full_page=True)
    context.close()
    assert errors == []
