"""The fast indexing path indexes exactly what the analyzer chains and the
first, serial build did: the recorded digest (tests/data/index_digest.json,
made by `python -m tests.index_digest corpus <generated 200> <out>` with the
build before issue 6) per section and field, and the analyzers' own tokens
for every text the index analyses."""

import json
from pathlib import Path

import pytest

from analyzers import folded_analyzer, folded_pair_analyzer, pair_analyzer, syllable_analyzer, word_analyzer
from analyzers.analysis import text_views
from indexer.build import build_index, load_corpus
from indexer.documents import indexed_sections, section_fields

from .conftest import CORPUS, ROOT
from .index_digest import _hash, index_digest


from bench import generate_corpus

RECORDED = json.loads((ROOT / "tests" / "data" / "index_digest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated200")
    generate_corpus.generate(folder, 200, seed=0)
    return folder


def _compare(root: Path, recorded: dict) -> None:
    digest = index_digest(root)
    assert set(digest["sections"]) == set(recorded["sections"])
    differing = {
        (key, name)
        for key, fields in recorded["sections"].items()
        for name in set(fields) | set(digest["sections"][key])
        if fields.get(name) != digest["sections"][key].get(name)
    }
    assert differing == set()
    assert _hash(json.dumps(digest["catalog"], sort_keys=True, ensure_ascii=False)) == recorded["catalog"]


def test_the_sample_corpus_is_indexed_as_recorded(index_root):
    _compare(index_root, RECORDED["corpus"])


def test_a_generated_corpus_is_indexed_as_recorded_by_two_worker_processes(generated, tmp_path):
    report = build_index(generated, tmp_path / "index", workers=2)
    assert report.sections == 200
    _compare(tmp_path / "index", RECORDED["generated"])


CHAINS = {
    "syllables": syllable_analyzer(),
    "folded": folded_analyzer(),
    "words": word_analyzer(),
    "pairs": pair_analyzer(),
    "folded_pairs": folded_pair_analyzer(),
}


@pytest.mark.parametrize("corpus", ["sample", "generated"])
def test_one_pass_views_equal_the_analyzer_chains(corpus, generated):
    documents, _ = load_corpus(CORPUS if corpus == "sample" else generated)
    texts = 0
    for document in documents:
        for section in indexed_sections(document):
            fields = section_fields(document, section)
            for text in filter(None, (fields["head"], fields["body"], fields["context"])):
                views = text_views(text)
                for view, chain in CHAINS.items():
                    assert getattr(views, view) == [t.text for t in chain(text)], (section.section_id, view)
                texts += 1
    assert texts > 100
