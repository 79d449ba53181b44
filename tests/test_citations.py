"""Citations of other documents in running text (sentences from doc 001/002)."""

from __future__ import annotations

from indexer.citations import extract_citations

# Footnote 1 of doc 001.
FOOTNOTE = (
    "<sup>1</sup> Kết luận số 43-KL/TW, ngày 7/1/2019 của Ban Bí thư Trung ương Đảng về tiếp tục "
    "thực hiện Nghị quyết số 25-NQ/TW của Ban Chấp hành Trung ương Đảng khóa XI về \"Tăng cường và "
    "đổi mới sự lãnh đạo của Đảng đối với công tác dân vận trong tình hình mới\", Quyết định số "
    "310-QĐ/TU, ngày 03/12/2021 của Ban Thường vụ Tỉnh ủy về Quy chế công tác dân vận trong hệ "
    "thống chính trị, Quy chế số 14-QC/HU, ngày 18/02/2022 của Ban Thường vụ Huyện ủy về công tác "
    "dân vận của hệ thống chính trị, Quy định số 11-QĐ/TW, ngày 18/02/2019 của Bộ Chính trị về "
    "trách nhiệm của người đứng đầu"
)


def test_citations_of_a_footnote():
    found = [(c.key, c.doc_type, c.date, c.issuer) for c in extract_citations(FOOTNOTE)]
    assert found == [
        ("43-KL/TW", "Kết luận", "2019-01-07", "Ban Bí thư Trung ương Đảng"),
        ("25-NQ/TW", "Nghị quyết", "", "Ban Chấp hành Trung ương Đảng"),
        ("310-QD/TU", "Quyết định", "2021-12-03", "Ban Thường vụ Tỉnh ủy"),
        ("14-QC/HU", "Quy chế", "2022-02-18", "Ban Thường vụ Huyện ủy"),
        ("11-QD/TW", "Quy định", "2019-02-18", "Bộ Chính trị"),
    ]
    subjects = [c.subject for c in extract_citations(FOOTNOTE)]
    assert subjects[2] == "Quy chế công tác dân vận trong hệ thống chính trị"
    assert subjects[3] == "công tác dân vận của hệ thống chính trị"
    assert subjects[1] == "Tăng cường và đổi mới sự lãnh đạo của Đảng đối với công tác dân vận trong tình hình mới"


def test_subject_spans_and_number_as_written():
    sentence = (
        "1. Tiếp tục lãnh đạo, chỉ đạo đẩy mạnh công tác tuyên truyền, triển khai thực hiện Kết luận "
        "số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy về tiếp tục thực hiện Đề án tăng cường "
        "công tác dân vận trong vùng đồng bào dân tộc thiểu số ở các huyện biên giới tỉnh Lai Châu đến "
        "năm 2025, nhằm nâng cao nhận thức"
    )
    (c,) = extract_citations(sentence)
    assert (c.number, c.key, c.doc_type, c.date, c.issuer) == (
        "69-KL/TU", "69-KL/TU", "Kết luận", "2021-04-09", "Ban Thường vụ Tỉnh ủy"
    )
    assert c.subject.endswith("tỉnh Lai Châu đến năm 2025")
    assert c.subject.startswith("tiếp tục thực hiện Đề án")
    assert sentence[c.start : c.end] == "69-KL/TU"
    (c,) = extract_citations("triển khai thực hiện Kết luận 69 -KL/TU của Ban Thường vụ Tỉnh ủy ở một số đảng bộ")
    assert (c.number, c.key, c.doc_type, c.issuer, c.date) == ("69 -KL/TU", "69-KL/TU", "Kết luận", "Ban Thường vụ Tỉnh ủy", "")


def test_shared_suffix_gives_both_numbers():
    text = "theo Quyết định số 217, 218-QĐ/TW, ngày 12/12/2013 của Bộ Chính trị; tổ chức thực hiện"
    found = extract_citations(text)
    assert [(c.number, c.key, c.date, c.issuer) for c in found] == [
        ("217-QĐ/TW", "217-QD/TW", "2013-12-12", "Bộ Chính trị"),
        ("218-QĐ/TW", "218-QD/TW", "2013-12-12", "Bộ Chính trị"),
    ]
    assert text[found[0].start : found[0].end] == "217"


def test_state_style_dash_dates_and_issuers():
    text = (
        "triển khai hiệu quả Quyết định số 1219/QĐ-TTg, ngày 18/10/2024 của Thủ tướng Chính phủ phê "
        "duyệt Đề án; Nghị quyết số 04-NQ/TU ngày 01-10-1997 của Tỉnh ủy về công tác dân tộc; "
        "Chương trình hành động số 19-CTr/TU, ngày 03/4/2026 của Ban Thường vụ Tỉnh ủy thực hiện"
    )
    found = [(c.key, c.doc_type, c.date, c.issuer, c.subject) for c in extract_citations(text)]
    assert found == [
        ("1219/QD-TTG", "Quyết định", "2024-10-18", "Thủ tướng Chính phủ", ""),
        ("04-NQ/TU", "Nghị quyết", "1997-10-01", "Tỉnh ủy", "công tác dân tộc"),
        ("19-CTR/TU", "Chương trình", "2026-04-03", "Ban Thường vụ Tỉnh ủy", ""),
    ]


def test_own_number_line_and_stamp_are_not_citations():
    text = "Số 426-BC/HU\n\nSố đến: 819\n\nBÁO CÁO\n\nthực hiện Kế hoạch số 61-KH/HU"
    assert [c.key for c in extract_citations(text)] == ["61-KH/HU"]


def test_self_reference_across_markup():
    text = "*(Kèm theo Kế hoạch số 68-KH/ĐU ngày 19/4/2026*  \n*của Ban Thường vụ Đảng ủy UBND tỉnh)*"
    (c,) = extract_citations(text)
    assert (c.doc_type, c.date, c.issuer) == ("Kế hoạch", "2026-04-19", "Ban Thường vụ Đảng ủy UBND tỉnh")
