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
