import unicodedata
from pathlib import Path

import pytest

from indexer.reader import (
    DOCUMENT_SUFFIXES,
    REASON_BINARY,
    REASON_EMPTY,
    REASON_UNDECODABLE,
    UnreadableFile,
    is_document,
    read_text,
)

SAMPLE = "KẾT LUẬN\nCủa Ban Thường vụ Tỉnh ủy về công tác dân vận.\n"


def write(tmp_path: Path, data: bytes, name: str = "doc.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_plain_utf8_is_read_unchanged(tmp_path):
    assert read_text(write(tmp_path, SAMPLE.encode("utf-8"))) == SAMPLE


def test_utf8_bom_is_removed(tmp_path):
    text = read_text(write(tmp_path, b"\xef\xbb\xbf" + SAMPLE.encode("utf-8")))
    assert text == SAMPLE
    assert "\ufeff" not in text


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded(tmp_path, codec):
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[codec]
    path = write(tmp_path, bom + SAMPLE.encode(codec))
    assert read_text(path) == SAMPLE


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_by_its_nul_bytes(tmp_path, codec):
    path = write(tmp_path, SAMPLE.encode(codec))
    assert read_text(path) == SAMPLE


def test_decomposed_input_is_returned_in_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", SAMPLE)
    assert nfd != SAMPLE
    text = read_text(write(tmp_path, nfd.encode("utf-8")))
    assert text == SAMPLE
    assert unicodedata.is_normalized("NFC", text)


def test_windows_and_old_mac_line_ends_become_newlines(tmp_path):
    text = read_text(write(tmp_path, b"a\r\nb\rc\n".replace(b"a", "Đảng".encode())))
    assert text == "Đảng\nb\nc\n"
    assert "\r" not in text


def test_empty_file_is_refused(tmp_path):
    path = write(tmp_path, b"")
    with pytest.raises(UnreadableFile) as error:
        read_text(path)
    assert error.value.reason == REASON_EMPTY == "tệp rỗng"
    assert error.value.path == path


def test_whitespace_only_file_is_refused_as_empty(tmp_path):
    with pytest.raises(UnreadableFile) as error:
        read_text(write(tmp_path, b" \r\n\t\n  \n"))
    assert error.value.reason == REASON_EMPTY


def test_binary_file_is_refused(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00\x5c\x72\xa8\x66"
    with pytest.raises(UnreadableFile) as error:
        read_text(write(tmp_path, png * 20, "image.txt"))
    assert error.value.reason == REASON_BINARY == "không phải văn bản (tệp nhị phân)"


def test_a_few_binary_bytes_are_not_taken_for_utf16(tmp_path):
    # NULs at even offsets look like BOM-less UTF-16 but decode to no text.
    with pytest.raises(UnreadableFile) as error:
        read_text(write(tmp_path, b"\x00\x01\x02\x03\x00\x05\x06\x07"))
    assert error.value.reason == REASON_BINARY


def test_all_byte_values_are_refused_as_binary(tmp_path):
    with pytest.raises(UnreadableFile) as error:
        read_text(write(tmp_path, bytes(range(256)) * 4))
    assert error.value.reason == REASON_BINARY


def test_garbage_bytes_are_refused_as_undecodable(tmp_path):
    with pytest.raises(UnreadableFile) as error:
        read_text(write(tmp_path, b"Ket luan \xff\xfe\xfd so 69 \x81\x8d"))
    assert error.value.reason == REASON_UNDECODABLE
    assert "TCVN3" in error.value.reason


def test_truncated_utf16_after_bom_is_refused(tmp_path):
    with pytest.raises(UnreadableFile) as error:
        read_text(write(tmp_path, b"\xff\xfe\xfd"))
    assert error.value.reason == REASON_UNDECODABLE


def test_legacy_single_byte_text_is_refused_with_a_hint(tmp_path):
    data = "Café résumé: Ban Dân vận".encode("cp1252", errors="replace")
    with pytest.raises(UnreadableFile) as error:
        read_text(write(tmp_path, data))
    assert "UTF-8" in error.value.reason and "TCVN3/VNI" in error.value.reason
    assert str(error.value).endswith(error.value.reason)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(UnreadableFile) as error:
        read_text(tmp_path / "khong-co.txt")
    assert error.value.reason.startswith("không đọc được tệp")


def test_text_word_and_pdf_files_are_documents():
    assert DOCUMENT_SUFFIXES == (".txt", ".md", ".docx", ".doc", ".pdf")
    assert is_document(Path("a/KL-69.TXT")) and is_document(Path("b.md")) and is_document(Path("c.DOCX"))
    assert is_document(Path("c.Pdf"))
    assert not is_document(Path("d.meta.toml")) and not is_document(Path("e.odt"))


def test_sample_corpus_files_read_as_nfc_without_carriage_returns():
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    files = sorted(corpus.glob("*.txt"))
    assert len(files) == 5
    for path in files:
        text = read_text(path)
        assert "\r" not in text
        assert unicodedata.is_normalized("NFC", text)



def test_legacy_tcvn3_and_vni_files_are_read_with_a_warning(tmp_path):
    from analyzers.legacy import encode_legacy
    from indexer.reader import read_document

    text = "Thông báo kết luận của Ban Thường vụ Tỉnh ủy về công tác dân vận\n"
    for encoding in ("TCVN3", "VNI"):
        path = write(tmp_path, encode_legacy(text, encoding), f"{encoding}.txt")
        assert read_text(path) == text
        assert read_document(path).warnings == [f"{encoding}.txt: tệp mã {encoding} (bảng mã cũ), đã tự chuyển sang Unicode"]
    assert read_document(write(tmp_path, text.encode("utf-8"), "utf8.txt")).warnings == []


def test_a_tcvn3_sample_gets_the_title_and_headings_of_its_unicode_text(tmp_path):
    # TCVN3 has no accented capitals: a heading "BÁO CÁO" came back "báO CáO".
    from analyzers.legacy import encode_legacy
    from indexer.build import load_corpus

    sample = Path(__file__).resolve().parents[1] / "corpus" / "004_18f6aac5861878d1.txt"
    (tmp_path / "utf8").mkdir()
    (tmp_path / "tcvn3").mkdir()
    (tmp_path / "utf8" / sample.name).write_bytes(sample.read_bytes())
    (tmp_path / "tcvn3" / sample.name).write_bytes(encode_legacy(sample.read_text(encoding="utf-8"), "TCVN3"))
    (utf8,), _ = load_corpus(tmp_path / "utf8")
    (tcvn3,), _ = load_corpus(tmp_path / "tcvn3")
    assert tcvn3.metadata.title == utf8.metadata.title
    assert [s.heading for s in tcvn3.parsed.sections] == [s.heading for s in utf8.parsed.sections]
