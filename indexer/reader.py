"""Reading document files: bytes → NFC text with ``\\n`` line ends.

Accepted encodings: UTF-8 (with or without BOM), UTF-16 with a BOM (LE or
BE) and BOM-less UTF-16, recognised by its NUL-byte pattern (every other
byte of ASCII text is NUL), and the legacy Vietnamese TCVN3 and VNI when
analyzers.legacy is sure of them (the document then carries a warning
naming the encoding). Anything else is refused with an
:class:`UnreadableFile` that carries a short Vietnamese reason for the user.

``.txt``, ``.md``, Word ``.docx`` and ``.doc`` and ``.pdf`` files are
documents (:data:`DOCUMENT_SUFFIXES`); a Word file is written out as the
text the parser reads (indexer.word; LibreOffice converts a .doc first), and
so is a PDF's text layer (indexer.pdf), with where its pages start, or,
for a scan, the text OCR reads on its pages (indexer.ocr).
Standard library only.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass, field
from pathlib import Path

from analyzers.legacy import decode_legacy
from analyzers.normalize import nfc

DOCUMENT_SUFFIXES = (".txt", ".md", ".docx", ".doc", ".pdf")

REASON_EMPTY = "tệp rỗng"
REASON_BINARY = "không phải văn bản (tệp nhị phân)"
REASON_UNDECODABLE = "không giải mã được: không phải UTF-8, UTF-16 hay mã TCVN3/VNI đủ chắc chắn"
LEGACY_WARNING = "{name}: tệp mã {encoding} (bảng mã cũ), đã tự chuyển sang Unicode"

# Control characters that never occur in a text document (tab, line feed,
# vertical tab, form feed and carriage return do).
_CONTROL = frozenset(chr(c) for c in range(32) if c not in (9, 10, 11, 12, 13)) | {"\x7f"}


# Text larger than this is not read (memory grows with it; no real
# document is near it): TRACUU_MAX_FILE_MB changes it. A Word or PDF file
# holds images too: its own size may be PACKED_FACTOR times that.
DEFAULT_MAX_FILE_MB = 10
PACKED_FACTOR = 10
PACKED_SUFFIXES = (".docx", ".doc", ".pdf")


def max_file_bytes() -> int:
    try:
        megabytes = float(os.environ.get("TRACUU_MAX_FILE_MB", DEFAULT_MAX_FILE_MB))
    except ValueError:
        megabytes = DEFAULT_MAX_FILE_MB
    return int(max(megabytes, 0.001) * 1_000_000)


def _too_large(size: int, limit: int) -> str:
    return (
        f"tệp quá lớn ({size / 1_000_000:.1f} MB, giới hạn {limit / 1_000_000:g} MB; "
        "đặt biến TRACUU_MAX_FILE_MB để đổi)"
    )


def size_problem(path: Path, size: int) -> str:
    """Why a document file of ``size`` bytes is not read, or ""."""
    limit = max_file_bytes()
    if Path(path).suffix.lower() in PACKED_SUFFIXES:
        limit *= PACKED_FACTOR
    return _too_large(size, limit) if size > limit else ""


class UnreadableFile(Exception):
    """A file that cannot be read as a document; ``reason`` is for the user."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


def is_document(path: Path) -> bool:
    """True for a file name that is a document (DOCUMENT_SUFFIXES, any case)."""
    return Path(path).suffix.lower() in DOCUMENT_SUFFIXES


def _utf16_without_bom(data: bytes) -> str | None:
    """The codec name when ``data`` looks like BOM-less UTF-16, else None.

    In UTF-16 the high byte of every ASCII character (spaces, digits, Latin
    letters: most of a Vietnamese text) is NUL, so NULs are frequent and sit
    almost all at odd offsets (little-endian) or at even offsets (big-endian).
    """
    if len(data) < 2 or len(data) % 2:
        return None
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    total = even + odd
    if total < max(1, len(data) // 10):
        return None
    if odd >= 0.9 * total:
        return "utf-16-le"
    if even >= 0.9 * total:
        return "utf-16-be"
    return None


def _reads_as_latin_script(text: str) -> bool:
    """BOM-less UTF-16 is a guess from NUL bytes: accept it only when the result
    reads as Vietnamese does, in Latin letters (a few bytes of binary with NULs
    otherwise "decode" to CJK or control characters)."""
    letters = sum(1 for ch in text if ch.isalpha())
    latin = sum(
        1
        for ch in text
        if ch.isspace() or (" " <= ch <= "\u024f") or ("\u1e00" <= ch <= "\u1eff") or ("\u2000" <= ch <= "\u206f")
        or ("\u0300" <= ch <= "\u036f")
    )
    return letters > 0 and latin >= 0.95 * len(text)


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    bad = sum(map(text.count, _CONTROL))  # a C scan per character, not a Python step per character
    return bad > max(2, len(text) // 100)


def decode_bytes(data: bytes) -> str:
    """Decode ``data``; raises ``ValueError`` with a reason for the user."""
    return _decode(data)[0]


def _decode(data: bytes) -> tuple[str, str]:
    """``(text, legacy encoding)``: the encoding is "TCVN3" or "VNI" for a
    legacy file, "" otherwise. Raises as ``decode_bytes``."""
    legacy = ""
    if data.startswith(codecs.BOM_UTF8):
        try:
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(REASON_UNDECODABLE) from None
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        codec = "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        try:
            text = data[2:].decode(codec)
        except UnicodeDecodeError:
            raise ValueError(REASON_UNDECODABLE) from None
    else:
        codec = _utf16_without_bom(data)
        if codec is not None:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise ValueError(REASON_BINARY) from None
            if not _reads_as_latin_script(text):
                raise ValueError(REASON_BINARY)
        elif b"\x00" in data:
            raise ValueError(REASON_BINARY)
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                # Old files typed in the .VnTime or VNI-Times fonts.
                decoded = decode_legacy(data)
                if decoded is None:
                    raise ValueError(REASON_UNDECODABLE) from None
                text, legacy = decoded
    if _looks_binary(text):
        raise ValueError(REASON_BINARY)
    text = text.lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = nfc(text)
    if not text.strip():
        raise ValueError(REASON_EMPTY)
    return text, legacy


@dataclass
class Decoded:
    """A document file's text, in the form the parser reads."""

    text: str
    # (offset in text, page number) where each page starts: paged originals only.
    pages: list[tuple[int, int]] = field(default_factory=list)
    # How the text was had when not as written: "ocr" for a scan.
    origin: str = ""
    # For the user, about how the file was read (a legacy encoding).
    warnings: list[str] = field(default_factory=list)


def read_document(path: Path, ocr_cache=None, notify=None, ocr: bool = True, max_pages: int | None = None) -> Decoded:
    """The text of a document file, with its pages when the original has
    them. Raises :class:`UnreadableFile` as ``read_text`` does.

    A scanned PDF is read by OCR (indexer.ocr): ``ocr_cache`` (an
    ``ocr.OcrCache``) keeps the result for the next build, ``notify`` is
    told the page being read. Without ``ocr`` a scan is refused, as is a
    PDF of more than ``max_pages`` pages (a web request reads no archive)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".docx", ".doc"):
        return _within_limit(path, Decoded(_read_docx(path)))
    if suffix == ".pdf":
        return _within_limit(path, _read_pdf(path, ocr_cache, notify, ocr, max_pages))
    text, legacy = _read_plain(path)
    return Decoded(text, warnings=[LEGACY_WARNING.format(name=path.name, encoding=legacy)] if legacy else [])


def _within_limit(path: Path, decoded: Decoded) -> Decoded:
    """The text a Word or PDF file gave is held to the text limit too."""
    size = len(decoded.text.encode("utf-8"))
    if size > max_file_bytes():
        raise UnreadableFile(path, _too_large(size, max_file_bytes()))
    return decoded


def read_text(path: Path) -> str:
    """The text of a document file: NFC, ``\\n`` line ends, BOM removed.

    Raises :class:`UnreadableFile` for an empty or whitespace-only file, a
    binary file, or bytes that are neither UTF-8 nor UTF-16.
    """
    return read_document(path).text


def _read_plain(path: Path) -> tuple[str, str]:
    """A text file's text and its legacy encoding ("" when Unicode)."""
    try:
        with open(path, "rb") as handle:  # never more than the limit in memory
            data = handle.read(max_file_bytes() + 1)
    except OSError as error:
        raise UnreadableFile(path, f"không đọc được tệp ({error.strerror or error})") from None
    if not data:
        raise UnreadableFile(path, REASON_EMPTY)
    if len(data) > max_file_bytes():
        raise UnreadableFile(path, _too_large(path.stat().st_size, max_file_bytes()))
    try:
        return _decode(data)
    except ValueError as error:
        raise UnreadableFile(path, str(error)) from None


def _read_pdf(path: Path, ocr_cache, notify, ocr: bool = True, max_pages: int | None = None) -> Decoded:
    from indexer.ocr import OcrFailed, OcrUnavailable, ocr_pdf  # pdfplumber loads only for PDFs
    from indexer.pdf import BrokenPdf, NoTextLayer, pdf_text

    origin = ""
    try:
        if path.stat().st_size == 0:
            raise UnreadableFile(path, REASON_EMPTY)
        try:
            read = pdf_text(path, max_pages)
        except NoTextLayer as error:
            if not ocr:
                raise UnreadableFile(path, str(error)) from None
            read, origin = ocr_pdf(path, ocr_cache, notify), "ocr"  # a scan
    except (BrokenPdf, OcrFailed, OcrUnavailable) as error:
        raise UnreadableFile(path, str(error)) from None
    except OSError as error:
        raise UnreadableFile(path, f"không đọc được tệp ({error.strerror or error})") from None
    if not read.text.strip():  # already NFC: page offsets point into it
        raise UnreadableFile(path, REASON_EMPTY)
    return Decoded(read.text, read.pages, origin)


def _read_docx(path: Path) -> str:
    from indexer.word import BrokenDocx, doc_text, docx_text  # python-docx loads only for Word files

    try:
        if path.stat().st_size == 0:
            raise UnreadableFile(path, REASON_EMPTY)
        text = doc_text(path) if path.suffix.lower() == ".doc" else docx_text(path)
    except BrokenDocx as error:
        raise UnreadableFile(path, str(error)) from None
    except OSError as error:
        raise UnreadableFile(path, f"không đọc được tệp ({error.strerror or error})") from None
    text = nfc(text)
    if not text.strip():
        raise UnreadableFile(path, REASON_EMPTY)
    return text
