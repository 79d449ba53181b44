"""Words the interfaces show for fields and their values (Vietnamese)."""

from indexer.model import SIDECAR, citing_document

# Where a metadata value came from (Metadata.sources), for people.
SOURCE_LABELS = {
    "header": "phần đầu văn bản",
    "place-date line": "dòng địa danh, ngày tháng",
    "signature": "khối chữ ký",
    "number suffix": "ký hiệu số",
    "text": "nội dung",
    "inferred from text": "suy ra từ nội dung",
    "inferred from title": "suy ra từ trích yếu",
    "inferred from place names": "suy ra từ địa danh",
    "Nơi nhận": "Nơi nhận",
    SIDECAR: "tệp bổ sung",
}
DOC_FIELDS = (
    ("doc_type", "Loại"),
    ("number", "Số"),
    ("date", "Ngày"),
    ("year", "Năm"),
    ("issuer", "Cơ quan ban hành"),
    ("province", "Tỉnh"),
    ("signer", "Người ký"),
    ("title", "Trích yếu"),
)


def source_label(source: str) -> str:
    if citing_document(source) is not None:
        return "theo văn bản dẫn chiếu " + citing_document(source)
    return SOURCE_LABELS.get(source, source)


SORT_LABELS = {"relevance": "Liên quan nhất", "date": "Mới nhất", "oldest": "Cũ nhất", "number": "Theo số ký hiệu"}
VIEW_LABELS = {"passages": "Đoạn văn", "documents": "Văn bản"}
GROUP_LABELS = {"parent": "theo mục", "document": "theo văn bản", "none": "không gộp"}
