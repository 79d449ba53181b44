"""analyzers.crf gives pyvi's own labels, not an approximation of them."""

import random

import pytest

from analyzers.crf import Segmenter, read_model
from analyzers.filters import pyvi_model, segment_labels
from analyzers.normalize import MODERN, place_tone
from analyzers.tokenizers import SOFT_GAP, TOKEN
from analyzers.filters import syllable_key

from .conftest import CORPUS


@pytest.fixture(scope="module")
def vi():
    return pyvi_model()


@pytest.fixture(scope="module")
def fast(vi):
    return Segmenter(vi)


def pyvi_labels(vi, run):
    return [label == "I_W" for label in vi.model.predict([vi.sent2features(run, False)])[0]]


def corpus_runs():
    """Every run of syllables the indexer shows pyvi in the sample corpus."""
    runs = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        syllables, boundaries, previous = [], [], None
        for match in TOKEN.finditer(text):
            syllables.append(place_tone(syllable_key(match.group(0)), MODERN))
            boundaries.append(previous is None or not SOFT_GAP.fullmatch(text[previous : match.start()]))
            previous = match.end()
        start = 0
        for end in range(1, len(syllables) + 1):
            if end == len(syllables) or boundaries[end]:
                runs.append(syllables[start:end])
                start = end
    return runs


def test_model_weights_are_read_from_pyvis_file(vi):
    labels, weights, transitions = read_model(vi.model.modelfile.name)
    assert labels == ["B_W", "I_W"]
    # Figures from pyvi's own dump of its model (six decimals).
    assert weights["bias"] == pytest.approx([2.444936, -2.444936], abs=1e-6)
    assert weights["-1:word.bi_gram()"] == pytest.approx([-4.181370, 4.181370], abs=1e-6)
    assert transitions[0] == pytest.approx([-0.996680, 1.918715], abs=1e-6)  # from B_W
    assert transitions[1] == pytest.approx([-2.969562, -0.436850], abs=1e-6)  # from I_W


def test_labels_equal_pyvis_on_every_run_of_the_sample_corpus(vi, fast):
    runs = corpus_runs()
    assert sum(map(len, runs)) > 15000
    for run in runs:
        assert fast.labels(run) == pyvi_labels(vi, run), run


def test_labels_equal_pyvis_on_runs_dense_in_dictionary_words(vi, fast):
    """Runs strung from pyvi's own two- and three-syllable words and odd
    tokens fire every bigram and trigram feature and come close to ties."""
    rng = random.Random(0)
    grams = [g.split(" ") for g in sorted(vi.tri_grams)[:3000] + sorted(vi.bi_grams)[:12000]]
    grams = [g for g in grams if all(w == w.lower() and w for w in g)]
    # "ϒ" is its own lower case yet upper and title case: the case features' path.
    odd = [["2021"], ["69"], ["kl"], ["tu"], ["."], [","], ["-"], ["x"], ["thì"], ["ǆ"], ["ϒ"]]
    for _ in range(8000):
        run = [w for _ in range(rng.randint(1, 8)) for w in rng.choice(grams if rng.random() < 0.8 else odd)]
        assert fast.labels(run) == pyvi_labels(vi, run), run


def test_upper_case_is_left_to_pyvi(vi, fast):
    run = ["Ban", "Thường", "vụ", "tỉnh", "ủy"]
    assert fast.labels(run) is None
    # segment_labels shows pyvi lower case; a caller that does not still gets pyvi's answer.
    labels = pyvi_labels(vi, run)
    assert segment_labels(run) == [False] + [labels[i] for i in range(1, len(run))]


def test_segment_labels_join_words_as_pyvi_does():
    assert segment_labels("đồng bào dân tộc thiểu số".split()) == [False, True, False, True, True, True]
