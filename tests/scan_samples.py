"""Scanned versions of PDF files, for the OCR tests: each page rendered to a
greyscale image (as a scanner gives it) and written back as a PDF holding
only the images, no text layer. Made with pypdfium2 (rendering) and Pillow
(the image PDF), both already brought by pdfplumber."""

from __future__ import annotations

from pathlib import Path

SCAN_DPI = 200  # an office scanner's usual setting for text


def write_scan(source: Path, target: Path, dpi: int = SCAN_DPI) -> int:
    """Write ``target``, an image-only copy of the PDF ``source``; returns its page count."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(source))
    try:
        images = [pdf[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(pdf))]
    finally:
        pdf.close()
    images[0].save(target, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return len(images)
