"""The build workers' segment writer (engine.writer) writes the files
Whoosh's own writer writes, byte for byte, for every section of the sample
corpus and of a generated one."""

import pickle

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from indexer import store
from indexer.build import build_index, load_corpus
from indexer.documents import analysed_fields, indexed_sections, section_fields
from indexer.schema import build_schema
from engine.reader import posting_extent
from engine.writer import BLOCK_POSTINGS, WorkerSegmentWriter, codec

from .conftest import CORPUS


from bench import generate_corpus


def _rows(folder):
    """The build's rows (text fields as token lists), and the last ten with
    their texts as strings, for Whoosh's analyzers (the writer's other path)."""
    documents, _ = load_corpus(folder)
    sections = [(d, s) for d in documents for s in indexed_sections(d)]
    strings = [{k: v for k, v in section_fields(d, s).items() if v is not None} for d, s in sections[-10:]]
    return [analysed_fields(d, s) for d, s in sections[:-10]] + strings


def _segment_files(folder, rows, worker: bool) -> dict[str, bytes]:
    """Each file of the one segment ``rows`` make, by extension."""
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = WorkerSegmentWriter(ix, limitmb=512) if worker else SegmentWriter(ix, compound=False, codec=codec())
    for row in rows:
        writer.add_document(**row)
    if worker:
        segment = writer.finish()
        storage = segment.open_compound_file(ix.storage)
    else:
        writer.commit()
        [segment] = whoosh_index.open_dir(str(folder))._segments()
        storage = ix.storage
    prefix = segment.make_filename("")
    files = {}
    for name in storage.list():
        if name.startswith(prefix):
            with storage.open_file(name) as f:
                files[name[len(prefix) :]] = f.read()
    storage.close()
    return files


@pytest.mark.parametrize("corpus", ["sample", "generated"])
def test_the_worker_writer_writes_what_whoosh_writes(corpus, tmp_path):
    folder = CORPUS
    if corpus == "generated":
        folder = tmp_path / "generated"
        generate_corpus.generate(folder, 300, seed=3)
    rows = _rows(folder)
    ours = _segment_files(tmp_path / "ours", rows, worker=True)
    whooshs = _segment_files(tmp_path / "whoosh", rows, worker=False)
    assert sorted(ours) == sorted(whooshs)
    assert ".trm" in ours and ".pst" in ours
    assert [ext for ext in ours if ours[ext] != whooshs[ext]] == []


def _block_sizes(raw: bytes) -> list[int]:
    """Postings per block of one W3 posting list (see engine.decode_blocks)."""
    sizes, position, last = [], 4, False
    while not last:
        size = int.from_bytes(raw[position : position + 4], "big", signed=True)
        last = size < 0
        sizes.append(pickle.loads(raw[position + 4 : position + 4 + abs(size)])[0])
        position += 4 + abs(size)
    return sizes


def test_built_segments_keep_long_posting_lists_in_large_blocks(tmp_path):
    # Whoosh's default of 128 postings a block makes common words slow to
    # read: the segments the build's workers write hold up to
    # BLOCK_POSTINGS a block.
    corpus, root = tmp_path / "corpus", tmp_path / "index"
    generate_corpus.generate(corpus, 600, seed=5)
    build_index(corpus, root, workers=2)
    ix = store.open_current(root).index
    checked = 0
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            terms = leaf._terms
            for (name, _), info in terms.items_from("body", b""):
                if name != "body":
                    break
                if info.is_inlined() or info.doc_frequency() <= 128:
                    continue
                sizes = _block_sizes(terms._postfile.get(*posting_extent(info)))
                count = info.doc_frequency()
                assert sizes == [min(BLOCK_POSTINGS, count - start) for start in range(0, count, BLOCK_POSTINGS)]
                checked += 1
    assert checked > 10
