import re
from functools import cache
from pathlib import Path

import pytest

from indexer.parser import _Unit, parse_document
from indexer.reader import read_text

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

PART_ONE = (
    "Phần thứ nhất. TÌNH HÌNH THỰC HIỆN NGHỊ QUYẾT ĐẠI HỘI ĐẢNG BỘ CÁC CẤP, NGHỊ QUYẾT ĐẠI HỘI "
    "ĐẢNG BỘ TỈNH LẦN THỨ XIV, ĐẢNG BỘ HUYỆN LẦN THỨ XX VÀ KẾT LUẬN SỐ 69-KL/TU CỦA BAN THƯỜNG VỤ TỈNH ỦY"
)


@cache
def doc(prefix: str):
    (path,) = CORPUS.glob(f"{prefix}_*.txt")
    return parse_document(path.stem, read_text(path), path)


def section(prefix: str, heading_start: str, nth: int = 0):
    found = [s for s in doc(prefix).sections if s.heading.startswith(heading_start)]
    assert len(found) > nth, f"no section {heading_start!r} in {prefix}"
    return found[nth]


def outline(prefix: str, max_level: int = 99):
    return [(s.level, s.heading) for s in doc(prefix).sections[1:] if s.level <= max_level]


ALL = ["000", "001", "002", "003", "004"]


# ---------------------------------------------------------------- outlines


def test_doc001_top_two_levels_follow_parts_and_roman_numbering():
    assert outline("001", 2) == [
        (1, PART_ONE),
        (2, "I. TÌNH HÌNH NHÂN DÂN, DÂN TỘC, TÔN GIÁO"),
        (2, "II. TÌNH HÌNH THỰC HIỆN NGHỊ QUYẾT ĐẠI HỘI ĐẢNG BỘ CÁC CẤP, NGHỊ QUYẾT ĐẠI HỘI ĐẢNG BỘ HUYỆN LẦN THỨ XX VỀ CÔNG TÁC DÂN VẬN"),
        (2, "III. TÌNH HÌNH TRIỂN KHAI, THỰC HIỆN KẾT LUẬN 69-KL/TU CỦA BAN THƯỜNG VỤ TỈNH ỦY"),
        (2, "IV. ĐÁNH GIÁ CHUNG"),
        (1, "Phần thứ hai. NHIỆM VỤ VÀ GIẢI PHÁP CHỦ YẾU ĐẾN NĂM 2025"),
        (2, "I. NHIỆM VỤ VÀ GIẢI PHÁP CHỦ YẾU THỰC HIỆN CÔNG TÁC DÂN VẬN ĐẾN NĂM 2025"),
        (2, "II. NHIỆM VỤ VÀ GIẢI PHÁP CHỦ YẾU THỰC HIỆN KẾT LUẬN 69 -KL/TU CỦA TỈNH ỦY ĐẾN NĂM 2025"),
    ]


def children(prefix: str, parent_heading: str) -> list[str]:
    parent = section(prefix, parent_heading)
    return [s.heading for s in doc(prefix).sections if s.path == parent.path + (parent.heading,)]


def test_doc001_arabic_headings_are_children_of_their_roman_heading():
    assert children("001", "I. TÌNH HÌNH NHÂN DÂN") == [
        "1. Tình hình chung",
        "2. Những vấn đề Nhân dân quan tâm",
        "3. Tình hình dân tộc, tôn giáo",
    ]
    assert children("001", "III. TÌNH HÌNH TRIỂN KHAI") == [
        "1. Công tác lãnh đạo, chỉ đạo triển khai thực hiện Kế hoạch",
        "2. Tình hình thực hiện các mục tiêu, nhiệm vụ, giải pháp",
    ]
    assert children("001", "IV. ĐÁNH GIÁ CHUNG") == [
        "1. Kết quả đạt được",
        "2. Hạn chế, khuyết điểm và nguyên nhân",
    ]


def test_doc001_out_of_order_numbering_nests_where_it_stands():
    assert children("001", "2. Hoạt động của các Ban Chỉ đạo") == [
        "2.2. Ban Chỉ đạo về thực hiện QCDC huyện",
        "2.1. Ban Chỉ đạo CTTG huyện",
    ]


def test_doc001_restarted_and_ocr_broken_numbering_nest_under_nearest_parent():
    cause = section("001", "1.2.2. Nguyên nhân")
    assert cause.heading == "1.2.2. Nguyên nhân"
    assert cause.path == (
        PART_ONE,
        "IV. ĐÁNH GIÁ CHUNG",
        "2. Hạn chế, khuyết điểm và nguyên nhân",
        "1.2. Về thực hiện Kết luận 69 -KL/TU của Tỉnh ủy",
    )
    assert cause.level == 5
    assert cause.text.startswith("Trình độ, nhận thức của Nhân dân còn hạn chế")
    assert children("001", "2. Hạn chế, khuyết điểm và nguyên nhân") == [
        "1.1. Về thực hiện công tác dân vận",
        "1.2. Về thực hiện Kết luận 69 -KL/TU của Tỉnh ủy",
    ]


def test_doc001_numbered_paragraphs_of_part_two_are_sections():
    headings = children("001", "II. NHIỆM VỤ VÀ GIẢI PHÁP CHỦ YẾU THỰC HIỆN KẾT LUẬN")
    assert [h[:3] for h in headings] == ["1. ", "2. ", "3. ", "4. ", "5. "]
    assert headings[4] == "5. Quan tâm củng cố, kiện toàn, phát triển tổ chức, phát triển đoàn viên, hội viên"


def test_doc000_outline_numbered_paragraphs_items_and_appendix():
    got = outline("000")
    assert [level for level, _ in got] == [1, 1, 2, 3, 3, 3, 3, 3, 2] + [3] * 8 + [1, 2, 2, 2, 2, 2, 1]
    headings = [h for _, h in got]
    assert headings[0].startswith("1. Năm năm qua, cấp ủy, tổ chức đảng")
    assert headings[1].startswith("2. Để tiếp tục thực hiện có hiệu quả Đề án")
    assert headings[2] == "2.1 Mục tiêu đến năm 2025"
    assert headings[3].startswith("(1) Vận động nhân dân đẩy mạnh phát triển kinh tế")
    assert headings[6] == '(4) Đẩy mạnh xây dựng phong trào "Toàn dân bảo vệ an ninh Tổ quốc"'
    assert headings[8] == "2.2. Nhiệm vụ và giải pháp"
    assert headings[15] == "(7) Các cơ quan chức năng, lực lượng vũ trang chủ động nắm chắc tình hình địa bàn"
    assert headings[17] == "3. Tổ chức thực hiện"
    assert [h[:4] for h in headings[18:23]] == ["3.1.", "3.2.", "3.3.", "3.4.", "3.5."]
    assert headings[23] == "BIỂU TỔNG HỢP MỤC TIÊU CỤ THỂ TỈNH GIAI ĐOẠN 2021-2025"


def test_doc002_outline_with_pseudo_headings_and_appendix():
    assert outline("002") == [
        (1, "I- MỤC ĐÍCH, YÊU CẦU"),
        (2, "1. Mục đích"),
        (2, "2. Yêu cầu"),
        (1, "II- NHIỆM VỤ VÀ GIẢI PHÁP TRỌNG TÂM"),
        (2, "1. Tăng cường xây dựng chính quyền và nâng cao năng lực đội ngũ cán bộ, công chức cấp xã"),
        (2, "2. Đổi mới công tác dân vận chính quyền và phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số"),
        (2, "3. Đẩy mạnh chuyển đổi số và phong trào “Bình dân học vụ số” trong công tác dân vận vùng đồng bào dân tộc thiểu số"),
        (2, "4. Bảo tồn, phát huy giá trị văn hóa truyền thống, xóa bỏ các hủ tục lạc hậu"),
        (2, "5. Bảo đảm quốc phòng, an ninh gắn với hỗ trợ thông tin vùng biên"),
        (1, "III- TỔ CHỨC THỰC HIỆN"),
        (2, "1. Các đảng bộ, chi bộ trực thuộc"),
        (2, "2. Ủy ban nhân dân tỉnh"),
        (2, "3. Ban Tuyên giáo và Dân vận Đảng ủy"),
        (1, "PHỤ LỤC. Nhiệm vụ cụ thể triển khai thực hiện Kế hoạch số 60-KH/TU"),
    ]


def test_bold_pseudo_heading_starts_section_and_its_text_on_one_line():
    unit = section("002", "2. Ủy ban nhân dân tỉnh")
    assert unit.path == ("III- TỔ CHỨC THỰC HIỆN",)
    assert unit.text.startswith("Cụ thể hóa các nội dung của Kế hoạch số 60-KH/TU")
    assert "(có Phụ lục kèm theo)" in unit.text


def test_doc003_outline_has_two_dash_numbered_titles():
    assert outline("003") == [
        (
            1,
            "1- Những kết quả đạt được qua triển khai thực hiện công tác giao lưu, kết nghĩa giữa Ủy ban Mặt trận "
            "Tổ quốc Việt Nam, các đoàn thể chính trị - xã hội và lực lượng vũ trang tỉnh với các xã thuần đồng bào "
            "dân tộc thiểu số",
        ),
        (1, "2- Nhiệm vụ, giải pháp để tiếp tục triển khai giao lưu, kết nghĩa với xã đồng bào dân tộc thiểu số trong thời gian tới"),
    ]
    closing = section("003", "2- Nhiệm vụ").text
    assert closing.endswith("để các cơ quan, đơn vị, địa phương có liên quan biết, triển khai thực hiện./.")


def test_doc004_outline():
    got = outline("004")
    assert got[:2] == [(1, "I. KẾT QUẢ THỰC HIỆN NĂM 2023"), (2, "1. Công tác lãnh đạo chỉ đạo, phối hợp hoạt động")]
    assert [h for level, h in got if level == 1] == [
        "I. KẾT QUẢ THỰC HIỆN NĂM 2023",
        "II. ĐÁNH GIÁ CHUNG",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ TRỌNG TÂM NĂM 2024",
    ]
    assert children("004", "II. ĐÁNH GIÁ CHUNG") == ["1. Kết quả đạt được", "2. Một số hạn chế và nguyên nhân"]
    assert children("004", "III. PHƯƠNG HƯỚNG")[0] == (
        "1. Tiếp tục phối hợp triển khai thực hiện tốt các văn bản chỉ đạo của Trung ương, của tỉnh về công tác dân tộc"
    )


def test_numbered_paragraph_heading_is_number_and_shortened_first_sentence():
    first = doc("000").sections[1]
    assert first.heading.startswith("1. Năm năm qua, cấp ủy,")
    assert first.heading.endswith("…") and len(first.heading) <= 125
    assert first.text.startswith("Năm năm qua, cấp ủy, tổ chức đảng")
    # the unnumbered paragraphs that follow belong to the same section
    assert "Tuy nhiên, quá trình triển khai thực hiện Đề án" in first.text
    assert "Nguyên nhân của những hạn chế, khuyết điểm đó là" in first.text


def test_list_items_are_sections_below_their_heading():
    item = section("000", "(3) Tổ chức, vận động nhân dân bảo tồn")
    assert item.level == 3
    assert item.path[1] == "2.1 Mục tiêu đến năm 2025"
    assert item.text.endswith("đẩy lùi hủ tục lạc hậu trong đời sống đồng bào dân tộc thiểu số.")


def test_bullets_stay_in_the_section_text_as_lines():
    text = section("002", "2. Đổi mới công tác dân vận chính quyền").text
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 4
    assert all(p.startswith("- ") for p in paragraphs)
    assert not any(s.heading.startswith("-") for d in ALL for s in doc(d).sections)


def test_opening_section_holds_the_preamble():
    starts = {
        "000": "Tại hội nghị Ban Thường vụ Tỉnh ủy ngày 24 tháng 3 năm 2021",
        "002": "Thực hiện Kế hoạch số 60-KH/TU, ngày 26/3/2026",
        "003": "Ngày 26/11/2015, đồng chí Dương Văn An",
        "004": "Thực hiện Chương trình phối hợp công tác số 08-CTr/BDVTU-BDT",
    }
    for prefix in ALL:
        opening = doc(prefix).sections[0]
        assert (opening.section_id, opening.heading, opening.level, opening.path) == ("mo-dau", "", 0, ())
        if prefix in starts:
            assert opening.text.startswith(starts[prefix])
            assert "\n\n" not in opening.text
        else:
            assert opening.text == ""


# ---------------------------------------------------------------- head lines


def test_head_lines_of_doc001_are_clean_lines_top_to_bottom():
    assert doc("001").head_lines == [
        "Tam Đường, ngày 21 tháng 7 năm 2023",
        "Số 426-BC/HU",
        "BÁO CÁO",
        "sơ kết giữa nhiệm kỳ thực hiện nghị quyết Đại hội Đảng bộ các cấp, Nghị quyết Đại hội Đảng bộ huyện "
        "lần thứ XX về công tác dân vận và Kết luận số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy",
    ]


def test_receiving_stamp_is_head_not_body():
    head = doc("000").head_lines
    assert head[:5] == [
        "KẾT LUẬN",
        "CỦA BAN THƯỜNG VỤ TỈNH ỦY",
        "Về tiếp tục thực hiện Đề án tăng cường công tác dân vận",
        "trong vùng đồng bào dân tộc thiểu số ở các huyện biên giới",
        "tỉnh Lai Châu đến năm 2025",
    ]
    assert head[5:] == ["TỈNH ỦY LAI CHÂU", "BAN TUYÊN GIÁO", "Số đến: 819", "Ngày đến: 26.4.2021", "Lưu:"]
    assert not any("Số đến" in s.text or "BAN TUYÊN GIÁO" in s.text for s in doc("000").sections)


def test_title_lines_stay_separate_lines():
    assert doc("004").head_lines == [
        "BÁO CÁO",
        "Kết quả thực hiện Chương trình phối hợp công tác",
        "giữa Ban Dân vận Tỉnh ủy và Ban Dân tộc tỉnh năm 2023",
    ]
    assert doc("002").head_lines[:3] == ["Số 68-KH/ĐU", "Lai Châu, ngày 19 tháng 4 năm 2026", "KẾ HOẠCH"]
    assert doc("003").head_lines[0] == "THÔNG BÁO"


# ---------------------------------------------------------------- page breaks


@pytest.mark.parametrize(
    "prefix, joined",
    [
        ("000", "trái phép vẫn tiềm ấn những yếu tố gây phức tạp"),
        ("000", "100% các xã biên giới tiếp tục được tuyên truyền về bảo vệ chủ quyền biên giới"),
        ("000", "đầu tư xây dựng kết cấu hạ tầng"),
        ("001", "của BTV Tỉnh ủy tại 15 điểm cầu, với 628 lượt cán bộ"),
        ("001", "các chính sách an sinh xã hội được giải quyết đầy đủ"),
        # continuation after a footnote block starts with a capital letter
        ("001", "của Mặt trận Tổ quốc Việt Nam và các đoàn thể chính trị - xã hội"),
        ("001", "đối thoại trực tiếp với Nhân dân. Tích cực tham gia"),
        ("002", "tại bộ phận một cửa cấp xã"),
        ("004", "(sau đây viết tất là DTTS&MN) đạt nhiều kết quả"),
        ("004", "24-NQ/TW của Ban Chấp hành Trung ương Đảng khóa IX về công tác dân tộc trong tình hình mới; Chỉ thị số 49"),
    ],
)
def test_paragraphs_split_by_page_breaks_are_joined(prefix, joined):
    assert any(joined in s.text for s in doc(prefix).sections)


def test_page_break_join_keeps_text_in_its_section():
    assert "tại 15 điểm cầu" in section("001", "1. Công tác dân vận của cấp ủy đảng").text
    item = section("004", "1. Tiếp tục phối hợp").text
    assert "Nghị quyết số 24-NQ/TW của Ban Chấp hành Trung ương Đảng khóa IX về công tác dân tộc" in item
    assert "\n" not in item


def test_headings_never_join_a_previous_paragraph():
    text = section("004", "2. Phối hợp trong công tác tuyên truyền").text
    assert text.endswith("củng cố mối quan hệ mật thiết giữa Đảng với Nhân dân vùng đồng bào DTTS&MN")
    assert "3. Phối hợp" not in text


# ---------------------------------------------------------------- footnotes


def notes(prefix: str) -> dict[str, tuple[str, str]]:
    """marker → (heading of the section holding it, note text)."""
    found = {}
    for s in doc(prefix).sections:
        for note in s.footnotes:
            assert note.marker not in found, f"footnote {note.marker} twice"
            found[note.marker] = (s.heading, note.text)
    return found


def test_doc001_has_all_25_footnotes_once():
    assert sorted(notes("001"), key=int) == [str(n) for n in range(1, 26)]


@pytest.mark.parametrize(
    "marker, heading, text_start",
    [
        ("1", "1. Công tác dân vận của cấp ủy đảng", "Kết luận số 43-KL/TW, ngày 7/1/2019 của Ban Bí thư"),
        ("4", "2.2. Ban Chỉ đạo về thực hiện QCDC huyện", "Luật Thực hiện dân chủ ở cơ sở"),
        ("10", "4. Công tác dân vận của các cơ quan nhà nước", "Phối hợp tổ chức 11 hội nghị phản biện xã hội"),
        ("22", "2.1. Kết quả thực hiện mục tiêu", "Tổng mới 298,9 ha"),
        ("25", "2.2. Tình hình thực hiện các nhiệm vụ, giải pháp", "Toàn huyện có trên 25 mô hình an ninh trật tự"),
    ],
)
def test_doc001_footnote_goes_to_the_section_holding_its_marker(marker, heading, text_start):
    holder, text = notes("001")[marker]
    assert holder.startswith(heading)
    assert text.startswith(text_start)


def test_doc001_footnote_text_is_complete_and_not_mixed_with_body():
    _, first = notes("001")["1"]
    assert first.endswith("về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh")
    assert "điểm cầu" not in first
    _, third = notes("001")["3"]
    assert third.endswith("về tiếp tục xây dựng giai cấp công nhân Việt Nam")


def test_doc004_footnotes_follow_their_markers():
    found = notes("004")
    assert set(found) == {"1", "2"}
    assert found["1"][0] == "1. Công tác lãnh đạo chỉ đạo, phối hợp hoạt động"
    assert found["1"][1].startswith("Có 8/8/9 huyện, thành phố có phòng dân tộc")
    assert found["2"][0] == "2. Một số hạn chế và nguyên nhân"
    assert found["2"][1].startswith("Năm 2022, tỷ lệ hộ nghèo DTTS là 8,57%")


@pytest.mark.parametrize(
    "prefix, note_text",
    [
        ("001", "Tổng mới 298,9 ha"),
        ("001", "Toàn huyện có trên 25 mô hình an ninh trật tự"),
        ("001", "Kết luận số 43-KL/TW, ngày 7/1/2019"),
        ("004", "Có 8/8/9 huyện"),
        ("004", "Năm 2022, tỷ lệ hộ nghèo DTTS là 8,57%"),
    ],
)
def test_footnote_texts_leave_the_body(prefix, note_text):
    assert not any(note_text in s.text for s in doc(prefix).sections)


def test_markers_are_written_as_superscript_digits():
    assert "về công tác dân vận¹. Tổ chức 02 hội nghị" in section("001", "1. Công tác dân vận của cấp ủy").text
    assert "Bộ Chính trị¹⁰." in section("001", "4. Công tác dân vận").text
    assert "địa phương, đơn vị¹." in section("004", "1. Công tác lãnh đạo").text
    assert "tỷ lệ hộ nghèo chung của toàn tỉnh²." in section("004", "2. Một số hạn chế").text


# ---------------------------------------------------------------- footer


@pytest.mark.parametrize(
    "prefix, signature, first_recipient, last_recipient, count",
    [
        ("000", ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Lê Văn Lương"],
         "Các ban đảng, ban cán sự đảng, đảng đoàn, Ban Thường vụ Tỉnh đoàn", "Lưu VPTU", 4),
        ("001", ["T/M HUYỆN ỦY", "PHÓ BÍ THƯ", "Cao Trang Trọng"], "Ban Dân vận tỉnh ủy", "Lưu", 6),
        ("002", ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Tổng Thanh Hải"], "Thường trực Tỉnh ủy (b/c)", "Lưu VPĐU, BTGDVĐU", 6),
        ("003", ["CHÁNH VĂN PHÒNG", "(đã ký, đóng dấu)", "Lê Tấn Lai"], "Thường trực Tỉnh ủy", "Lưu Văn phòng Tỉnh ủy", 10),
        ("004", ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Nguyễn Thái Nam"], "Thường trực Tỉnh ủy (báo cáo)", "Lưu Ban Dân vận Tỉnh ủy", 6),
    ],
)  # fmt: skip
def test_recipients_and_signature_are_extracted(prefix, signature, first_recipient, last_recipient, count):
    parsed = doc(prefix)
    assert parsed.signature_lines == signature
    assert len(parsed.recipients) == count
    assert parsed.recipients[0] == first_recipient
    assert parsed.recipients[-1] == last_recipient
    assert all(not r.startswith("-") and not r.endswith((",", ";", ".")) for r in parsed.recipients)


@pytest.mark.parametrize("prefix", ALL)
def test_signature_and_recipients_are_not_body_text(prefix):
    parsed = doc(prefix)
    name = parsed.signature_lines[-1]
    for s in parsed.sections:
        for field in (s.heading, s.text):
            assert "Nơi nhận" not in field
            assert name not in field
            assert "PHÓ BÍ THƯ" not in field and "TRƯỞNG BAN" not in field


def test_text_after_the_signature_is_an_appendix_section():
    table = doc("000").sections[-1]
    assert (table.heading, table.level, table.path) == ("BIỂU TỔNG HỢP MỤC TIÊU CỤ THỂ TỈNH GIAI ĐOẠN 2021-2025", 1, ())
    assert "1 | Giảm tỷ lệ hộ nghèo bình quân hàng năm | % | 4" in table.text.split("\n")
    appendix = doc("002").sections[-1]
    assert appendix.section_id == "phu-luc"
    assert appendix.text.startswith("(Kèm theo Kế hoạch số 68-KH/ĐU ngày 19/4/2026 của Ban Thường vụ Đảng ủy UBND tỉnh)")
    rows = appendix.text.split("\n")
    assert "STT | Nội dung nhiệm vụ | Đơn vị thực hiện | Thời gian thực hiện" in rows
    assert "10 | Triển khai Đề án 1219 về hỗ trợ thông tin, tuyên truyền | UBND tỉnh | 2026 - 2030" in rows


# ---------------------------------------------------------------- clean fields and ids

_MARKUP = re.compile(r"<sup|</sup|<b>|</b>|<br|\*|#|\\")


def fields(parsed):
    yield from parsed.head_lines
    yield from parsed.recipients
    yield from parsed.signature_lines
    for s in parsed.sections:
        yield s.heading
        yield s.text
        yield from s.path
        for n in s.footnotes:
            yield n.text


@pytest.mark.parametrize("prefix", ALL)
def test_no_markup_survives_in_clean_fields(prefix):
    for value in fields(doc(prefix)):
        assert not _MARKUP.search(value), value[:120]
        assert "  " not in value
        assert not re.search(r"^\s*-{3,}\s*$", value, re.MULTILINE)


@pytest.mark.parametrize("prefix", ALL)
def test_section_ids_are_unique_ascii_anchors_and_stable(prefix):
    parsed = doc(prefix)
    ids = [s.section_id for s in parsed.sections]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9-]+", i) for i in ids)
    (path,) = CORPUS.glob(f"{prefix}_*.txt")
    again = parse_document(path.stem, read_text(path), path)
    assert [s.section_id for s in again.sections] == ids
    assert [s.position for s in parsed.sections] == list(range(len(ids)))


def test_section_ids_follow_the_numbering_path():
    assert section("001", "2. Những vấn đề Nhân dân quan tâm").section_id == "phan-1-I-2"
    assert section("001", "1.2.2. Nguyên nhân").section_id == "phan-1-IV-2-1-2-2"
    assert section("001", "1.1. Về thực hiện công tác dân vận", 1).section_id == "phan-1-IV-2-1-1"
    assert section("002", "3. Ban Tuyên giáo").section_id == "III-3"
    assert section("000", "2.1 Mục tiêu").section_id == "2-1"
    assert section("000", "(4) Đẩy mạnh").section_id == "2-1-i4"


@pytest.mark.parametrize("prefix", ALL)
def test_paths_and_levels_agree(prefix):
    sections = doc(prefix).sections
    by_heading_stack = []
    for s in sections[1:]:
        assert s.level == len(s.path) + 1
        by_heading_stack = by_heading_stack[: s.level - 1]
        assert tuple(by_heading_stack) == s.path
        by_heading_stack.append(s.heading)


# ---------------------------------------------------------------- synthetic documents

LEGAL = """QUY CHẾ
Làm việc của Ban Chấp hành Đảng bộ

Chương I
NHỮNG QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh

Quy chế này quy định nguyên tắc, chế độ làm việc của Ban Chấp hành.

Điều 2. Nguyên tắc làm việc

1. Bảo đảm nguyên tắc tập trung dân chủ:

a) Thiểu số phục tùng đa số;

b) Cá nhân phục tùng tổ chức.

2. Đề cao trách nhiệm cá nhân.

Chương II. NHIỆM VỤ, QUYỀN HẠN

Mục 1. BAN CHẤP HÀNH

Điều 3. Nhiệm vụ của Ban Chấp hành

Ban Chấp hành lãnh đạo toàn diện các mặt công tác.

Nơi nhận:
- Như Điều 3;
- Lưu VT.

T/M BAN CHẤP HÀNH
BÍ THƯ

Nguyễn Văn An
"""


def test_legal_chapters_articles_and_lettered_points():
    parsed = parse_document("quy-che", LEGAL, Path("quy-che.md"))
    assert parsed.head_lines == ["QUY CHẾ", "Làm việc của Ban Chấp hành Đảng bộ"]
    got = [(s.level, s.heading) for s in parsed.sections[1:]]
    assert got == [
        (1, "Chương I. NHỮNG QUY ĐỊNH CHUNG"),
        (2, "Điều 1. Phạm vi điều chỉnh"),
        (2, "Điều 2. Nguyên tắc làm việc"),
        (3, "1. Bảo đảm nguyên tắc tập trung dân chủ"),
        (4, "a) Thiểu số phục tùng đa số"),
        (4, "b) Cá nhân phục tùng tổ chức"),
        (3, "2. Đề cao trách nhiệm cá nhân"),
        (1, "Chương II. NHIỆM VỤ, QUYỀN HẠN"),
        (2, "Mục 1. BAN CHẤP HÀNH"),
        (3, "Điều 3. Nhiệm vụ của Ban Chấp hành"),
    ]
    point = parsed.sections[5]
    assert point.path == ("Chương I. NHỮNG QUY ĐỊNH CHUNG", "Điều 2. Nguyên tắc làm việc", "1. Bảo đảm nguyên tắc tập trung dân chủ")
    assert point.text == "Thiểu số phục tùng đa số;"
    assert parsed.sections[2].section_id == "chuong-I-dieu-1"
    assert parsed.sections[2].text == "Quy chế này quy định nguyên tắc, chế độ làm việc của Ban Chấp hành."
    assert parsed.recipients == ["Như Điều 3", "Lưu VT"]
    assert parsed.signature_lines == ["T/M BAN CHẤP HÀNH", "BÍ THƯ", "Nguyễn Văn An"]
    assert "Nguyễn Văn An" not in parsed.sections[-1].text


def test_empty_text_gives_only_an_empty_opening():
    parsed = parse_document("rong", "", Path("rong.txt"))
    assert [(s.section_id, s.text) for s in parsed.sections] == [("mo-dau", "")]
    assert parsed.head_lines == [] and parsed.recipients == [] and parsed.signature_lines == []


def test_text_without_headings_goes_to_the_opening_section():
    text = "Hôm nay Ban Dân vận họp. Cuộc họp bàn về rừng.\n\nKết luận: tiếp tục bảo vệ rừng đầu nguồn.\n"
    parsed = parse_document("ghi-chu", text, Path("ghi-chu.txt"))
    assert len(parsed.sections) == 1
    assert parsed.sections[0].text == (
        "Hôm nay Ban Dân vận họp. Cuộc họp bàn về rừng.\n\nKết luận: tiếp tục bảo vệ rừng đầu nguồn."
    )


def test_markdown_file_with_unnumbered_headings_and_lists():
    text = (
        "# Ghi chép hội nghị\n\nMở đầu cuộc họp, đồng chí Bí thư phát biểu.\n\n"
        "## Nội dung\n\n* Bảo vệ rừng;\n* Xóa bỏ hủ tục.\n\n1. Kết luận chung\n\nCác đơn vị *thực hiện* ngay.\n"
    )
    parsed = parse_document("md", text, Path("md.md"))
    assert parsed.head_lines == ["Ghi chép hội nghị"]
    assert parsed.sections[0].text == "Mở đầu cuộc họp, đồng chí Bí thư phát biểu."
    assert [(s.level, s.heading) for s in parsed.sections[1:]] == [(1, "Nội dung"), (2, "1. Kết luận chung")]
    assert parsed.sections[1].text == "- Bảo vệ rừng;\n\n- Xóa bỏ hủ tục."
    assert parsed.sections[2].text == "Các đơn vị thực hiện ngay."


def test_weird_unicode_and_stray_markup_do_not_crash():
    text = "\x00\x01 \u202e lạ \U0001f600 ¹²³ <sup>x</sup> **\n\n1.\n\n(1)\n\n- \n\n---\n\n¹\n\n**\n\n\ufeff\u0301"
    parsed = parse_document("la", text, Path("la.txt"))
    assert parsed.sections[0].section_id == "mo-dau"
    for value in fields(parsed):
        assert "\x00" not in value and "\u202e" not in value and "<sup>" not in value


def test_escaped_markup_never_becomes_live_markup():
    # Regression: entities were unescaped after tags were stripped.
    text = "Đã làm &lt;script&gt;alert(1)&lt;/script&gt; và &lt;img src=x onerror=alert(1)&gt;, a &lt; b"
    parsed = parse_document("xss", text, Path("xss.txt"))
    for value in fields(parsed):
        assert "<script" not in value and "<img" not in value
    assert "a < b" in parsed.sections[0].text + " ".join(parsed.head_lines)


def test_decomposed_text_is_parsed_as_nfc():
    import unicodedata

    text = unicodedata.normalize("NFD", LEGAL)
    parsed = parse_document("nfd", text, Path("nfd.txt"))
    assert parsed.sections[1].heading == "Chương I. NHỮNG QUY ĐỊNH CHUNG"


def test_signature_without_recipient_list_still_leaves_the_body():
    text = (
        "QUYẾT ĐỊNH\n\nĐiều 5. Hiệu lực thi hành. Quyết định này có hiệu lực kể từ ngày ký.\n\n"
        "TỔNG KẾT CÔNG TÁC\n\nNội dung tổng kết.\n\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\nTrần Văn Bình\n"
    )
    parsed = parse_document("qd", text, Path("qd.txt"))
    assert parsed.signature_lines == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trần Văn Bình"]
    assert parsed.recipients == []
    article = parsed.sections[1]
    assert article.heading == "Điều 5. Hiệu lực thi hành"
    assert article.text.endswith("TỔNG KẾT CÔNG TÁC\n\nNội dung tổng kết.")


def test_a_units_text_follows_lines_added_after_it_was_read():
    # Parsing reads a "Nơi nhận" paragraph's text before its soft-wrapped
    # lines join it; the text is kept between reads, and must not go stale.
    unit = _Unit(0, ["**Nơi nhận:**"], "para")
    assert unit.text == "Nơi nhận:"
    unit.lines.append("Ban Thường vụ Tỉnh ủy,")
    assert unit.text == "Nơi nhận: Ban Thường vụ Tỉnh ủy,"


def test_footnote_markers_round_trip_through_superscript():
    import doctest

    from analyzers import superscript

    assert doctest.testmod(superscript).failed == 0
    assert superscript.from_superscript(superscript.to_superscript("1234567890")) == "1234567890"
