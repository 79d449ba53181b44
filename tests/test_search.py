import pytest

from analyzers.normalize import fold
from search_app.query import QueryError

KET_LUAN_69 = "000_8b1cbe83c3de1fbc"
BAO_CAO_426 = "001_b7d788ee9d07cfc0"
KE_HOACH_68 = "002_47ca4eed93e62be1"
THONG_BAO = "003_064c99f8bc1e6bb7"
BAO_CAO_THAI_NGUYEN = "004_18f6aac5861878d1"


def keys(result):
    return {(p.doc_id, p.section_id) for p in result.passages}


def folded(text):
    return " ".join(fold(text).lower().split())


def test_query_without_diacritics_finds_what_the_accented_query_finds(find):
    accented = find("dân tộc thiểu số")
    plain = find("dan toc thieu so")
    assert accented.total > 10
    assert keys(accented) <= keys(plain)


@pytest.mark.parametrize(
    ("plain", "accented"),
    [("bao ve rung", "bảo vệ rừng"), ("bao ve chu quyen bien gioi", "bảo vệ chủ quyền biên giới"), ("cong tac dan van", "công tác dân vận")],
)
def test_unaccented_words_are_not_paired_by_pyvi(find, plain, accented):
    # pyvi on unaccented text joined "ve rung" and required it adjacent.
    assert keys(find(accented)) <= keys(find(plain))


def test_unaccented_query_marks_where_its_syllables_meet(find):
    passage = find("bao ve rung").passages[0]
    marked = [passage.text[s:e].lower() for s, e in passage.highlights]
    assert "bảo vệ rừng" in marked
    assert all(len(m.split()) >= 2 for m in marked)


def test_accented_query_does_not_match_other_diacritics(find):
    # "dẫn" (to lead) must not find "dân" (people) when typed with diacritics.
    result = find("dẫn")
    assert result.total > 0
    for passage in result.passages:
        where = passage.heading + passage.text + " ".join(n["text"] for n in passage.footnotes)
        assert "dẫn" in where.lower()


def test_multi_syllable_query_matches_segmented_words(find):
    result = find("công tác dân vận")
    assert result.total > 5
    top = result.passages[0]
    assert "công tác dân vận" in top.text.lower() or "công tác dân vận" in top.heading.lower()


def test_part_of_a_compound_finds_the_compound(find):
    # pyvi indexes "dân_tộc_thiểu_số" as one word; "thiểu số" must still find it.
    part = keys(find("thiểu số"))
    written_out = [p for p in find('"dân tộc thiểu số"').passages if "dân tộc thiểu số" in p.text.lower()]
    assert written_out
    assert {(p.doc_id, p.section_id) for p in written_out} <= part


def test_abbreviation_finds_the_written_out_form(find):
    result = find("DTTS")
    # Doc 000 never writes "DTTS", only "dân tộc thiểu số".
    assert any(p.doc_id == KET_LUAN_69 for p in result.passages)


def test_written_out_form_finds_the_abbreviation(find):
    result = find("dân tộc thiểu số")
    only_abbreviated = [
        p
        for p in result.passages
        if "DTTS" in p.text and "dan toc thieu so" not in folded(p.text)
    ]
    assert only_abbreviated, "a section that only says DTTS should be found"


def test_mttq_both_ways(find):
    by_short = {p.doc_id for p in find("MTTQ").passages}
    by_long = {p.doc_id for p in find("Mặt trận Tổ quốc").passages}
    assert KET_LUAN_69 in by_short  # 000 writes "Mặt trận Tổ quốc" and "MTTQ"
    assert BAO_CAO_THAI_NGUYEN in by_short  # 004 only writes it out
    assert by_short == by_long


def test_document_number_finds_the_document_then_the_sections_citing_it(find):
    result = find("69-KL/TU")
    first = result.passages[0]
    assert (first.doc_id, first.section_id) == (KET_LUAN_69, "mo-dau")
    assert first.document["number"] == "69-KL/TU"
    citing = [p for p in result.passages[1:]]
    assert citing and all(p.doc_id == BAO_CAO_426 for p in citing)


@pytest.mark.parametrize("written", ["69 -KL/TU", "69-kl/tu", "Kết luận 69 -KL/TU", "kết luận số 69-kl/tu"])
def test_document_number_variants_give_the_same_results(find, written):
    assert keys(find(written)) == keys(find("69-KL/TU"))
    assert find(written).passages[0].doc_id == KET_LUAN_69


def test_sections_citing_a_number_in_their_heading_come_before_those_citing_it_in_text(find):
    result = find("60-KH/TU")
    # 002 bears 68-KH/ĐU; its title is "Triển khai thực hiện Kế hoạch số 60-KH/TU…".
    assert (result.passages[0].doc_id, result.passages[0].section_id) == (KE_HOACH_68, "mo-dau")
    assert result.passages[0].heading_highlights


def test_document_number_with_d_stroke_typed_as_d(find):
    assert find("68-KH/DU").passages[0].doc_id == KE_HOACH_68


def test_quoted_text_is_a_phrase(find):
    phrase = find('"dân vận khéo"')
    loose = find("dân vận khéo")
    assert phrase.total > 0
    assert keys(phrase) <= keys(loose)
    for passage in phrase.passages:
        haystack = folded(passage.text + " " + passage.heading + " " + " ".join(n["text"] for n in passage.footnotes))
        assert "dan van kheo" in haystack


def test_matched_words_are_highlighted(find):
    passage = find("bảo vệ rừng").passages[0]
    marked = [passage.text[s:e].lower() for s, e in passage.highlights]
    assert marked and all(set(m.split()) <= {"bảo", "vệ", "rừng"} for m in marked)
    assert "bảo vệ rừng" in marked


def test_year_filter(find):
    result = find("công tác dân vận", year=2023)
    assert result.total > 0
    assert {p.document["year"] for p in result.passages} == {2023}


def test_year_range_filter(find):
    result = find("dân tộc thiểu số", year_from=2021, year_to=2023)
    years = {p.document["year"] for p in result.passages}
    assert years and years <= {2021, 2022, 2023}
    assert 2026 not in years


def test_issuer_filter_matches_part_of_the_name_without_diacritics(find):
    result = find("dân vận", issuer="huyen uy tam duong")
    assert result.total > 0
    assert {p.doc_id for p in result.passages} == {BAO_CAO_426}


def test_province_filter(find):
    result = find("dân tộc thiểu số", province="Thái Nguyên")
    assert {p.doc_id for p in result.passages} == {BAO_CAO_THAI_NGUYEN}


@pytest.mark.parametrize("doc_type", ["kết luận", "Ket luan", "KL"])
def test_doc_type_filter_by_name_or_code(find, doc_type):
    result = find("dân vận", doc_type=doc_type)
    assert result.total > 0
    assert {p.document["doc_type"] for p in result.passages} == {"Kết luận"}


def test_topic_filter(find, opened):
    result = find("vận động", topic="Rừng và môi trường")
    assert result.total > 0
    for passage in result.passages:
        assert "rung" in folded(passage.text + " ".join(n["text"] for n in passage.footnotes)) or "moi truong" in folded(passage.text)


def test_field_prefixes_are_named_not_searched(find):
    assert keys(find("title:dân vận khéo")) == keys(find("dân vận khéo"))
    assert find("title:dân vận khéo").notes == ["Đã bỏ qua cú pháp không hỗ trợ: title:"]


@pytest.mark.parametrize(
    "query, excluded",
    [("dân vận AND NOT khéo", "khéo"), ("dân vận NOT khéo", "khéo"), ("dân vận -khéo", "khéo"),
     ('dân vận -"dân vận khéo"', '"dân vận khéo"')],
)
def test_not_and_minus_exclude(find, query, excluded):
    every, kept, left_out = keys(find("dân vận")), keys(find(query)), keys(find(excluded))
    assert kept and kept == every - left_out and every & left_out


def test_or_needs_one_of_its_sides(find):
    either = keys(find('"che phủ rừng" OR camera'))
    assert either == keys(find("che phủ rừng")) | keys(find("camera")) and len(either) >= 2
    assert keys(find("MTTQ OR HĐND")) == keys(find("MTTQ")) | keys(find("HĐND"))


def test_only_exclusions_is_refused(find):
    with pytest.raises(QueryError, match="loại trừ"):
        find("-khéo")


def test_a_number_no_document_bears_leaves_the_words(find):
    """A question naming a law the corpus holds under its name only."""
    asked = find("tỷ lệ che phủ rừng theo Luật Lâm nghiệp số 16/2017/QH14")
    assert asked.total > 0 and any("16/2017/QH14" in note for note in asked.notes)
    assert keys(find("16/2017/QH14")) == set()  # the number alone: nothing, said as nothing


def test_doc_type_outside_the_list_is_refused_with_the_list(find):
    with pytest.raises(QueryError) as error:
        find("dân vận", doc_type="Kết lận")
    assert "Kết luận" in str(error.value)


def test_topic_outside_the_closed_list_is_refused_with_the_list(find):
    with pytest.raises(QueryError) as error:
        find("dân vận", topic="thể thao")
    assert "Rừng và môi trường" in str(error.value)


@pytest.mark.parametrize(
    "filters", [{"province": "Cà Mau"}, {"year": 1999}, {"doc_type": "Quyết định"}, {"issuer": "Hà Nội"}]
)
def test_filter_that_excludes_everything_reports_zero(find, filters):
    # At the default limit: Whoosh's quality pruning once counted the matches
    # before the filter (61 results, none shown).
    result = find("dân vận", limit=10, **filters)
    assert (result.total, result.passages) == (0, [])


def test_filters_combine_as_restrictions(find):
    # Each filter narrows: no document is both from Lai Châu and issued by
    # Thái Nguyên's board, so nothing matches both.
    assert find("dân vận", issuer="Ban Dân vận Tỉnh ủy").total > 0
    assert find("dân vận", province="Lai Châu", issuer="Tỉnh ủy Thái Nguyên").total == 0


@pytest.mark.parametrize(
    "odd",
    [
        '"dân vận',  # unbalanced quote
        'dân vận" khéo',
        "field:dân vận",
        "title:dân vận",
        "body:rừng OR",
        "dân\x00 vận\x07",  # control characters
    ],
)
def test_odd_queries_still_search(find, odd):
    assert find(odd).total > 0


@pytest.mark.parametrize("unusable", ["AND", "OR NOT", "!!! ... ???", "   ", "x" * 10_000])
def test_unusable_queries_raise_a_clear_error(find, unusable):
    with pytest.raises(QueryError) as error:
        find(unusable)
    assert str(error.value) and "\n" not in str(error.value)


def test_wrong_diacritics_fall_back_to_folded_search_and_say_so(find):
    result = find("công tac dân vân")
    assert result.total > 0
    assert result.notes
    assert "công tác dân vận" in result.passages[0].text.lower()


def test_half_typed_diacritics_of_an_abbreviation_expansion_still_match(find):
    assert keys(find("dân toc thieu số")) == keys(find("dân tộc thiểu số"))


def test_words_that_never_meet_fall_back_to_the_sections_with_most_words(find):
    result = find("dân vận khéo trên tàu vũ trụ")
    assert result.total > 0
    assert result.notes


@pytest.mark.parametrize(
    "text", ["dân tộc thiểu số", "công tác dân vận", "dan van kheo", "DTTS", "bảo vệ rừng biên giới"]
)
def test_top_passages_are_the_best_scoring_ones(find, text):
    # Regression: Whoosh's default collector prunes with max_quality() bounds
    # that are too low for phrase/AndMaybe queries, and dropped better sections.
    everything = find(text, limit=200).passages
    best = sorted(everything, key=lambda p: -p.score)[:5]
    assert [(p.doc_id, p.section_id) for p in find(text, limit=5).passages] == [
        (p.doc_id, p.section_id) for p in best
    ]


def test_a_long_question_is_ranked_by_how_many_words_match(find):
    question = "cấp ủy các huyện biên giới đã làm gì để vận động nhân dân bảo vệ và phát triển rừng, phòng chống cháy rừng"
    result = find(question)
    assert not result.notes  # ranking by matched words is the plan for questions, not a fallback
    assert "rừng" in result.passages[0].text



def test_words_of_a_parent_heading_find_the_sections_under_it(find):
    # "1.2.2. Nguyên nhân" says neither "đánh giá" nor "chung"; its ancestor
    # heading "IV. ĐÁNH GIÁ CHUNG" does, so every word still matches.
    result = find("đánh giá chung nguyên nhân")
    assert not result.notes  # not the "most words" fallback
    assert "phan-1-IV-2-1-2-2" in [p.section_id for p in result.passages]


def test_a_section_saying_the_words_ranks_above_one_whose_headings_say_them(find):
    passages = find("nguyên nhân").passages
    says = [i for i, p in enumerate(passages) if "nguyên nhân" in f"{p.heading} {p.text}".lower()]
    under = [i for i, p in enumerate(passages) if i not in says]
    assert says and under  # both kinds are found: "2. Hạn chế, khuyết điểm và nguyên nhân" has children
    assert max(says) < min(under)


def test_a_capitalised_name_is_found_and_marked_whole(find):
    """pyvi leaves "Dương Văn An" in pieces: "an" of "an ninh", "văn" of
    "văn hóa" must not stand for the name, in results or in marks."""
    found = find("Dương Văn An chủ trì")
    assert found.total >= 1
    for passage in found.passages:
        marked = {passage.text[a:b].lower() for a, b in passage.highlights}
        assert marked <= {"dương văn an", "chủ trì"}, marked
    assert any("dương văn an" in {p.text[a:b].lower() for a, b in p.highlights} for p in found.passages)


def test_a_body_name_typed_capitalised_keeps_pyvi_words(find):
    """ "Ban Thường vụ" is no name of two syllables: pyvi's word stands."""
    assert keys(find("Ban Thường vụ Tỉnh ủy")) == keys(find("ban thường vụ tỉnh ủy"))


def test_two_syllables_without_diacritics_are_one_word(find):
    """ "hoa giai" is "hòa giải", not "hóa" in one place and "giai đoạn" in another."""
    found = find("hoa giai")
    assert found.total >= 1
    for passage in found.passages:
        assert any(fold(passage.text[a:b]).lower() == "hoa giai" for a, b in passage.highlights)


def test_a_longer_query_keeps_the_passage_lacking_one_word_after_the_full_matches(find):
    """The conference's conclusion does not say "tổ chức"; it is still found,
    after every passage holding all the words, and says what it lacks."""
    found = find("tổ chức hội nghị sơ kết giao lưu kết nghĩa", year=2015)
    ids = [p.section_id for p in found.passages]
    assert "mo-dau" in ids
    lacking = [p for p in found.passages if p.missing]
    assert [p.missing for p in lacking] == [["tổ chức"]] * len(lacking)
    assert ids.index("mo-dau") == len(ids) - len(lacking)  # after every full match
    # Short queries stay strict: two words, both required.
    assert all(not p.missing for p in find("dân vận khéo").passages)


def test_grouped_pages_read_no_deeper_than_their_groups_need(opened, monkeypatch):
    # The reports are two documents of 41 sections holding "công tác": the
    # best 30 sections already show both, and reading deeper (sorting and
    # re-ranking again) could find no third.
    from search_app import search as search_module
    from search_app.search import Filters

    calls = []
    real = search_module._ordered

    def counted(kept, near, scores, columns, sort, depth, *args):
        calls.append(depth)
        return real(kept, near, scores, columns, sort, depth, *args)

    monkeypatch.setattr(search_module, "_ordered", counted)
    page = search_module.search_page(opened, "công tác", Filters(doc_type="Báo cáo"), per_page=3, group="document")
    assert page.groups == 2 and len(page.passages) == 2 and page.total > 30
    assert calls == [30]
