"""Scanned PDFs read by OCR (indexer.ocr, Tesseract's Vietnamese model): a
sample document laid out as a PDF (tests/pdf_samples.py), rendered to page
images and written back without a text layer (tests/scan_samples.py), gives
the text's metadata and its passages; the document page says the text came
from OCR; a second build never OCRs the unchanged file again; a scan with
nothing on it, or a machine without Tesseract, is reported by name and
reason while the rest is indexed."""

import shutil
from dataclasses import asdict

import pytest

import indexer.ocr as ocr
from indexer.build import build_index
from indexer.metadata import extract_metadata
from indexer.parser import parse_document
from indexer.reader import read_document, read_text
from indexer.store import OCR_CACHE, open_current
from search_app import create_app
from search_app.search import search_page

from .conftest import CORPUS
from .pdf_samples import header_text, write_pdf
from .scan_samples import write_scan

SAMPLE = CORPUS / "003_064c99f8bc1e6bb7.txt"  # three pages: the OCR tests stay short


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    """The sample as a scanned PDF, and what OCR reads of it (read once)."""
    folder = tmp_path_factory.mktemp("scan")
    printed = folder / "printed.pdf"
    write_pdf(read_text(SAMPLE), printed, header=header_text(SAMPLE.stem))
    path = folder / f"{SAMPLE.stem}.pdf"
    pages = write_scan(printed, path)
    return path, pages, read_document(path)


def _blank_scan(path):
    from PIL import Image

    Image.new("L", (1654, 2339), 255).save(path, format="PDF", resolution=200)


def test_a_scan_is_read_by_ocr_with_the_metadata_of_its_text(scan):
    path, pages, read = scan
    assert read.origin == "ocr"
    assert [number for _, number in read.pages] == list(range(1, pages + 1))
    assert pages >= 2 and all(a < b for (a, _), (b, _) in zip(read.pages, read.pages[1:]))
    # The running header and the page numbers are left out.
    assert header_text(SAMPLE.stem) not in read.text
    scanned = asdict(extract_metadata(parse_document(SAMPLE.stem, read.text, path)))
    typed = asdict(extract_metadata(parse_document(SAMPLE.stem, read_text(SAMPLE), SAMPLE)))
    for key in ("doc_type", "number", "date", "issuer", "province", "title"):
        assert scanned[key] == typed[key], key
    assert "Báo cáo số 21-BC/BDVTU, ngày 26/11/2015" in read.text


def test_a_scanned_document_is_found_says_it_came_from_ocr_and_is_not_read_twice(scan, tmp_path, monkeypatch):
    path, _, _ = scan
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(path, corpus / path.name)
    shutil.copy(CORPUS / "000_8b1cbe83c3de1fbc.txt", corpus)
    root = tmp_path / "index"
    report = build_index(corpus, root, workers=1)
    assert (report.documents, report.skipped) == (2, [])
    opened = open_current(root)
    document = opened.documents[SAMPLE.stem]
    assert document["origin"] == "ocr"
    outline = opened.catalog.outline(SAMPLE.stem)
    assert outline and all("pages" in section for section in outline)
    page = search_page(opened, "giao lưu kết nghĩa xã thuần đồng bào")
    assert page.passages and page.passages[0].doc_id == SAMPLE.stem

    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    html = client.get(f"/doc/{SAMPLE.stem}").get_data(as_text=True)
    assert "nhận dạng chữ (OCR)" in html and "Trang 1" in html

    # A full rebuild reads the scan from the cache: Tesseract is not run again.
    def no_ocr(image):
        raise AssertionError("OCR ran again on an unchanged file")

    monkeypatch.setattr(ocr, "_tesseract", no_ocr)
    again = build_index(corpus, root, full=True, workers=1)
    assert (again.documents, again.skipped) == (2, [])
    assert open_current(root).catalog.outline(SAMPLE.stem) == outline
    # Removed from the corpus, its cached text goes with the next build.
    assert len(list((root / OCR_CACHE).iterdir())) == 1
    (corpus / path.name).unlink()
    build_index(corpus, root, workers=1)
    assert list((root / OCR_CACHE).iterdir()) == []


def test_scans_ocr_cannot_read_are_reported_and_the_rest_indexed(scan, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _blank_scan(corpus / "trang-trang.pdf")
    shutil.copy(CORPUS / "000_8b1cbe83c3de1fbc.txt", corpus)
    report = build_index(corpus, tmp_path / "index", workers=1)
    assert report.documents == 1
    assert [(s.file, s.reason) for s in report.skipped] == [("trang-trang.pdf", ocr.REASON_NOTHING)]

    # No Tesseract on the machine: the message says what to install.
    shutil.copy(scan[0], corpus / scan[0].name)
    monkeypatch.setattr(ocr, "TESSERACT", "tesseract-khong-co")
    report = build_index(corpus, tmp_path / "index2", workers=1)
    assert report.documents == 1
    reasons = {s.file: s.reason for s in report.skipped}
    assert reasons[scan[0].name] == ocr.REASON_MISSING
    assert "apt-get install tesseract-ocr tesseract-ocr-vie" in reasons[scan[0].name]


def test_ocr_layout_joins_lines_keeps_hard_breaks_and_drops_page_numbers():
    def line(text, left, top, right, height=40):
        words, x = [], left
        step = (right - left) // max(1, len(text.split()))
        for word in text.split():
            words.append(ocr._Word(word, x, top, x + step - 10, top + height))
            x += step
        return ocr._Line(words)

    body = [
        line("Ngày 26/11/2015, đồng chí Phó Bí thư chủ trì hội nghị sơ kết công tác", 200, 600, 2200),
        line("giao lưu kết nghĩa; đồng thời kết luận theo Báo cáo số 21-", 200, 650, 2195),
        line("BC/BDVTU như sau:", 200, 700, 800),
        line("1. Những kết quả đạt được", 200, 750, 900),
    ]
    signature = [line("K/T TRƯỞNG BAN", 1500, 2600, 1900), line("PHÓ TRƯỞNG BAN", 1500, 2650, 1900)]
    number = [line("- 2 -", 1100, 3350, 1180)]
    page = ocr._Page(2, 3508, [ocr._Paragraph(body), ocr._Paragraph(signature), ocr._Paragraph(number)])
    text = ocr._assemble([page]).text
    assert text == (
        "Ngày 26/11/2015, đồng chí Phó Bí thư chủ trì hội nghị sơ kết công tác giao lưu kết nghĩa; "
        "đồng thời kết luận theo Báo cáo số 21-BC/BDVTU như sau:\n\n1. Những kết quả đạt được\n\n"
        "K/T TRƯỞNG BAN\nPHÓ TRƯỞNG BAN\n"
    )


def test_a_roman_numeral_read_as_a_bar_is_put_right():
    assert ocr._roman("|. KẾT QUẢ THỰC HIỆN\nll. ĐÁNH GIÁ\n|ll. PHƯƠNG HƯỚNG") == (
        "I. KẾT QUẢ THỰC HIỆN\nII. ĐÁNH GIÁ\nIII. PHƯƠNG HƯỚNG"
    )
    assert ocr._roman("l. trong câu") == "l. trong câu"  # lower case after it: not a heading


def test_a_dash_spaced_on_one_side_gets_its_lost_space():
    assert ocr._spaced_dash("(2013 -2015), kinh tế -xã hội, 69-KL/TU, kinh tế-xã hội") == (
        "(2013 - 2015), kinh tế - xã hội, 69-KL/TU, kinh tế-xã hội"
    )
