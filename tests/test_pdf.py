"""PDF files with a text layer read as well as the text files: the sample
documents laid out as PDFs (tests/pdf_samples.py: a running header and page
numbers, justified paragraphs wrapped over lines and pages, superscript
footnote markers with the notes at the page's foot, bold headings, ruled
tables cut by page ends) give the same sections, footnotes, head, signature
and metadata as the text files. Damaged, locked and scanned PDFs are
refused with a reason; page starts point at each page's first text."""

import re
from dataclasses import asdict

import pytest

from indexer.metadata import extract_metadata
from indexer.pages import section_pages
from indexer.parser import parse_document
from indexer.pdf import BrokenPdf, NoTextLayer, pdf_text
from indexer.reader import read_text

from .conftest import CORPUS
from .pdf_samples import PAGE_H, Placed, header_text, write_lines, write_pdf

SAMPLES = sorted(CORPUS.glob("*.txt"))
# The layout of a Word export, and one with centred titles, ragged lines and
# the page number at the top (as Nghị định 30/2020 places it), no header.
LAYOUTS = {
    "word": dict(page_numbers="bottom", justify=True, centre=False),
    "centred": dict(page_numbers="top", justify=False, centre=True),
}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """(layout, stem) → (path, Layout, PdfText), made and read once."""
    folder = tmp_path_factory.mktemp("pdf")
    made = {}
    for name, options in LAYOUTS.items():
        (folder / name).mkdir()
        for sample in SAMPLES:
            path = folder / name / f"{sample.stem}.pdf"
            header = header_text(sample.stem) if name == "word" else None
            layout = write_pdf(read_text(sample), path, header=header, **options)
            made[name, sample.stem] = (path, layout, pdf_text(path))
    return made


def _parsed(path, text):
    parsed = parse_document(path.stem, text, path)
    fields = {k: v for k, v in asdict(parsed).items() if k not in ("source", "text")}
    return fields, asdict(extract_metadata(parsed))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem[:3])
def test_a_pdf_sample_parses_as_its_text(pdfs, sample, layout):
    path, _, read = pdfs[layout, sample.stem]
    pdf_fields, pdf_meta = _parsed(path, read.text)
    text_fields, text_meta = _parsed(sample, read_text(sample))
    # Sections (ids, headings, paths, text, footnotes), head lines,
    # recipients and signature; then the metadata drawn from them.
    assert pdf_fields == text_fields
    assert pdf_meta == text_meta


def _skeleton(text: str) -> str:
    """Letters and digits, lower case, markup and markers left out."""
    text = re.sub(r"<[^>]*>\d*(?:</sup>)?|[⁰¹²³⁴⁵⁶⁷⁸⁹]", "", text)
    return "".join(ch.lower() for ch in text if ch.isalnum())


@pytest.mark.parametrize("layout", LAYOUTS)
def test_running_headers_and_page_numbers_are_left_out(pdfs, layout):
    for sample in SAMPLES:
        _, drawn, read = pdfs[layout, sample.stem]
        assert len(drawn.first_lines) > 1  # every sample runs over pages
        assert "Tài liệu" not in read.text and "bản PDF" not in read.text
        lines = read.text.split("\n")
        assert not [line for line in lines if re.fullmatch(r"[\s\-–]*\d+[\s\-–]*", line)]


def test_the_text_keeps_bold_titles_markers_notes_and_tables(pdfs):
    _, drawn, read = pdfs["word", "001_b7d788ee9d07cfc0"]
    lines = read.text.split("\n")
    assert "**1. Tình hình chung**" in lines
    # A bold title over three lines stays one bold run, its lines kept.
    assert "**TÌNH HÌNH THỰC HIỆN NGHỊ QUYẾT ĐẠI HỘI ĐẢNG BỘ CÁC CẤP,\nNGHỊ QUYẾT" in read.text
    assert "về công tác dân vận<sup>1</sup>. Tổ chức 02 hội nghị" in read.text
    assert any(line.startswith("<sup>1</sup> Kết luận số 43-KL/TW, ngày 7/1/2019") for line in lines)
    assert sum(len(n) for n in drawn.notes) == 25  # every note stood at some page's foot
    # A paragraph the PDF wraps over many lines is one line of text.
    assert any(line.startswith("Tam Đường là huyện cửa ngõ") and line.endswith("còn lại là các dân tộc khác.") for line in lines)
    _, _, table = pdfs["word", "000_8b1cbe83c3de1fbc"]
    assert "Stt\tNội dung\tĐơn vị tính\tMục tiêu giai đoạn 2021-2025\tGhi chú\n1\tGiảm tỷ lệ hộ nghèo" in table.text
    assert "TỈNH ỦY LAI CHÂU\t\nBAN TUYÊN GIÁO\t\nSố đến:\t819" in table.text  # empty cells kept


def test_words_broken_after_a_hyphen_are_whole_again(pdfs):
    broken = sum(pdfs["word", s.stem][1].hyphen_breaks for s in SAMPLES)
    assert broken >= 3  # the layouts do break "69-" / "KL/TU" at line ends
    for sample in SAMPLES:
        _, _, read = pdfs["word", sample.stem]
        for number in re.findall(r"\b\d+-[A-ZĐ]+/[A-ZĐ]+\b", read_text(sample)):
            assert number in read.text


def test_page_starts_point_at_each_pages_first_text(pdfs):
    for (layout, stem), (_, drawn, read) in pdfs.items():
        assert [n for _, n in read.pages] == list(range(1, len(drawn.first_lines) + 1))
        offsets = [o for o, _ in read.pages]
        assert offsets[0] == 0 and offsets == sorted(offsets)
        for (offset, number), first, continued in zip(read.pages, drawn.first_lines, drawn.continued):
            at = _skeleton(read.text[offset : offset + 400])
            assert at.startswith(_skeleton(first)[:30]), (layout, stem, number)
            if continued:
                # A paragraph going on from the page before: the same line.
                assert read.text[offset - 1] in " -", (layout, stem, number)
                assert "\n" not in read.text[read.text.rfind("\n\n", 0, offset) + 2 : offset]


def test_sections_know_the_pages_they_stand_on(pdfs):
    """indexer.pages over the reader's text and page starts gives each
    section the pages the sample's layout drew its text on."""
    for sample in SAMPLES:
        path, drawn, read = pdfs["word", sample.stem]
        letters, page_of = [], []
        for page, text in drawn.lines:
            skeleton = _skeleton(text)
            letters.append(skeleton)
            page_of.extend([page] * len(skeleton))
        drawn_text = "".join(letters)
        parsed = parse_document(sample.stem, read.text, path)
        found = section_pages(parsed, read.text, read.pages)
        checked = 0
        for section in parsed.sections:
            body = _skeleton(section.text)
            if len(body) < 60:
                continue
            first = drawn_text.find(body[:48])
            last = drawn_text.find(body[-48:], first) + 47
            assert found[section.section_id] == [page_of[first], page_of[last]], (sample.stem, section.section_id)
            checked += 1
        assert checked >= 3


# ------------------------------------------------------------ hand-made pages


def test_two_columns_are_read_left_then_right(tmp_path):
    """The issuer beside the national motto, the number beside the date;
    "Nơi nhận" beside the signature."""
    body = "Ban Dân vận đã phối hợp tổ chức 12 hội nghị tuyên truyền về công tác dân vận."
    page = [
        Placed("ĐẢNG BỘ TỈNH LAI CHÂU", 85, 70), Placed("ĐẢNG CỘNG SẢN VIỆT NAM", 330, 70, bold=True),
        Placed("HUYỆN ỦY TAM ĐƯỜNG", 95, 84, bold=True),
        Placed("Số 426-BC/HU", 110, 104), Placed("Tam Đường, ngày 21 tháng 7 năm 2023", 318, 104),
        Placed("BÁO CÁO", 270, 140, bold=True),
        Placed("Kết quả thực hiện công tác dân vận năm 2023", 180, 154),
        Placed("I. KẾT QUẢ ĐẠT ĐƯỢC", 85, 185, bold=True),
        *[Placed(body, 85 + (28 if i % 2 == 0 else 0), 205 + 20 * i) for i in range(8)],
        Placed("Nơi nhận:", 85, 400, bold=True), Placed("T/M BAN THƯỜNG VỤ", 340, 400, bold=True),
        Placed("- Thường trực Tỉnh ủy,", 85, 413), Placed("PHÓ BÍ THƯ", 365, 413, bold=True),
        Placed("- Lưu VPHU.", 85, 426),
        Placed("Lê Văn Lương", 360, 480, bold=True),
    ]
    path = tmp_path / "cot.pdf"
    write_lines(path, [page])
    text = pdf_text(path).text
    assert text.index("Số 426-BC/HU") < text.index("ĐẢNG CỘNG SẢN VIỆT NAM")
    assert text.index("- Lưu VPHU.") < text.index("T/M BAN THƯỜNG VỤ")
    parsed = parse_document("cot", text, path)
    assert parsed.recipients == ["Thường trực Tỉnh ủy", "Lưu VPHU"]
    assert parsed.signature_lines == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Lê Văn Lương"]
    meta = extract_metadata(parsed)
    assert (meta.doc_type, meta.number, meta.date, meta.signer) == ("Báo cáo", "426-BC/HU", "2023-07-21", "Lê Văn Lương")
    assert [s.heading for s in parsed.sections if s.text] == ["I. KẾT QUẢ ĐẠT ĐƯỢC"]


def test_a_note_carried_to_the_next_page_stays_one_note(tmp_path):
    """Notes in smaller type at the foot, under a rule or not; a note Word
    carried over to the next page's foot is joined to its start."""
    line = "Huyện ủy quan tâm lãnh đạo, chỉ đạo đẩy mạnh công tác dân vận ở cơ sở."
    first = [Placed(line, 85, 100 + 16 * i) for i in range(12)]
    first[3] = Placed("Huyện ủy ban hành các văn bản về công tác dân vận<sup>1</sup>.", 85, 148)
    second = [Placed(line, 85, 100 + 16 * i) for i in range(12)]
    second[2] = Placed("Tổ chức quán triệt các quy chế<sup>2</sup>.", 85, 132)
    path = tmp_path / "chu-thich.pdf"
    write_lines(path, [
        [*first, Placed("<sup>1</sup> Kết luận số 43-KL/TW, ngày 7/1/2019 của Ban Bí thư về tiếp tục", 85, 760, size=9),
         Placed("thực hiện Nghị quyết số 25-NQ/TW", 85, 771, size=9), Placed("1", 290, PAGE_H - 30, size=9)],
        [*second, (85, 229, 735),
         Placed("của Ban Chấp hành Trung ương.", 85, 750, size=9),
         Placed("<sup>2</sup> Quy chế số 14-QC/HU, ngày 18/02/2022.", 85, 761, size=9), Placed("2", 290, PAGE_H - 30, size=9)],
    ])
    text = pdf_text(path).text
    assert "dân vận<sup>1</sup>." in text and "quy chế<sup>2</sup>." in text
    notes = [line for line in text.split("\n") if line.startswith("<sup>")]
    assert notes == [
        "<sup>1</sup> Kết luận số 43-KL/TW, ngày 7/1/2019 của Ban Bí thư về tiếp tục thực hiện "
        "Nghị quyết số 25-NQ/TW của Ban Chấp hành Trung ương.",
        "<sup>2</sup> Quy chế số 14-QC/HU, ngày 18/02/2022.",
    ]
    sections = parse_document("x", text, path).sections
    assert [n.marker for s in sections for n in s.footnotes] == ["1", "2"]


# ------------------------------------------------------------ refused files


@pytest.mark.parametrize(
    "content",
    [b"just text in a .pdf file", b"%PDF-1.7\n%%EOF\n", "truncated"],
    ids=["text", "header only", "truncated"],
)
def test_a_broken_pdf_is_refused_with_a_reason(tmp_path, content):
    if content == "truncated":
        whole = tmp_path / "whole.pdf"
        write_pdf(read_text(SAMPLES[3]), whole)
        content = whole.read_bytes()[:1500]
    path = tmp_path / "hong.pdf"
    path.write_bytes(content)
    with pytest.raises(BrokenPdf, match="tệp PDF hỏng hoặc không phải tệp PDF"):
        pdf_text(path)


def test_a_pdf_locked_by_a_password_is_refused_and_a_copy_protected_one_read(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption

    text = read_text(SAMPLES[3])
    locked = tmp_path / "khoa.pdf"
    write_pdf(text, locked, encrypt=StandardEncryption("matkhau", ownerPassword="chu", strength=128))
    with pytest.raises(BrokenPdf, match="mật khẩu"):
        pdf_text(locked)
    protected = tmp_path / "cam-sao-chep.pdf"
    write_pdf(text, protected, encrypt=StandardEncryption("", ownerPassword="chu", canCopy=0, strength=128))
    plain = tmp_path / "thuong.pdf"
    write_pdf(text, plain)
    assert pdf_text(protected).text == pdf_text(plain).text


def test_a_scan_without_a_text_layer_is_told_apart(tmp_path):
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    image = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(image)
    for y in range(200, 1500, 40):
        draw.rectangle((150, y, 1100, y + 18), fill=30)  # lines of "text" as a scanner sees them
    path = tmp_path / "ban-quet.pdf"
    canvas = Canvas(str(path), pagesize=A4)
    for _ in range(2):
        canvas.drawImage(ImageReader(image), 0, 0, *A4)
        canvas.showPage()
    canvas.save()
    with pytest.raises(NoTextLayer, match="bản quét") as error:
        pdf_text(path)
    assert not isinstance(error.value, BrokenPdf)


def test_the_pdf_corpus_indexes_and_searches_as_the_text_corpus(pdfs, index_root, tmp_path):
    import shutil

    from indexer.build import build_index
    from indexer.store import open_current
    from search_app.search import search_page

    from .index_digest import index_digest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for sample in SAMPLES:
        shutil.copy(pdfs["word", sample.stem][0], corpus / f"{sample.stem}.pdf")
    shutil.copy(CORPUS / "_access.toml", corpus)  # the archive's access, as its text twin's
    report = build_index(corpus, tmp_path / "index")
    assert (report.documents, report.skipped) == (5, [])
    pdf, text = index_digest(tmp_path / "index"), index_digest(index_root)
    assert pdf["sections"] == text["sections"]
    # Sections of a PDF know their pages; the text files' do not.
    paged = [s for d in pdf["catalog"]["documents"] for s in d["sections"] if "pages" in s]
    assert len(paged) > 40 and all(1 <= s["pages"][0] <= s["pages"][1] for s in paged)
    for catalog in (pdf["catalog"], text["catalog"]):
        for document in catalog["documents"]:
            document.pop("file")
            for section in document["sections"]:
                section.pop("pages", None)
    assert pdf["catalog"] == text["catalog"]
    for query in ("dân vận", "dan van kheo", "69-KL/TU", "giao lưu kết nghĩa", "Móc khóa an ninh"):
        found = [search_page(open_current(root), query) for root in (tmp_path / "index", index_root)]
        assert [(p.doc_id, p.section_id, p.snippet) for p in found[0].passages] == [
            (p.doc_id, p.section_id, p.snippet) for p in found[1].passages
        ], query
