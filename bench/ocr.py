"""OCR of scanned documents (indexer.ocr): accuracy against the known text,
and pages read a second.

Each sample document is laid out as a PDF (tests/pdf_samples.py: A4, a
running header, page numbers, footnotes, ruled tables), rendered to page
images at ``--dpi`` and written back without a text layer
(tests/scan_samples.py), as an office scanner gives it. OCR then reads it.

Accuracy is measured against the text layer of the PDF before scanning
(indexer.pdf reads it: the same words, without header and page numbers),
both without markup and with whitespace collapsed:

- character accuracy = 1 − (edit distance / characters of the reference),
  the edit distance counted per differing run of words (difflib aligns the
  words, Levenshtein counts the characters of each differing run);
- word accuracy = share of the reference's words aligned to the same word;
- whether the metadata (type, number, date, issuer, province, title) drawn
  from the OCR text equals that drawn from the text file.

Speed: pages a second with one process, and with ``--workers`` processes
over the files (the build runs OCR in its worker processes, one Tesseract
thread each). Medians of ``--runs`` runs.

    .venv/bin/python bench/ocr.py --runs 1
"""

from __future__ import annotations

import argparse
import difflib
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.metadata import extract_metadata  # noqa: E402
from indexer.ocr import ocr_pdf  # noqa: E402
from indexer.parser import parse_document  # noqa: E402
from indexer.pdf import pdf_text  # noqa: E402
from indexer.reader import read_text  # noqa: E402
from tests.pdf_samples import header_text, write_pdf  # noqa: E402
from tests.scan_samples import write_scan  # noqa: E402

METADATA = ("doc_type", "number", "date", "issuer", "province", "title")


def plain(text: str) -> str:
    text = re.sub(r"<sup>\d+</sup>", " ", text)
    text = re.sub(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+", " ", text)
    text = text.replace("\\*", "*").replace("**", "")
    return " ".join(text.split())


def levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def accuracy(reference: str, read: str) -> tuple[float, float]:
    """(character accuracy, word accuracy) of ``read`` against ``reference``."""
    ref, got = reference.split(), read.split()
    matcher = difflib.SequenceMatcher(None, ref, got, autojunk=False)
    errors = same = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            same += i2 - i1
        else:
            errors += levenshtein(" ".join(ref[i1:i2]), " ".join(got[j1:j2]))
    return 1 - errors / max(1, len(reference)), same / max(1, len(ref))


def metadata(stem: str, text: str, path: Path) -> dict:
    return asdict(extract_metadata(parse_document(stem, text, path)))


def _timed_ocr(path: str) -> tuple[float, int]:
    started = time.perf_counter()
    read = ocr_pdf(Path(path))
    return time.perf_counter() - started, len(read.pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dpi", type=int, default=200, help="scan resolution (default 200)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    samples = sorted((ROOT / "corpus").glob("*.txt"))
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        scans = []
        print(f"{'document':<24}{'pages':>6}{'chars':>8}{'char acc.':>11}{'word acc.':>11}{'s/page':>8}  metadata")
        total_pages = 0
        serial = []
        for sample in samples:
            printed = folder / f"{sample.stem}-printed.pdf"
            write_pdf(read_text(sample), printed, header=header_text(sample.stem))
            scan = folder / f"{sample.stem}.pdf"
            pages = write_scan(printed, scan, args.dpi)
            scans.append(str(scan))
            total_pages += pages
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                read = ocr_pdf(scan)
                times.append(time.perf_counter() - started)
            serial.append(statistics.median(times))
            reference = plain(pdf_text(printed).text)
            chars, words = accuracy(reference, plain(read.text))
            typed, scanned = metadata(sample.stem, read_text(sample), sample), metadata(sample.stem, read.text, scan)
            wrong = [key for key in METADATA if typed[key] != scanned[key]]
            print(
                f"{sample.stem:<24}{pages:>6}{len(reference):>8}{chars:>11.2%}{words:>11.2%}"
                f"{statistics.median(times) / pages:>8.2f}  {'same' if not wrong else 'differs: ' + ', '.join(wrong)}"
            )
        one = total_pages / sum(serial)
        walls = []
        for _ in range(args.runs):
            started = time.perf_counter()
            with ProcessPoolExecutor(args.workers) as pool:
                list(pool.map(_timed_ocr, sorted(scans, key=lambda p: -Path(p).stat().st_size)))
            walls.append(time.perf_counter() - started)
        many = total_pages / statistics.median(walls)
        print(f"\n{total_pages} pages at {args.dpi} dpi: {one:.2f} pages/s in one process, "
              f"{many:.2f} pages/s in {args.workers} ({many / one:.2f}x)")


if __name__ == "__main__":
    main()
