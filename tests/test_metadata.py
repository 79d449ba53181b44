"""Metadata of the five sample documents, as read by a person, and the rules
behind the tricky fields (stamps, study trips, citations, sidecars)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers.datafiles import DataFileError
from indexer.gazetteer import load_gazetteer, province_of_place
from indexer.metadata import (
    apply_sidecar,
    extract_metadata,
    formal_citation,
    load_sidecar,
    resolve_from_citations,
)
from indexer.model import METADATA_FIELDS, Metadata, ParsedDocument
from indexer.parser import parse_document
from indexer.reader import read_text
from indexer.issuers import canonical_issuer, issuer_level
from indexer.topics import document_topics, load_topics, section_topics, topics_for

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
D000, D001, D002, D003, D004 = (
    "000_8b1cbe83c3de1fbc",
    "001_b7d788ee9d07cfc0",
    "002_47ca4eed93e62be1",
    "003_064c99f8bc1e6bb7",
    "004_18f6aac5861878d1",
)


def _parse(doc_id: str) -> ParsedDocument:
    path = CORPUS / f"{doc_id}.txt"
    return parse_document(doc_id, read_text(path), path)


def _corpus() -> list[tuple[ParsedDocument, Metadata]]:
    docs = []
    for path in sorted(CORPUS.glob("*.txt")):
        parsed = _parse(path.stem)
        docs.append((parsed, extract_metadata(parsed)))
    return docs


@pytest.fixture(scope="module")
def corpus() -> dict[str, Metadata]:
    docs = _corpus()
    resolve_from_citations(docs)
    return {parsed.doc_id: meta for parsed, meta in docs}


# What a reader finds in each document: value and source of every field.
EXPECTED = {
    D000: {
        "mark": ("", None),  # no circulation mark on any sample
        "doc_type": ("Kết luận", "header"),
        # Lost in scanning: supplied by doc 001, which cites it by type, issuer and title.
        "number": ("69-KL/TU", f"citation in {D001}"),
        "date": ("2021-04-09", f"citation in {D001}"),
        "year": (2021, f"citation in {D001}"),
        "issuer": ("Ban Thường vụ Tỉnh ủy Lai Châu", "header"),
        "province": ("Lai Châu", "text"),
        "signer": ("Lê Văn Lương", "signature"),
        "title": (
            "Về tiếp tục thực hiện Đề án tăng cường công tác dân vận trong vùng đồng bào dân tộc "
            "thiểu số ở các huyện biên giới tỉnh Lai Châu đến năm 2025",
            "header",
        ),
        "recipients": (
            [
                "Các ban đảng, ban cán sự đảng, đảng đoàn, Ban Thường vụ Tỉnh đoàn",
                "Các huyện ủy, thành ủy, đảng ủy trực thuộc",
                "Các đ/c Ủy viên BTV Tỉnh ủy",
                "Lưu VPTU",
            ],
            "Nơi nhận",
        ),
    },
    D001: {
        "mark": ("", None),  # no circulation mark on any sample
        "doc_type": ("Báo cáo", "header"),
        "number": ("426-BC/HU", "header"),
        "date": ("2023-07-21", "place-date line"),
        "year": (2023, "place-date line"),
        # "T/M HUYỆN ỦY" + the place-date line "Tam Đường" (a district).
        "issuer": ("Huyện ủy Tam Đường", "signature"),
        "province": ("Lai Châu", "place-date line"),
        "signer": ("Cao Trang Trọng", "signature"),
        "title": (
            "Sơ kết giữa nhiệm kỳ thực hiện nghị quyết Đại hội Đảng bộ các cấp, Nghị quyết Đại hội "
            "Đảng bộ huyện lần thứ XX về công tác dân vận và Kết luận số 69-KL/TU, ngày 09/4/2021 "
            "của Ban Thường vụ Tỉnh ủy",
            "header",
        ),
        "recipients": (
            [
                "Ban Dân vận tỉnh ủy",
                "TT Huyện ủy, HĐND, lãnh đạo UBND huyện",
                "Các Ban đảng, Văn phòng cấp ủy",
                "MTTQ và các đoàn thể huyện",
                "Các chi, đảng bộ cơ sở",
                "Lưu",
            ],
            "Nơi nhận",
        ),
    },
    D002: {
        "mark": ("", None),  # no circulation mark on any sample
        "doc_type": ("Kế hoạch", "header"),
        "number": ("68-KH/ĐU", "header"),
        "date": ("2026-04-19", "place-date line"),
        "year": (2026, "place-date line"),
        # The appendix names it: "(Kèm theo Kế hoạch số 68-KH/ĐU … của Ban Thường vụ Đảng ủy UBND tỉnh)".
        "issuer": ("Ban Thường vụ Đảng ủy UBND tỉnh Lai Châu", "text"),
        "province": ("Lai Châu", "place-date line"),
        "signer": ("Tổng Thanh Hải", "signature"),
        "title": (
            "Triển khai thực hiện Kế hoạch số 60-KH/TU, ngày 26/3/2026 của Ban Thường vụ Tỉnh ủy "
            "thực hiện Kết luận số 236-KL/TW, ngày 15/01/2026 của Ban Bí thư về tiếp tục thực hiện "
            "Chỉ thị số 49-CT/TW, ngày 20/10/2015 của Ban Bí thư về tăng cường và đổi mới công tác "
            "dân vận ở vùng đồng bào dân tộc thiểu số",
            "header",
        ),
        "recipients": (
            [
                "Thường trực Tỉnh ủy (b/c)",
                "Ban Tuyên giáo và Dân vận Tỉnh ủy (b/c)",
                "Thường trực Đảng ủy (b/c)",
                "UBND tỉnh",
                "Các chi, đảng bộ trực thuộc",
                "Lưu VPĐU, BTGDVĐU",
            ],
            "Nơi nhận",
        ),
    },
    D003: {
        "mark": ("", None),  # no circulation mark on any sample
        # "THÔNG BÁO / KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY…" is a Thông báo.
        "doc_type": ("Thông báo", "header"),
        "number": ("", None),
        "date": ("", None),  # 26/11/2015 is the conference, not the issue date
        "year": (2015, "inferred from text"),
        # "CHÁNH VĂN PHÒNG" + "Lưu Văn phòng Tỉnh ủy"; the text never names the province.
        "issuer": ("Văn phòng Tỉnh ủy", "signature"),
        "province": ("", None),
        "signer": ("Lê Tấn Lai", "signature"),
        "title": (
            "Kết luận của Thường trực Tỉnh ủy tại Hội nghị sơ kết 03 năm (2013 - 2015) thực hiện "
            "công tác giao lưu, kết nghĩa với các xã thuần đồng bào dân tộc thiểu số",
            "header",
        ),
        "recipients": (
            [
                "Thường trực Tỉnh ủy",
                "Ủy ban Mặt trận Tổ quốc tỉnh",
                "Các đoàn thể chính trị - xã hội tỉnh",
                "Công an tỉnh; Bộ Chỉ huy Quân sự tỉnh",
                "Bộ Chỉ huy Bộ đội Biên Phòng tỉnh",
                "Ban Dân vận Tỉnh ủy",
                "Văn phòng Tỉnh ủy",
                "Các sở, ban, ngành liên quan",
                "Các huyện, thị, thành ủy, đảng ủy trực thuộc",
                "Lưu Văn phòng Tỉnh ủy",
            ],
            "Nơi nhận",
        ),
    },
    D004: {
        "mark": ("", None),  # no circulation mark on any sample
        "doc_type": ("Báo cáo", "header"),
        "number": ("", None),
        "date": ("", None),
        "year": (2023, "inferred from title"),
        # Joint report, but signed "K/T TRƯỞNG BAN" and filed "Lưu Ban Dân vận Tỉnh ủy".
        "issuer": ("Ban Dân vận Tỉnh ủy Thái Nguyên", "signature"),
        "province": ("Thái Nguyên", "text"),  # not Quảng Nam, the study-trip destination
        "signer": ("Nguyễn Thái Nam", "signature"),
        "title": (
            "Kết quả thực hiện Chương trình phối hợp công tác giữa Ban Dân vận Tỉnh ủy và Ban Dân "
            "tộc tỉnh năm 2023",
            "header",
        ),
        "recipients": (
            [
                "Thường trực Tỉnh ủy (báo cáo)",
                "Ban Dân tộc tỉnh",
                "Ban dân vận các huyện, thành ủy",
                "Phòng dân tộc các huyện, thành phố",
                "Văn phòng UBND thành phố Sông Công",
                "Lưu Ban Dân vận Tỉnh ủy",
            ],
            "Nơi nhận",
        ),
    },
}

@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
@pytest.mark.parametrize("field", METADATA_FIELDS)
def test_sample_document_field(corpus, doc_id, field):
    value, source = EXPECTED[doc_id][field]
    meta = corpus[doc_id]
    got = getattr(meta, field)
    if field == "recipients":
        got = [entry.rstrip(" ,;.") for entry in got]
    assert got == value
    assert meta.sources.get(field) == source


def test_receiving_stamp_is_neither_number_nor_date():
    text = "KẾT LUẬN\n\nVề việc A\n\nSố đến: 819-KL/TU\nNgày đến: 26.4.2021\n\nNội dung."
    head = ["KẾT LUẬN", "Về việc A", "Số đến: 819-KL/TU", "Ngày đến: 26.4.2021"]
    for parsed in (
        ParsedDocument("x", Path("x"), text, head, [], [], []),
        parse_document("x", text, Path("x.txt")),
    ):
        meta = extract_metadata(parsed)
        assert (meta.doc_type, meta.title) == ("Kết luận", "Về việc A")
        assert (meta.number, meta.date, meta.year) == ("", "", None)


def test_own_number_line_is_taken_but_cited_numbers_are_not():
    text = "Số: 12-KH/HU\n\nKẾ HOẠCH\n\nthực hiện Kết luận số 69-KL/TU của Tỉnh ủy\n\nNội dung."
    meta = extract_metadata(parse_document("x", text, Path("x.txt")))
    assert meta.number == "12-KH/HU"
    text = "KẾ HOẠCH\n\nthực hiện Kết luận số 69-KL/TU của Tỉnh ủy\n\nNội dung."
    meta = extract_metadata(parse_document("x", text, Path("x.txt")))
    assert meta.number == ""


@pytest.mark.parametrize(
    "text",
    [
        "Năm 2023, " + "công tác dân vận được triển khai rộng khắp, " * 60 + "đạt kết quả tốt.\n\n1. Kết quả\n\nNội dung.",
        "công tác dân vận " * 20_000,  # one huge line, no header
    ],
)
def test_a_document_without_header_gets_no_paragraph_for_title(text):
    # Regression: a fallback took the opening paragraph (or the whole file) as title.
    meta = extract_metadata(parse_document("x", text, Path("x.txt")))
    assert meta.title == ""


def test_period_is_not_a_year():
    head = ["BÁO CÁO", "Tổng kết Đề án giai đoạn 2016 - 2020, định hướng đến năm 2025"]
    meta = extract_metadata(ParsedDocument("x", Path("x"), "\n".join(head), head, [], [], []))
    assert (meta.date, meta.year) == ("", None)


def test_study_trip_province_is_not_the_issuers():
    trip = "Tổ chức đoàn đi học tập kinh nghiệm tại tỉnh Quảng Nam và các tỉnh miền Trung."
    meta = extract_metadata(ParsedDocument("x", Path("x"), trip, [], [], [], []))
    assert meta.province == ""
    home = "Tổ chức hội nghị người có uy tín tỉnh Quảng Nam."
    meta = extract_metadata(ParsedDocument("x", Path("x"), home, [], [], [], []))
    assert (meta.province, meta.sources["province"]) == ("Quảng Nam", "text")


def test_province_implied_by_district_names():
    text = "Kiểm tra tại các huyện: Võ Nhai, Đồng Hỷ, Định Hoá."
    meta = extract_metadata(ParsedDocument("x", Path("x"), text, [], [], [], []))
    assert (meta.province, meta.sources["province"]) == ("Thái Nguyên", "inferred from place names")


def test_gazetteer():
    assert len(load_gazetteer()) == 63
    assert province_of_place("Định Hoá") == province_of_place("dinh hoa") == "Thái Nguyên"
    assert province_of_place("Nậm Nhùn") == "Lai Châu"
    assert province_of_place("Quảng Nam") == "Quảng Nam"
    assert province_of_place("Springfield") == ""


# ------------------------------------------------------------------ citations


def test_formal_citations(corpus):
    assert formal_citation(corpus[D000]) == "Kết luận số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy Lai Châu"
    assert formal_citation(corpus[D001]) == "Báo cáo số 426-BC/HU, ngày 21/7/2023 của Huyện ủy Tam Đường"
    assert formal_citation(corpus[D004]) == (
        "Báo cáo kết quả thực hiện Chương trình phối hợp công tác giữa Ban Dân vận Tỉnh ủy và "
        "Ban Dân tộc tỉnh năm 2023 của Ban Dân vận Tỉnh ủy Thái Nguyên"
    )
    assert formal_citation(Metadata(doc_type="Kết luận", number="5-KL/TU", year=2020)) == "Kết luận số 5-KL/TU năm 2020"
    assert formal_citation(Metadata()) == "Văn bản"


def test_number_is_not_resolved_without_the_citing_document():
    parsed = _parse(D000)
    meta = extract_metadata(parsed)
    resolve_from_citations([(parsed, meta)])
    assert (meta.number, meta.date) == ("", "")
    assert (meta.year, meta.sources["year"]) == (2021, "inferred from text")  # the conference


def _citing(doc_id: str, sentence: str) -> tuple[ParsedDocument, Metadata]:
    text = f"Lai Châu, ngày 1 tháng 6 năm 2022\n\nBÁO CÁO\n\nTình hình tỉnh Lai Châu\n\n{sentence}\n"
    parsed = ParsedDocument(doc_id, Path(doc_id), text, [], [], [], [])
    return parsed, extract_metadata(parsed)


TITLE_000 = (
    "về tiếp tục thực hiện Đề án tăng cường công tác dân vận trong vùng đồng bào dân tộc thiểu số "
    "ở các huyện biên giới tỉnh Lai Châu đến năm 2025"
)


def test_resolution_is_conservative():
    target = _parse(D000)
    # Two documents cite the same title under different numbers: no number.
    meta = extract_metadata(target)
    resolve_from_citations(
        [
            (target, meta),
            _citing("a", f"Thực hiện Kết luận số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy {TITLE_000}."),
            _citing("b", f"Thực hiện Kết luận số 70-KL/TU, ngày 10/4/2021 của Ban Thường vụ Tỉnh ủy {TITLE_000}."),
        ]
    )
    assert meta.number == ""
    # Wrong type, other issuer, other title: no number.
    for sentence in (
        f"Thực hiện Kế hoạch số 69-KH/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy {TITLE_000}.",
        f"Thực hiện Kết luận số 69-KL/HU, ngày 09/4/2021 của Ban Thường vụ Huyện ủy {TITLE_000}.",
        "Thực hiện Kết luận số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy về công tác dân vận.",
    ):
        meta = extract_metadata(target)
        resolve_from_citations([(target, meta), _citing("c", sentence)])
        assert meta.number == "", sentence
    # A province's "Ban Thường vụ Tỉnh ủy" cited from another province is another body.
    meta = extract_metadata(target)
    parsed, other = _citing("d", f"Thực hiện Kết luận số 69-KL/TU của Ban Thường vụ Tỉnh ủy {TITLE_000}.")
    other.province = "Sơn La"
    resolve_from_citations([(target, meta), (parsed, other)])
    assert meta.number == ""


def test_resolution_never_overrides_a_sidecar():
    docs = _corpus()
    target = next(meta for parsed, meta in docs if parsed.doc_id == D000)
    apply_sidecar(target, {"number": "69-KL/TU", "date": "2021-04-10"}, "000.meta.toml")
    resolve_from_citations(docs)
    assert (target.date, target.sources["date"], target.sources["number"]) == ("2021-04-10", "sidecar", "sidecar")
    assert (target.year, target.sources["year"]) == (2021, "sidecar")


# ------------------------------------------------------------------ sidecar


def test_sidecar_overrides_fields(tmp_path):
    sidecar = tmp_path / "003_064c99f8bc1e6bb7.meta.toml"
    sidecar.write_text(
        'number = "197-TB/VPTU"\ndate = 2015-12-01\nprovince = "Quảng Nam"\n'
        'recipients = ["Thường trực Tỉnh ủy"]\n',
        encoding="utf-8",
    )
    meta = extract_metadata(_parse(D003))
    apply_sidecar(meta, load_sidecar(sidecar), sidecar.name)
    assert (meta.number, meta.date, meta.year, meta.province) == ("197-TB/VPTU", "2015-12-01", 2015, "Quảng Nam")
    assert meta.recipients == ["Thường trực Tỉnh ủy"]
    assert {meta.sources[f] for f in ("number", "date", "year", "province", "recipients")} == {"sidecar"}
    assert (meta.signer, meta.sources["signer"]) == ("Lê Tấn Lai", "signature")  # untouched


@pytest.mark.parametrize(
    "values, message",
    [
        ({"nguoi_ky": "Lê Tấn Lai"}, "không có khóa 'nguoi_ky'"),
        ({"year": "2015"}, "'year'"),
        ({"date": "26/11/2015"}, "'date'"),
        ({"recipients": "Thường trực Tỉnh ủy"}, "'recipients'"),
        ({"signer": 5}, "'signer'"),
        ({"date": "2015-11-26", "year": 2016}, "'year'"),
    ],
)
def test_bad_sidecar_raises_and_changes_nothing(values, message):
    meta = extract_metadata(_parse(D003))
    before = (meta.year, meta.signer, dict(meta.sources))
    with pytest.raises(ValueError, match=message) as error:
        apply_sidecar(meta, {"title": "Khác", **values}, "x.meta.toml")
    assert "x.meta.toml" in str(error.value)
    assert (meta.year, meta.signer, meta.sources) == before
    assert meta.title.startswith("Kết luận của Thường trực")


def test_invalid_toml_is_a_value_error(tmp_path):
    sidecar = tmp_path / "x.meta.toml"
    sidecar.write_text('number = "69-KL/TU\n', encoding="utf-8")
    with pytest.raises(ValueError, match="x.meta.toml"):
        load_sidecar(sidecar)


# ------------------------------------------------------------------ topics


def test_topic_list_is_the_closed_list():
    assert len(load_topics()) == 12
    assert [t.label for t in load_topics()][:2] == ["Kinh tế và giảm nghèo", "Rừng và môi trường"]


@pytest.mark.parametrize(
    "passage, expected",
    [
        (
            "Tổ chức, vận động nhân dân thực hiện tốt công tác bảo vệ và phát triển rừng; phòng, chống cháy rừng",
            ["Rừng và môi trường"],
        ),
        (
            "Triển khai sâu rộng phong trào “Bình dân học vụ số”; hướng dẫn đồng bào nâng cao kỹ năng số",
            ["Chuyển đổi số"],
        ),
        ("Bảo tồn, phát huy văn hoá truyền thống; đẩy lùi hủ tục lạc hậu", ["Văn hóa và hủ tục"]),  # "hoá" style
        ("TRIEN KHAI PHONG TRAO DAN VAN KHEO", ["Dân vận khéo"]),  # no diacritics, capitals
        ("phát huy vai trò của già làng, trưởng bản, người có uy tín", ["Người có uy tín"]),
        ("tổ chức tốt công tác bảo vệ rừng⁴ tại các bản", ["Rừng và môi trường"]),  # marker glued on
        ("Giáo dục kỹ năng sống cho trẻ", []),  # "kỹ năng số" is not inside "kỹ năng sống"
        ("Chuyên mục vềgiảm nghèo, giảm chi phí", []),  # nor is "giảm nghèo" inside "vềgiảm nghèo"
        ("Chuyen muc vegiam ngheo, giam chi phi", []),  # the same without diacritics
        ("Tổ chức hội nghị tổng kết công tác năm", []),
    ],
)
def test_topics_for(passage, expected):
    assert topics_for(passage) == expected


def test_topics_min_hits_and_order():
    text = "giảm nghèo, giảm nghèo; bảo vệ rừng; tôn giáo, tín ngưỡng, điểm nhóm"
    assert topics_for(text) == ["Kinh tế và giảm nghèo", "Rừng và môi trường", "Tôn giáo, tín ngưỡng"]
    assert topics_for(text, min_hits=2) == ["Kinh tế và giảm nghèo", "Tôn giáo, tín ngưỡng"]


@pytest.mark.parametrize(
    "loader, content",
    [(load_topics, "[[topic]]\nlabelx = 'x'\n"), (load_gazetteer, "[[province]]\nname = \n")],
)
def test_data_file_mistakes_name_the_file(tmp_path, loader, content):
    bad = tmp_path / "staff_edit.toml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError, match="staff_edit.toml"):
        loader(bad)


def test_section_topics_need_two_cues_and_documents_take_the_union():
    assert section_topics("Tổ chức hội nghị, trong đó có nội dung giảm nghèo.") == []  # in passing
    assert section_topics("Giảm nghèo bền vững; hỗ trợ hộ nghèo.") == ["Kinh tế và giảm nghèo"]
    forest, poverty = "Rừng và môi trường", "Kinh tế và giảm nghèo"
    # Each is the topic of one section; poverty has more cues in all of them.
    sections = [{forest: 2}, {forest: 1, poverty: 1}, {poverty: 1}, {poverty: 2}]
    assert document_topics(sections) == [poverty, forest]
    assert document_topics([{forest: 1, poverty: 1}]) == []  # each in passing only
    # Ties keep the order of the topic list, run after run.
    labels = [t.label for t in load_topics()]
    assert document_topics([{forest: 2, poverty: 2}]) == sorted([forest, poverty], key=labels.index)


@pytest.mark.parametrize(
    "written, canonical, level",
    [
        ("BAN THƯỜNG VỤ TỈNH UỶ LAI CHÂU", "Ban Thường vụ Tỉnh ủy Lai Châu", "Tỉnh"),
        ("ban thường vụ tỉnh ủy lai châu", "Ban Thường vụ Tỉnh ủy Lai Châu", "Tỉnh"),
        ("BTV  Tỉnh ủy", "Ban Thường vụ Tỉnh ủy", "Tỉnh"),
        ("HUYỆN ỦY TAM ĐƯỜNG", "Huyện ủy Tam Đường", "Huyện"),
        ("Ủy ban nhân dân tỉnh Lai Châu", "UBND tỉnh Lai Châu", "Tỉnh"),
        ("Ban Chấp hành Trung ương Đảng", "Ban Chấp hành Trung ương Đảng", "Trung ương"),
        ("Thủ tướng Chính phủ", "Thủ tướng Chính phủ", "Trung ương"),
        ("ĐẢNG ỦY XÃ BẢN BO", "Đảng ủy xã Bản Bo", "Cơ sở"),
        ("Thành ủy Hà Nội", "Thành ủy Hà Nội", "Tỉnh"),
        ("Thành ủy Lai Châu", "Thành ủy Lai Châu", "Huyện"),
    ],
)
def test_issuers_have_one_name_and_a_level(written, canonical, level):
    assert canonical_issuer(written) == canonical
    assert issuer_level(canonical) == level


def test_sample_issuers_and_levels(opened):
    found = {d["doc_id"][:3]: (d["issuer"], d["issuer_level"]) for d in opened.documents.values()}
    assert found == {
        "000": ("Ban Thường vụ Tỉnh ủy Lai Châu", "Tỉnh"),
        "001": ("Huyện ủy Tam Đường", "Huyện"),
        "002": ("Ban Thường vụ Đảng ủy UBND tỉnh Lai Châu", "Tỉnh"),
        "003": ("Văn phòng Tỉnh ủy", "Tỉnh"),
        "004": ("Ban Dân vận Tỉnh ủy Thái Nguyên", "Tỉnh"),
    }


@pytest.mark.parametrize(
    "stamp, mark",
    [("MẬT", "Mật"), ("- LƯU HÀNH NỘI BỘ -", "Lưu hành nội bộ"), ("<b>TỐI MẬT</b>", "Tối mật"), ("", "")],
)
def test_circulation_mark_is_read_where_it_is_stamped(stamp, mark):
    text = f"TỈNH ỦY LAI CHÂU\n{stamp}\nSố 12-TB/TU\n\nTHÔNG BÁO\nVề việc A\n\nGiữ mối quan hệ mật thiết với Nhân dân."
    meta = extract_metadata(parse_document("x", text, Path("x.txt")))
    assert meta.mark == mark
    assert meta.sources.get("mark") == ("text" if mark else None)


def test_a_word_in_a_sentence_is_no_circulation_mark():
    text = "THÔNG BÁO\nVề việc A\n\nNội dung mật\nLưu hành nội bộ trong chi bộ theo quy định."
    assert extract_metadata(parse_document("x", text, Path("x.txt"))).mark == ""
