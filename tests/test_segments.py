"""The build workers' segment writer (indexer.segments) writes the files
Whoosh's own writer writes, byte for byte, for every section of the sample
corpus and of a generated one."""

import sys

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from indexer.build import load_corpus
from indexer.documents import analysed_fields, indexed_sections, section_fields
from indexer.schema import build_schema
from indexer.segments import WorkerSegmentWriter

from .conftest import CORPUS, ROOT

sys.path.insert(0, str(ROOT / "bench"))

import generate_corpus  # noqa: E402


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
    writer = WorkerSegmentWriter(ix, limitmb=512) if worker else SegmentWriter(ix, compound=False)
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
