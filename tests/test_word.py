"""Word (.docx) files read as well as the text files: the sample documents
made into .docx (tests/word_samples.py, real Word footnotes and tables) give
the same sections, metadata, citations and search results."""

import zipfile
from dataclasses import asdict

import docx
import pytest

from indexer.access import ACCESS_FILE
from indexer.build import build_index
from indexer.parser import parse_document
from indexer.reader import UnreadableFile, read_text
from indexer.store import open_current
from indexer.word import docx_text
from search_app.search import search_page

from .conftest import CORPUS
from .index_digest import index_digest
from .word_samples import write_docx

SAMPLES = sorted(CORPUS.glob("*.txt"))
QUERIES = ("dân vận", "dan van kheo", "69-KL/TU", "kết luận 69", "giao lưu kết nghĩa", "DTTS", "Móc khóa an ninh")


@pytest.fixture(scope="module")
def word_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("word")
    for path in SAMPLES:
        write_docx(read_text(path), folder / f"{path.stem}.docx")
    (folder / ACCESS_FILE).write_bytes((CORPUS / ACCESS_FILE).read_bytes())  # the archive's access, as its text twin's
    return folder


def _parsed(path, text):
    parsed = asdict(parse_document(path.stem, text, path))
    return {k: v for k, v in parsed.items() if k not in ("source", "text")}


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem[:3])
def test_a_docx_sample_parses_as_its_text(word_corpus, sample):
    word = word_corpus / f"{sample.stem}.docx"
    assert _parsed(word, read_text(word)) == _parsed(sample, read_text(sample))


def test_the_docx_corpus_indexes_and_searches_as_the_text_corpus(word_corpus, index_root, tmp_path):
    report = build_index(word_corpus, tmp_path / "index")
    assert (report.documents, report.skipped) == (5, [])
    word, text = index_digest(tmp_path / "index"), index_digest(index_root)
    assert word["sections"] == text["sections"]
    for catalog in (word["catalog"], text["catalog"]):
        files = {d.pop("file") for d in catalog["documents"]}
        assert {f.rsplit(".", 1)[0] for f in files} == {p.stem for p in SAMPLES}
    assert word["catalog"] == text["catalog"]
    for query in QUERIES:
        found = [search_page(open_current(root), query) for root in (tmp_path / "index", index_root)]
        assert [(p.doc_id, p.section_id, p.snippet) for p in found[0].passages] == [
            (p.doc_id, p.section_id, p.snippet) for p in found[1].passages
        ], query
        assert found[0].total == found[1].total > 0


def test_word_footnotes_go_with_the_section_holding_their_reference(word_corpus):
    with zipfile.ZipFile(word_corpus / "001_b7d788ee9d07cfc0.docx") as package:
        assert "word/footnotes.xml" in package.namelist()  # real Word footnotes, not text
    path = word_corpus / "001_b7d788ee9d07cfc0.docx"
    sections = {s.section_id: s for s in parse_document(path.stem, read_text(path), path).sections}
    notes = {n.marker: n.text for n in sections["phan-1-II-1"].footnotes}
    assert notes["1"].startswith("Kết luận số 43-KL/TW, ngày 7/1/2019")


def _document(tmp_path, build):
    document = docx.Document()
    build(document)
    path = tmp_path / "x.docx"
    document.save(str(path))
    return path


def test_heading_styles_bold_runs_and_tables_keep_their_meaning(tmp_path):
    def build(document):
        document.add_paragraph("BÁO CÁO", style="Title")
        document.add_paragraph("I. TÌNH HÌNH CHUNG", style="Heading 1")
        paragraph = document.add_paragraph()
        paragraph.add_run("1. Về công tác dân vận:").bold = True
        paragraph.add_run(" Ban Dân vận đã làm tốt.")
        table = document.add_table(rows=2, cols=3)
        for c, value in enumerate(["Stt", "Nội dung", "Ghi chú"]):
            table.cell(0, c).text = value
        table.cell(1, 1).text = "Giảm nghèo"  # empty cells on both sides

    text = docx_text(_document(tmp_path, build))
    assert "# BÁO CÁO" in text and "# **I. TÌNH HÌNH CHUNG**" in text  # Heading 1 is a bold style
    assert "**1. Về công tác dân vận:** Ban Dân vận đã làm tốt." in text
    assert "Stt\tNội dung\tGhi chú\n\tGiảm nghèo\t" in text


def test_tracked_changes_are_read_as_accepted_and_headers_left_out(tmp_path):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    def build(document):
        document.sections[0].header.paragraphs[0].text = "Đầu trang không phải nội dung"
        paragraph = document.add_paragraph("Tăng cường ")
        paragraph._p.append(parse_xml(
            f'<w:ins {nsdecls("w")} w:id="1" w:author="A"><w:r><w:t>công tác dân vận</w:t></w:r></w:ins>'
        ))
        paragraph._p.append(parse_xml(
            f'<w:del {nsdecls("w")} w:id="2" w:author="A"><w:r><w:delText> bỏ đi</w:delText></w:r></w:del>'
        ))
        paragraph.add_run(" ở cơ sở.")

    text = docx_text(_document(tmp_path, build))
    assert "Tăng cường công tác dân vận ở cơ sở." in text
    assert "bỏ đi" not in text and "Đầu trang" not in text


@pytest.mark.parametrize(
    "content", [b"PK\x03\x04 not really a zip", b"", b"just text in a .docx file"], ids=["broken zip", "empty", "text"]
)
def test_a_broken_docx_is_reported_by_reason(tmp_path, content):
    path = tmp_path / "hong.docx"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as error:
        read_text(path)
    assert "docx" in error.value.reason or "rỗng" in error.value.reason


def test_merged_cells_leave_every_value_under_its_header(tmp_path):
    def build(document):
        table = document.add_table(rows=4, cols=4)
        for c, value in enumerate(["Stt", "Nội dung", "Đơn vị tính", "Mục tiêu"]):
            table.cell(0, c).text = value
        table.cell(1, 0).merge(table.cell(2, 0)).text = "1"  # vMerge: one Stt for two rows
        table.cell(1, 1).text, table.cell(1, 2).text, table.cell(1, 3).text = "Giảm nghèo", "%", "4"
        table.cell(2, 1).text, table.cell(2, 2).text, table.cell(2, 3).text = "Tăng hộ giỏi", "%", "5"
        table.cell(3, 0).merge(table.cell(3, 1)).text = "Tổng hợp"  # gridSpan over two columns
        table.cell(3, 2).text, table.cell(3, 3).text = "%", "9"

    rows = docx_text(_document(tmp_path, build)).strip().split("\n")
    assert rows == [
        "Stt\tNội dung\tĐơn vị tính\tMục tiêu",
        "1\tGiảm nghèo\t%\t4",
        "\tTăng hộ giỏi\t%\t5",
        "Tổng hợp\t\t%\t9",
    ]


# ------------------------------------------------------------ Word 97–2003


def _libreoffice(source_dir, target, extension):
    """Convert every file of ``source_dir`` with LibreOffice into ``target``."""
    import subprocess

    profile = (target / "profile").as_uri()
    files = sorted(str(p) for p in source_dir.iterdir() if p.is_file() and p.name != ACCESS_FILE)
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", extension,
         "--outdir", str(target), *files],
        check=True, capture_output=True, timeout=300,
    )


@pytest.fixture(scope="module")
def doc_corpus(word_corpus, tmp_path_factory):
    """The .docx samples saved as Word 97–2003 by LibreOffice (through ODF:
    its direct .docx → .doc export drops python-docx's tables)."""
    odt = tmp_path_factory.mktemp("odt")
    _libreoffice(word_corpus, odt, "odt")
    folder = tmp_path_factory.mktemp("doc")
    _libreoffice(odt, folder, "doc")
    return folder


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem[:3])
def test_a_doc_sample_parses_as_its_text(doc_corpus, sample):
    word = doc_corpus / f"{sample.stem}.doc"
    assert _parsed(word, read_text(word)) == _parsed(sample, read_text(sample))


def test_a_doc_without_libreoffice_names_what_to_install(doc_corpus, monkeypatch):
    monkeypatch.setattr("indexer.word.SOFFICE", "khong-co-soffice")
    with pytest.raises(UnreadableFile, match="apt-get install libreoffice-writer-nogui"):
        read_text(doc_corpus / "003_064c99f8bc1e6bb7.doc")


def test_a_broken_doc_is_reported(tmp_path):
    path = tmp_path / "hong.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)  # an OLE header and nothing else
    with pytest.raises(UnreadableFile, match=r"\.doc"):
        read_text(path)


def test_two_files_with_one_id_are_reported_not_merged(word_corpus, make_corpus, tmp_path):
    stem = "003_064c99f8bc1e6bb7"
    corpus = make_corpus({f"{stem}.txt": (CORPUS / f"{stem}.txt").read_text(encoding="utf-8")})
    (corpus / f"{stem}.docx").write_bytes((word_corpus / f"{stem}.docx").read_bytes())
    report = build_index(corpus, tmp_path / "index")
    assert report.documents == 1
    assert [(s.file, s.reason) for s in report.skipped] == [
        (f"{stem}.txt", f"trùng mã văn bản “{stem}” với tệp {stem}.docx, tệp đó được đọc")
    ]
    assert open_current(tmp_path / "index").documents[stem]["file"] == f"{stem}.docx"


def test_runs_in_legacy_fonts_are_converted(tmp_path):
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    heading = document.add_paragraph().add_run("kÕt luËn")
    heading.font.name, heading.bold = ".VnTimeH", True  # capital font: lower-case codes drawn as capitals
    paragraph = document.add_paragraph()
    paragraph.add_run("cña Ban Th\xadêng vô ").font.name = ".VnTime"
    paragraph.add_run("(Unicode)")
    vni = document.styles.add_style("Vni", WD_STYLE_TYPE.PARAGRAPH)
    vni.font.name = "VNI-Times"  # the font comes from the paragraph style
    document.add_paragraph("Ñaûng boä tænh Lai Chaâu", style="Vni")
    path = tmp_path / "legacy.docx"
    document.save(path)
    assert docx_text(path) == "**KẾT LUẬN**\n\ncủa Ban Thường vụ (Unicode)\n\nĐảng bộ tỉnh Lai Châu\n"
