import pytest

from indexer import store
from indexer.build import build_index
from indexer.store import open_current
from search_app.search import search

from .conftest import CORPUS

SAMPLE = (CORPUS / "003_064c99f8bc1e6bb7.txt").read_text(encoding="utf-8")


def test_every_sample_document_and_its_sections_are_indexed(opened):
    documents = opened.catalog.documents
    assert len(documents) == 5
    assert opened.catalog.skipped == []
    with opened.index.searcher() as searcher:
        assert searcher.doc_count() == opened.catalog.fact("sections")
        ids = {searcher.stored_fields(n)["doc_id"] for n in range(searcher.doc_count())}
    assert ids == {d["doc_id"] for d in documents}


def test_no_indexed_word_carries_a_footnote_marker(opened):
    markers = set("¹²³⁰⁴⁵⁶⁷⁸⁹")
    with opened.index.searcher() as searcher:
        for fieldname in ("body", "body_fold", "body_words", "head"):
            glued = [t for t in searcher.lexicon(fieldname) if markers & set(t.decode("utf-8"))]
            assert glued == [], fieldname


def test_broken_files_are_reported_by_name_and_reason_while_the_rest_is_indexed(make_corpus, tmp_path):
    corpus = make_corpus(
        {
            "good.txt": SAMPLE,
            "empty.txt": "",
            "blank.md": "  \n\n ",
            "picture.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
            "legacy.txt": "Th\xf4ng b\xe1o k\xea\xb8t lu\xb9n".encode("latin-1"),
            "notes.docx": b"PK\x03\x04 not a text document",
            "orphan.meta.toml": 'number = "1-KL/TU"\n',
        }
    )
    (corpus / "old").mkdir()
    report = build_index(corpus, tmp_path / "index")
    assert report.documents == 1
    skipped = {s.file: s.reason for s in report.skipped}
    assert set(skipped) == {
        "empty.txt", "blank.md", "picture.txt", "legacy.txt", "notes.docx", "orphan.meta.toml", "old/",
    }
    assert all(reason for reason in skipped.values())
    assert search(open_current(tmp_path / "index"), "giao lưu kết nghĩa").total > 0


def test_a_broken_data_file_stops_the_build_instead_of_skipping_every_document(make_corpus, tmp_path, monkeypatch):
    from analyzers.datafiles import DataFileError

    def broken(parsed):
        raise DataFileError("gazetteer.toml: mỗi [[province]] cần name và danh sách places")

    monkeypatch.setattr("indexer.documents.extract_metadata", broken)
    with pytest.raises(DataFileError, match="gazetteer.toml"):
        build_index(make_corpus({"one.txt": SAMPLE}), tmp_path / "index")


def test_utf16_and_bom_files_are_indexed(make_corpus, tmp_path):
    corpus = make_corpus(
        {
            "utf16.txt": SAMPLE.encode("utf-16"),
            "bom.md": "\ufeff" + SAMPLE,
        }
    )
    report = build_index(corpus, tmp_path / "index")
    assert (report.documents, report.skipped) == (2, [])


def test_sidecar_values_win_over_extraction(make_corpus, tmp_path):
    corpus = make_corpus(
        {
            "tb.txt": SAMPLE,
            "tb.meta.toml": 'number = "205-TB/VPTU"\nprovince = "Lai Châu"\n',
        }
    )
    build_index(corpus, tmp_path / "index")
    opened = open_current(tmp_path / "index")
    document = opened.documents["tb"]
    assert (document["number"], document["province"]) == ("205-TB/VPTU", "Lai Châu")
    assert document["sources"]["province"] == "sidecar"
    # The corrected number is searchable.
    assert search(opened, "205-TB/VPTU").passages[0].doc_id == "tb"


@pytest.mark.parametrize("sidecar", ["colour = 'red'\n", 'number = "1-TB\n'])  # unknown key; not TOML
def test_a_broken_sidecar_is_reported_and_the_document_still_indexed(make_corpus, tmp_path, sidecar):
    corpus = make_corpus({"tb.txt": SAMPLE, "tb.meta.toml": sidecar})
    report = build_index(corpus, tmp_path / "index")
    assert report.documents == 1
    assert any("tb.meta.toml" in w for w in report.warnings)


def test_rebuild_replaces_the_index_atomically(make_corpus, tmp_path, monkeypatch):
    root = tmp_path / "index"
    corpus = make_corpus({"one.txt": SAMPLE})
    build_index(corpus, root)
    before = open_current(root)
    (corpus / "two.txt").write_text(SAMPLE.replace("giao lưu", "hợp tác"), encoding="utf-8")

    seen_at_switch = {}
    real_publish = store.publish

    def observed_publish(index_root, generation, *args, **kwargs):
        # The new index is complete on disk, yet readers still get the old one...
        seen_at_switch["before"] = len(open_current(index_root).catalog.documents)
        seen_at_switch["new_is_whole"] = store.whoosh_index.exists_in(str(generation))
        real_publish(index_root, generation, *args, **kwargs)
        # ...and right after the switch, the new one.
        seen_at_switch["after"] = len(open_current(index_root).catalog.documents)

    monkeypatch.setattr(store, "publish", observed_publish)
    build_index(corpus, root)
    assert seen_at_switch == {"before": 1, "new_is_whole": True, "after": 2}
    # An index opened before the rebuild still answers.
    assert search(before, "giao lưu").total > 0
    assert len(list(root.glob("gen-*"))) <= store.KEEP_GENERATIONS


def test_a_failed_rebuild_leaves_the_live_index_alone(make_corpus, tmp_path, monkeypatch):
    root = tmp_path / "index"
    corpus = make_corpus({"one.txt": SAMPLE})
    build_index(corpus, root)

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("indexer.build.build_catalog", crash)
    with pytest.raises(RuntimeError):
        build_index(corpus, root)
    assert search(open_current(root), "giao lưu").total > 0
    assert len(list(root.glob("gen-*"))) == 1  # the half-built generation is gone


def test_citations_link_documents_both_ways(opened):
    documents = opened.documents
    cites = [c for c in opened.catalog.cites("001_b7d788ee9d07cfc0") if c["number"] == "69-KL/TU"]
    assert cites and all(c["doc_id"] == "000_8b1cbe83c3de1fbc" for c in cites)
    assert {c["section_id"] for c in cites} >= {"phan-1-III", "phan-2-II"}
    cited_by = opened.catalog.cited_by("000_8b1cbe83c3de1fbc")
    assert {c["doc_id"] for c in cited_by} == {"001_b7d788ee9d07cfc0"}
    assert {c["section_id"] for c in cited_by} == {c["section_id"] for c in cites}
    # Numbers outside the corpus stay unresolved.
    assert all(c["doc_id"] is None for c in opened.catalog.cites("002_47ca4eed93e62be1"))
