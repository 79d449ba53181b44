"""pyvi's word segmentation, decided with pyvi's own CRF weights, without
building pyvi's feature dictionaries.

pyvi labels each syllable B_W (starts a word) or I_W (continues one) with a
linear-chain CRF (python-crfsuite). For every syllable it builds a dict of
15 features, which crfsuite turns into attribute strings, looks up and sums:
most of an indexer's segmentation time. Here the
same sums are made from weights read out of pyvi's model file: a syllable's
own attributes are summed once per distinct syllable, the rest per position,
in the order crfsuite adds them (floating-point sums depend on order), and
the best path is found the way crfsuite's Viterbi finds it, ties included.
The labels are pyvi's, not an approximation of them: tests/test_crf.py
compares them with pyvi's on every run of the sample corpus and on
generated and random ones.

Only lower-case syllables take this path (the indexer and queries show pyvi
lower-cased text, see analyzers.filters.segment_labels); anything else is
left to pyvi.
"""

from __future__ import annotations

import struct
from pathlib import Path

B_W, I_W = "B_W", "I_W"

# crfsuite's model file (crf1dm.c): a header of offsets, a FEAT chunk of
# (type, source, destination, weight) records, and the label and attribute
# names in CQDB chunks whose backward array maps an id to its string.
_HEADER = struct.Struct("<4sI4sIIIIIIIII")
_FEATURE = struct.Struct("<IIId")
_STATE, _TRANSITION = 0, 1


def _cqdb_strings(data: bytes, offset: int) -> list[str]:
    """The strings of a CQDB chunk, by id."""
    bwd_size, bwd_offset = struct.unpack_from("<II", data, offset + 16)
    strings = []
    for i in range(bwd_size):
        (record,) = struct.unpack_from("<I", data, offset + bwd_offset + 4 * i)
        if record == 0:
            break
        ksize = struct.unpack_from("<I", data, offset + record + 4)[0]
        start = offset + record + 8
        strings.append(data[start : start + ksize - 1].decode("utf-8"))  # ksize counts the NUL
    return strings


def read_model(path: str | Path) -> tuple[list[str], dict[str, list[float]], list[list[float]]]:
    """(labels, {attribute: weight per label}, transition weights [from][to])
    of a crfsuite model file. A weight crfsuite does not hold is 0.0, which
    it adds nowhere (x + 0.0 == x)."""
    data = Path(path).read_bytes()
    magic, _, kind, _, _, num_labels, num_attrs, off_features, off_labels, off_attrs, _, _ = _HEADER.unpack_from(data)
    if magic != b"lCRF" or kind != b"FOMC":
        raise ValueError(f"not a crfsuite CRF1d model: {path}")
    labels = _cqdb_strings(data, off_labels)
    attributes = _cqdb_strings(data, off_attrs)
    if len(labels) != num_labels or len(attributes) != num_attrs:
        raise ValueError(f"unreadable crfsuite model names: {path}")
    chunk, _, count = struct.unpack_from("<4sII", data, off_features)
    if chunk != b"FEAT":
        raise ValueError(f"no feature chunk in {path}")
    weights: dict[str, list[float]] = {}
    transitions = [[0.0] * num_labels for _ in range(num_labels)]
    for i in range(count):
        kind, source, target, weight = _FEATURE.unpack_from(data, off_features + 12 + i * _FEATURE.size)
        if kind == _STATE:
            weights.setdefault(attributes[source], [0.0] * num_labels)[target] = weight
        elif kind == _TRANSITION:
            transitions[source][target] = weight
    return labels, weights, transitions


class Segmenter:
    """pyvi's labels for lower-case syllables (see the module docstring)."""

    def __init__(self, vi):
        """``vi``: pyvi's ViTokenizer class (its model and dictionaries)."""
        labels, weights, transitions = read_model(vi.model.modelfile.name)
        if labels != [B_W, I_W]:
            raise ValueError(f"unexpected pyvi labels: {labels}")
        self._weights = weights
        zero = (0.0, 0.0)

        def pair(name):
            return tuple(weights.get(name, zero))

        self._bias = pair("bias")
        self._flags = {name: pair(name) for name in (
            "word.isupper()", "word.istitle()", "word.isdigit()",
            "-1:word.istitle()", "-1:word.isupper()", "-1:word.bi_gram()", "-2:word.tri_gram()",
            "+1:word.istitle()", "+1:word.isupper()", "+1:word.bi_gram()", "+2:word.tri_gram()",
        )}  # fmt: skip
        self._trans = [tuple(row) for row in transitions]
        self._bi_grams = vi.bi_grams
        self._tri_grams = vi.tri_grams
        self._syllables: dict[str, tuple | bool] = {}  # False: not lower case
        self._cased: set[str] = set()  # lower case, yet upper or title case ("ϒ")

    def _syllable(self, word: str):
        """What a syllable brings wherever it stands: its own attributes
        summed in pyvi's order (bias, word.lower(), isupper, istitle,
        isdigit), the weights it gives its neighbours, and its two case
        flags. False for a syllable that is not lower case."""
        if word != word.lower():
            info = False
        else:
            weights, flags = self._weights, self._flags
            zero = (0.0, 0.0)
            b, i = 0.0, 0.0
            for w in (self._bias, weights.get(f"word.lower():{word}", zero)):
                b, i = b + w[0], i + w[1]
            for flag, on in (("word.isupper()", word.isupper()), ("word.istitle()", word.istitle()), ("word.isdigit()", word.isdigit())):  # fmt: skip
                if on:
                    b, i = b + flags[flag][0], i + flags[flag][1]
            info = (
                (b, i),
                tuple(weights.get(f"-1:word.lower():{word}", zero)),
                tuple(weights.get(f"+1:word.lower():{word}", zero)),
                word.istitle(),
                word.isupper(),
            )
            if info[3] or info[4]:
                self._cased.add(word)
        self._syllables[word] = info
        return info

    def labels(self, words: list[str]) -> list[bool] | None:
        """For each syllable, True where pyvi labels it I_W; None when a
        syllable is not lower case (the caller asks pyvi)."""
        n = len(words)
        if not n:
            return []
        infos = list(map(self._syllables.get, words))
        if None in infos:
            infos = [info or self._syllable(word) for word, info in zip(words, infos)]
        if False in infos:  # not lower case
            return None
        bi_grams, tri_grams = self._bi_grams, self._tri_grams
        bigram = [f"{a} {b}" in bi_grams for a, b in zip(words, words[1:])]
        trigram = [f"{a} {b} {c}" in tri_grams for a, b, c in zip(words, words[1:], words[2:])]
        return self._path(infos, bigram, trigram, not self._cased.isdisjoint(words))

    def _path(self, infos, bigram, trigram, cased: bool) -> list[bool]:
        """Each position's state scores, added in the order pyvi's feature
        dict lists them, and crfsuite's Viterbi step taken as each is made.
        The case features are looked at only for runs that hold an upper
        or title case syllable (``cased``; nearly never)."""
        flags = self._flags
        m1_title, m1_upper, p1_title, p1_upper = (flags[f] for f in ("-1:word.istitle()", "-1:word.isupper()", "+1:word.istitle()", "+1:word.isupper()"))  # fmt: skip
        m1_bi_b, m1_bi_i = flags["-1:word.bi_gram()"]
        m2_tri_b, m2_tri_i = flags["-2:word.tri_gram()"]
        p1_bi_b, p1_bi_i = flags["+1:word.bi_gram()"]
        p2_tri_b, p2_tri_i = flags["+2:word.tri_gram()"]
        (bb, bi), (ib, ii) = self._trans
        last = len(infos) - 1
        back = []
        score_b = score_i = 0.0
        for k, info in enumerate(infos):
            b, i = info[0]
            if k:
                before = infos[k - 1]
                b, i = b + before[1][0], i + before[1][1]
                if cased:
                    if before[3]:
                        b, i = b + m1_title[0], i + m1_title[1]
                    if before[4]:
                        b, i = b + m1_upper[0], i + m1_upper[1]
                if bigram[k - 1]:
                    b, i = b + m1_bi_b, i + m1_bi_i
                if k > 1 and trigram[k - 2]:
                    b, i = b + m2_tri_b, i + m2_tri_i
            if k < last:
                after = infos[k + 1]
                b, i = b + after[2][0], i + after[2][1]
                if cased:
                    if after[3]:
                        b, i = b + p1_title[0], i + p1_title[1]
                    if after[4]:
                        b, i = b + p1_upper[0], i + p1_upper[1]
                if bigram[k]:
                    b, i = b + p1_bi_b, i + p1_bi_i
                if k < last - 1 and trigram[k]:
                    b, i = b + p2_tri_b, i + p2_tri_i
            if k:
                from_b, from_i = score_b + bb, score_i + ib  # into B_W
                to_b, to_i = score_b + bi, score_i + ii  # into I_W
                into_b, into_i = from_i > from_b, to_i > to_b  # strict, as crfsuite: ties keep B_W
                back.append((into_b, into_i))
                score_b = (from_i if into_b else from_b) + b
                score_i = (to_i if into_i else to_b) + i
            else:
                score_b, score_i = b, i
        label = score_i > score_b
        out = [label]
        for into_b, into_i in reversed(back):
            label = into_i if label else into_b
            out.append(label)
        out.reverse()
        return out
