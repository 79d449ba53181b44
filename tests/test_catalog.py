"""The catalog in SQLite (indexer.catalog): what the build hands it is what
readers get back, read from any thread, and nothing is dropped silently."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from indexer.catalog import Catalog, CatalogDamaged, FileRecord, write_catalog

DOCUMENTS = [
    {
        "doc_id": "kl69", "title": "Kết luận", "topics": ["Dân vận khéo"], "sources": {"number": "header"},
        "sections": [
            {"section_id": "mo-dau", "heading": "", "level": 0},
            {"section_id": "I", "heading": "I. KẾT QUẢ", "level": 1, "pages": [1, 2]},
        ],
        "cites": [],
        "cited_by": [{"doc_id": "bc426", "section_id": "I", "number": "69-KL/TU"}],
    },
    {
        "doc_id": "bc426", "title": "Báo cáo", "topics": [], "sources": {},
        "sections": [{"section_id": "mo-dau", "heading": "", "level": 0}, {"section_id": "I", "heading": "I.", "level": 1}],
        "cites": [
            {"number": "69-KL/TU", "key": "69-KL/TU", "doc_type": "Kết luận", "date": "", "issuer": "", "title": "",
             "section_id": "I", "doc_id": "kl69"},
            {"number": "162/2017/NĐ-CP", "key": "162/2017/ND-CP", "doc_type": "Nghị định", "date": "", "issuer": "",
             "title": "", "section_id": "I", "doc_id": None},
        ],
        "cited_by": [],
    },
]
CATALOG = {
    "documents": DOCUMENTS, "skipped": [{"file": "hong.docx", "reason": "tệp hỏng"}], "sections": 3, "format": 7,
    "corpus_dir": "/srv/corpus", "built_at": 1.5,
    "files": {
        "kl69.txt": FileRecord("ab", doc_id="kl69", sections=2, metadata={"number": "69-KL/TU"}, warnings=["mã cũ"]),
        "hong.docx": FileRecord("cd", "tệp hỏng"),
    },
}


@pytest.fixture
def catalog(tmp_path):
    write_catalog(tmp_path / "catalog.sqlite", CATALOG)
    return Catalog(tmp_path / "catalog.sqlite")


def test_what_is_written_is_read_back(catalog):
    assert catalog.as_dict() == CATALOG
    assert [d["doc_id"] for d in catalog.documents] == ["kl69", "bc426"]
    assert "sections" not in catalog.by_id["kl69"] and "cites" not in catalog.by_id["bc426"]
    assert catalog.outline("kl69")[1] == {"section_id": "I", "heading": "I. KẾT QUẢ", "level": 1, "pages": [1, 2]}
    assert catalog.outline_entries([(1, 1), (0, 0), (5, 0)]) == [
        {"section_id": "I", "heading": "I.", "level": 1}, {"section_id": "mo-dau", "heading": "", "level": 0}, None
    ]
    assert catalog.outline_entries([(0, 1)] * 1000) == [catalog.outline("kl69")[1]] * 1000  # over one query's worth
    assert catalog.levels == [[0, 1], [0, 1]]
    assert catalog.fact("corpus_dir") == "/srv/corpus" and catalog.fact("absent", "") == ""
    # Unknown documents have nothing rather than another's.
    assert catalog.outline("khong-co") == catalog.cites("khong-co") == catalog.cited_by("khong-co") == []


def test_what_cites_a_document_follows_from_the_citations(catalog):
    assert catalog.cited_by("kl69") == [{"doc_id": "bc426", "section_id": "I", "number": "69-KL/TU"}]
    assert [c["doc_id"] for c in catalog.cites("bc426")] == ["kl69", None]


def test_readers_share_it_across_threads(catalog):
    def read(doc_id):
        return catalog.outline(doc_id), catalog.cites(doc_id), catalog.cited_by(doc_id)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(read, ["kl69", "bc426"] * 200))
    assert results == [read("kl69"), read("bc426")] * 200


@pytest.mark.parametrize("where", ["sections", "cites"])
def test_a_key_without_a_column_is_refused_not_dropped(tmp_path, where):
    documents = [dict(d) for d in DOCUMENTS]
    documents[1] = documents[1] | {where: [documents[1][where][0] | {"new_key": 1}]}
    with pytest.raises(ValueError, match="new_key"):
        write_catalog(tmp_path / "catalog.sqlite", CATALOG | {"documents": documents})
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_no_catalog_is_an_error_on_opening(tmp_path):
    (tmp_path / "catalog.sqlite").write_bytes(b"not a database" * 100)
    with pytest.raises(CatalogDamaged, match="tệp catalog.sqlite hỏng, không đọc được"):
        Catalog(tmp_path / "catalog.sqlite")


def test_damage_found_on_first_use_is_said_as_damage(tmp_path):
    path = tmp_path / "catalog.sqlite"
    write_catalog(path, CATALOG)
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # page 2: the facts table, made first
    path.write_bytes(bytes(data))
    catalog = Catalog(path)  # the documents table still reads
    with pytest.raises(CatalogDamaged, match="tệp catalog.sqlite hỏng"):
        catalog.fact("corpus_dir")
