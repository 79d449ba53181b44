"""Reading one document by format: the sample corpus as ``.txt``, as Word
``.docx`` (tests/word_samples.py) and as PDF (tests/pdf_samples.py: A4,
header, page numbers, footnotes at the page foot, ruled tables), each file
read into the parser's text by its reader (indexer.reader.read_text,
indexer.word.docx_text, indexer.pdf.pdf_text) ``--runs`` times, in turn.

Prints, per format, the median time to read the five files, characters of
text a second, and, for PDF, pages a second: what a PDF costs an indexing
worker before parsing, next to the other formats.

    .venv/bin/python bench/formats.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.pdf import pdf_text  # noqa: E402
from indexer.reader import read_text  # noqa: E402
from indexer.word import docx_text  # noqa: E402
from tests.pdf_samples import header_text, write_pdf  # noqa: E402
from tests.word_samples import write_docx  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    samples = sorted((ROOT / "corpus").glob("*.txt"))
    with tempfile.TemporaryDirectory(prefix="tracuu-formats-") as work:
        folder = Path(work)
        pages = 0
        for sample in samples:
            text = read_text(sample)
            write_docx(text, folder / f"{sample.stem}.docx")
            layout = write_pdf(text, folder / f"{sample.stem}.pdf", header=header_text(sample.stem))
            pages += len(layout.first_lines)
        readers = {
            "txt": (read_text, [s for s in samples]),
            "docx": (docx_text, [folder / f"{s.stem}.docx" for s in samples]),
            "pdf": (pdf_text, [folder / f"{s.stem}.pdf" for s in samples]),
        }
        times: dict[str, list[float]] = {name: [] for name in readers}
        chars: dict[str, int] = {}
        for _ in range(args.runs):
            for name, (read, paths) in readers.items():
                started = time.perf_counter()
                texts = [read(path) for path in paths]
                times[name].append(time.perf_counter() - started)
                chars[name] = sum(len(t if isinstance(t, str) else t.text) for t in texts)
    print(f"{len(samples)} documents, {pages} PDF pages, {args.runs} runs, median:")
    for name, runs in times.items():
        median = statistics.median(runs)
        line = f"  {name:5} {median * 1000:8.1f} ms  {chars[name] / median / 1000:9.1f} k chars/s"
        if name == "pdf":
            line += f"  {pages / median:6.1f} pages/s"
        print(line)


if __name__ == "__main__":
    main()
