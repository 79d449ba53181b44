"""What a real folder holds besides documents never stops a build or the
server: broken and looping links, a link out of the folder, a FIFO, hidden
files, a name that is not UTF-8 (copied from an old Windows share), an
unreadable sidecar, a file over the size limit, a locked PDF. Each is one
skipped entry, reported by name and reason; the rest is indexed."""

import os
import subprocess
import sys

import pytest

from indexer.build import build_index, corpus_state, stale_reason
from indexer.store import open_current
from search_app.search import search_page

from .conftest import CORPUS

GOOD = CORPUS / "003_064c99f8bc1e6bb7.txt"
NON_UTF8 = b"v\xe0n b\xe3n c\xfb.txt"  # "văn bản cũ" in Windows-1258 bytes


@pytest.fixture
def messy(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / GOOD.name).write_bytes(GOOD.read_bytes())
    outside = tmp_path / "secret.txt"
    outside.write_text("mật khẩu quản trị: hunter2\n", encoding="utf-8")
    (corpus / "ra-ngoai.txt").symlink_to(outside)
    (corpus / "hong.txt").symlink_to(tmp_path / "khong-con.txt")
    (corpus / "vong.txt").symlink_to(corpus / "vong.txt")
    (corpus / "ban-sao.txt").symlink_to(corpus / GOOD.name)  # a link inside the folder is read
    os.mkfifo(corpus / "ong.txt")
    (corpus / ".an.txt").write_text("ẩn\n", encoding="utf-8")
    (corpus / "..x.txt").write_text("ẩn\n", encoding="utf-8")
    with open(os.fsencode(corpus) + b"/" + NON_UTF8, "wb") as handle:
        handle.write(GOOD.read_bytes())
    (corpus / "kl.txt").write_bytes((CORPUS / "004_18f6aac5861878d1.txt").read_bytes())
    (corpus / "kl.meta.toml").mkdir()  # a sidecar that cannot be read
    return corpus


def test_bad_entries_are_each_reported_and_the_rest_indexed(messy, tmp_path):
    report = build_index(messy, tmp_path / "index", workers=1)
    skipped = {s.file: s.reason for s in report.skipped}
    assert skipped == {
        "ra-ngoai.txt": "liên kết trỏ ra ngoài thư mục văn bản: không được đọc",
        "hong.txt": "liên kết tượng trưng hỏng (trỏ tới tệp không còn)",
        "vong.txt": "liên kết tượng trưng lặp vòng",
        "ong.txt": "không phải tệp thường (FIFO, thiết bị hay socket)",
        ".an.txt": "tệp ẩn (tên bắt đầu bằng dấu chấm) không được đọc",
        "..x.txt": "tệp ẩn (tên bắt đầu bằng dấu chấm) không được đọc",
        "v\ufffdn b\ufffdn c\ufffd.txt": "tên tệp không phải UTF-8 (chép từ máy Windows cũ?): hãy đổi tên tệp để lập chỉ mục",
        "kl.meta.toml/": "thư mục con không được đọc (chỉ các tệp ngay trong thư mục văn bản)",
    }
    assert report.documents == 3  # the sample, its link inside the folder, kl.txt without its sidecar
    assert any("kl.meta.toml" in w and "không đọc được" in w for w in report.warnings)
    opened = open_current(tmp_path / "index")
    assert set(opened.documents) == {GOOD.stem, "ban-sao", "kl"}
    assert "hunter2" not in str(opened.catalog.as_dict())
    assert all(p.doc_id != "ra-ngoai" for p in search_page(opened, "hunter2").passages)
    assert search_page(opened, "giao lưu kết nghĩa").total > 0


def test_the_cli_reports_them_and_exits_zero(messy, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "search_app.cli", "index", str(messy), "--index-dir", str(tmp_path / "index")],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "ong.txt: không phải tệp thường" in done.stderr
    assert "v\ufffdn b\ufffdn c\ufffd.txt: tên tệp không phải UTF-8" in done.stderr


def test_a_broken_link_does_not_stop_the_server_from_checking_its_index(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / GOOD.name).write_bytes(GOOD.read_bytes())
    build_index(corpus, tmp_path / "index", workers=1)
    assert stale_reason(corpus, tmp_path / "index") == ""
    (corpus / "hong.txt").symlink_to(tmp_path / "khong-con.txt")
    assert "hong.txt" in corpus_state(corpus)
    assert stale_reason(corpus, tmp_path / "index") == "thư mục văn bản đã thay đổi"
    report = build_index(corpus, tmp_path / "index", workers=1)
    assert (report.documents, [s.file for s in report.skipped]) == (1, ["hong.txt"])


def test_files_over_the_size_limit_are_reported_and_the_rest_indexed(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / GOOD.name).write_bytes(GOOD.read_bytes())
    (corpus / "lon.txt").write_text("Thông báo kết luận.\n" * 3000, encoding="utf-8")  # 72 KB
    monkeypatch.setenv("TRACUU_MAX_FILE_MB", "0.05")
    report = build_index(corpus, tmp_path / "index", workers=1)
    assert report.documents == 1
    assert [(s.file, s.reason) for s in report.skipped] == [
        ("lon.txt", "tệp quá lớn (0.1 MB, giới hạn 0.05 MB; đặt biến TRACUU_MAX_FILE_MB để đổi)")
    ]


def test_a_word_file_whose_text_is_over_the_limit_is_reported(tmp_path, monkeypatch):
    from indexer.reader import UnreadableFile, read_document

    from .word_samples import write_docx

    path = tmp_path / "lon.docx"
    write_docx("Thông báo kết luận của Ban Thường vụ.\n\n" * 3000, path)  # packed far below its text
    monkeypatch.setenv("TRACUU_MAX_FILE_MB", "0.05")
    assert path.stat().st_size < 500_000
    with pytest.raises(UnreadableFile, match="tệp quá lớn"):
        read_document(path)


def test_a_locked_pdf_and_a_broken_docx_beside_good_files(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption

    from indexer.reader import read_text

    from .pdf_samples import write_pdf

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / GOOD.name).write_bytes(GOOD.read_bytes())
    write_pdf(read_text(GOOD), corpus / "khoa.pdf", encrypt=StandardEncryption("matkhau", strength=128))
    (corpus / "hong.docx").write_bytes(b"PK\x03\x04 cut short")
    before = build_index(corpus, tmp_path / "index", workers=1)
    reasons = {s.file: s.reason for s in before.skipped}
    assert before.documents == 1 and set(reasons) == {"khoa.pdf", "hong.docx"}
    assert "mật khẩu" in reasons["khoa.pdf"] and "hỏng" in reasons["hong.docx"]
