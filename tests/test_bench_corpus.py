"""The benchmark's corpus generator (bench/generate_corpus.py) writes what it
says it writes: the indexer finds the intended sections, metadata and
citations in the generated documents."""


import pytest

from indexer.build import build_index, load_document
from indexer.store import open_catalog


from bench import generate_corpus

SECTIONS = 30
SEED = 22


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    entries = generate_corpus.generate(folder / "corpus", SECTIONS, seed=SEED)
    report = build_index(folder / "corpus", folder / "index")
    return folder, entries, report, open_catalog(folder / "index")


def test_deterministic(generated, tmp_path):
    folder, entries, _, _ = generated
    again = generate_corpus.generate(tmp_path / "again", SECTIONS, seed=SEED)
    assert again == entries
    for entry in entries:
        assert (tmp_path / "again" / entry["file"]).read_bytes() == (folder / "corpus" / entry["file"]).read_bytes()


def test_intended_sections_and_documents(generated):
    _, entries, report, catalog = generated
    assert sum(e["sections"] for e in entries) == SECTIONS
    assert report.sections == SECTIONS
    assert report.documents == len(entries) == len(catalog.documents)
    # The manifest is a dot-file: not read as a document, and said so.
    assert [s.file for s in report.skipped] == [".manifest.jsonl"]
    assert len({e["number"] for e in entries}) == len(entries)


def test_metadata_as_planned(generated):
    _, entries, _, catalog = generated
    documents = {d["file"]: d for d in catalog.documents}
    for entry in entries:
        document = documents[entry["file"]]
        assert document["doc_type"] == entry["doc_type"], entry["file"]
        assert document["number"] == entry["number"], entry["file"]
        assert document["date"] == entry["date"], entry["file"]
        assert document["year"] == int(entry["date"][:4]), entry["file"]
        assert document["province"] == entry["province"], entry["file"]
        if "/VPTU" not in entry["number"]:  # see test_office_header_issuer
            assert document["issuer"] == entry["issuer"], entry["file"]
        assert entry["topic"] in document["topics"], entry["file"]


def test_citations_resolve(generated):
    _, entries, _, catalog = generated
    by_number = {d["number"]: d["doc_id"] for d in catalog.documents}
    documents = {d["file"]: d for d in catalog.documents}
    planned = [(e["file"], number) for e in entries for number in e["cites"]]
    assert planned, "the seed should give some citations"
    for file, number in planned:
        resolved = {c["number"]: c["doc_id"] for c in catalog.cites(documents[file]["doc_id"])}
        assert resolved.get(number) == by_number[number], (file, number)


def test_office_header_issuer(tmp_path):
    # A header block "TỈNH ỦY X" / "VĂN PHÒNG" names the provincial Party office.
    rng = generate_corpus.random.Random(0)
    pools = generate_corpus.build_pools()
    plans = generate_corpus.plan_documents(400, rng, pools)
    office = next(p for p in plans if p.kind.code == "VPTU")
    path = tmp_path / office.file
    path.write_text(generate_corpus.render(office, plans, pools, generate_corpus.random.Random(1)), encoding="utf-8")
    assert load_document(path).metadata.issuer == office.issuer
