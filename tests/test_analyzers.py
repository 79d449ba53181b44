import unicodedata

import pytest

from analyzers import (
    folded_analyzer,
    folded_pair_analyzer,
    pair_analyzer,
    syllable_analyzer,
    syllables,
    word_analyzer,
    words,
)
from analyzers.abbreviations import load_abbreviations
from analyzers.datafiles import DataFileError
from analyzers.docnumber import find_numbers, number_key
from analyzers.normalize import fold, normalize_text, place_tone


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("hoá", "hóa"),
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("Tỉnh uỷ", "Tỉnh ủy"),
        ("UỶ BAN", "ỦY BAN"),
        ("quý", "quý"),  # qu is a consonant: the tone stays on y
        ("quỹ", "quỹ"),
        ("già", "già"),
        ("hoàng", "hoàng"),  # closed syllable: one placement only
        ("baỏ", "bảo"),  # misplaced tone from typing
    ],
)
def test_one_tone_placement_style(written, canonical):
    assert normalize_text(written) == canonical


def test_tone_styles_give_the_same_terms():
    assert syllables("văn hoá, Tỉnh uỷ, thuỷ lợi") == syllables("văn hóa, Tỉnh ủy, thủy lợi")
    assert words("văn hoá truyền thống") == words("văn hóa truyền thống") == ["văn_hóa", "truyền_thống"]


def test_modern_style_is_available_for_pyvi():
    assert place_tone("hóa", "modern") == "hoá"
    assert place_tone("ủy", "modern") == "uỷ"


def test_ocr_eth_is_read_as_d_with_stroke():
    assert syllables("Ðảng ủy") == ["đảng", "ủy"]
    assert fold("Ðảng") == "Dang"


def test_folding_maps_d_with_stroke_and_drops_marks():
    assert [t.text for t in folded_analyzer()("Đồng bào dân tộc thiểu số")] == [
        "dong", "bao", "dan", "toc", "thieu", "so",
    ]


def test_all_caps_heading_and_body_text_give_the_same_words():
    heading = "BAN THƯỜNG VỤ TỈNH ỦY LAI CHÂU KẾT LUẬN VỀ CÔNG TÁC DÂN VẬN VÙNG ĐỒNG BÀO DÂN TỘC THIỂU SỐ"
    body = "Ban Thường vụ Tỉnh ủy Lai Châu kết luận về công tác dân vận vùng đồng bào dân tộc thiểu số"
    assert words(heading) == words(body)
    assert "dân_tộc_thiểu_số" in words(body)
    assert "công_tác" in words(body)


def test_decomposed_input_gives_the_same_terms_and_true_offsets():
    nfd = unicodedata.normalize("NFD", "Hoá đơn của Đảng")
    tokens = [t.copy() for t in syllable_analyzer()(nfd, chars=True)]
    assert [t.text for t in tokens] == syllables("Hóa đơn của Đảng")
    assert [unicodedata.normalize("NFC", nfd[t.startchar : t.endchar]) for t in tokens] == [
        "Hoá", "đơn", "của", "Đảng",
    ]


def test_repeated_words_get_their_own_offsets():
    text = "dân vận, dân vận và dân vận"
    tokens = [t.copy() for t in syllable_analyzer()(text, chars=True, positions=True) if t.text == "dân"]
    assert [t.startchar for t in tokens] == [0, 9, 20]
    assert [t.pos for t in tokens] == [0, 2, 5]
    compounds = [t.copy() for t in word_analyzer()(text, chars=True) if t.text == "dân_vận"]
    assert [(t.startchar, t.endchar) for t in compounds] == [(0, 7), (9, 16), (20, 27)]


def test_words_carry_consecutive_positions_and_whole_word_offsets():
    text = "Ban Thường vụ Tỉnh ủy"
    tokens = [t.copy() for t in word_analyzer()(text, positions=True, chars=True)]
    assert [(t.text, t.pos) for t in tokens] == [("ban", 0), ("thường_vụ", 1), ("tỉnh_ủy", 2)]
    assert text[tokens[1].startchar : tokens[1].endchar] == "Thường vụ"


def test_words_never_join_across_punctuation():
    assert "dân_vận" not in words("công tác dân. Vận động")


def test_pairs_are_adjacent_syllables_joined_in_both_views():
    text = "Công tác Dân vận Tỉnh uỷ"
    assert [t.text for t in pair_analyzer()(text)] == ["công_tác", "tác_dân", "dân_vận", "vận_tỉnh", "tỉnh_ủy"]
    assert [t.text for t in folded_pair_analyzer()(text)] == ["cong_tac", "tac_dan", "dan_van", "van_tinh", "tinh_uy"]


def test_pairs_never_span_a_line_break_but_do_span_punctuation_like_a_phrase():
    pairs = [t.text for t in pair_analyzer()("công tác dân\nvận động; vùng DTTS&MN")]
    assert pairs == ["công_tác", "tác_dân", "vận_động", "động_vùng", "vùng_dtts", "dtts_mn"]


def test_common_words_are_not_stopwords():
    assert syllables("Kết luận số 69 năm 2021 ngày không ở ý") == [
        "kết", "luận", "số", "69", "năm", "2021", "ngày", "không", "ở", "ý",
    ]


def test_footnote_markers_are_not_part_of_words():
    # Regression: ⁴–⁹ and ⁰ are \w in Python; "cơ sở⁴" was indexed as "sở⁴".
    assert syllables("công tác dân vận¹² cơ sở⁴ tôn giáo⁶ chính quyền⁹ năm 2023¹⁰") == [
        "công", "tác", "dân", "vận", "cơ", "sở", "tôn", "giáo", "chính", "quyền", "năm", "2023",
    ]
    assert normalize_text("giáo⁶") == "giáo⁶"  # the marker does not move the tone


def test_decimal_numbers_stay_whole():
    assert syllables("66.315,44 ha") == ["66.315,44", "ha"]


def test_abbreviations_load_with_their_expansions():
    pairs = {(a.short, a.long) for a in load_abbreviations()}
    assert (("dtts",), ("dân", "tộc", "thiểu", "số")) in pairs
    assert (("mttq",), ("mặt", "trận", "tổ", "quốc")) in pairs
    assert (("kt", "xh"), ("kinh", "tế", "xã", "hội")) in pairs
    assert (("hđnd",), ("hội", "đồng", "nhân", "dân")) in pairs


@pytest.mark.parametrize("content", ['"DTTS" = 3\n', "DTTS = \n"])
def test_abbreviation_file_mistakes_name_the_file(tmp_path, content):
    bad = tmp_path / "abbreviations.toml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError, match="abbreviations.toml"):
        load_abbreviations(bad)


@pytest.mark.parametrize("written", ["69-KL/TU", "69 -KL/TU", "69-kl/tu", "69 – KL/TU", "69- KL / TU"])
def test_document_number_variants_share_one_key(written):
    assert number_key(written) == "69-KL/TU"


def test_d_with_stroke_in_numbers_matches_plain_d():
    assert number_key("310-QĐ/TU") == number_key("310-QD/TU")
    assert number_key("68-KH/ĐU") == "68-KH/DU"


def test_numbers_are_found_in_running_text():
    text = (
        "Thực hiện Kết luận 69 -KL/TU, Quyết định số 1219/QĐ-TTg, ngày 18/10/2024, "
        "Nghị định 162/2017/NĐ-CP và Chương trình số 08-CTr/BDVTU-BDT; 4%/năm; 115/126 bản"
    )
    assert [m.key for m in find_numbers(text)] == [
        "69-KL/TU", "1219/QD-TTG", "162/2017/ND-CP", "08-CTR/BDVTU-BDT",
    ]


def test_dates_and_receiving_stamps_are_not_numbers():
    assert find_numbers("Số đến: 819 Ngày đến: 26.4.2021 ngày 09/4/2021") == []


def test_one_analysis_gives_what_the_analyzers_give():
    """Indexing and the filters read analyze(), re-ranking its tokens; Whoosh's
    analyzers (its fields, highlighting) must see the same tokens, texts,
    offsets and breaks."""
    from analyzers import folded_analyzer, syllable_analyzer
    from analyzers.analysis import analyze
    from analyzers.tokenizers import TOKEN_TEXT

    from .conftest import CORPUS

    texts = [path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.txt"))]
    texts += ["Uỷ ban hoá Ðảng 66.315,44 QUÝ", "x²³ Tỉnh ủy", "a.\nb c\r\nd\te", ""]
    for text in texts:
        analysis = analyze(text)
        assert analysis.tokens == TOKEN_TEXT.findall(text)  # re-ranking's tokens
        # Whoosh hands out one token object, changed in place: read each as it comes.
        tokens = [(t.text, (t.startchar, t.endchar), t.boundary, t.line_start) for t in syllable_analyzer()(text, chars=True)]
        assert list(zip(analysis.syllables, analysis.spans, analysis.boundaries, analysis.line_starts)) == tokens
        assert analysis.folded == [t.text for t in folded_analyzer()(text)]


def test_topic_cues_and_citations_read_the_same_forms_of_a_text():
    import doctest

    from analyzers import forms
    from indexer.citations import extract_citations
    from indexer.topics import count_cues

    assert doctest.testmod(forms).failed == 0
    # In the other tone style ("uỷ"), a cue and a citation are still found.
    text = "Thực hiện Kết luận số 69-KL/TU của Ban Thường vụ Tỉnh uỷ về dân vận khéo."
    assert count_cues(text)["Dân vận khéo"] == 1
    (cited,) = extract_citations(text)
    assert (cited.key, cited.doc_type, cited.issuer) == ("69-KL/TU", "Kết luận", "Ban Thường vụ Tỉnh uỷ")
