"""Staff queries → Whoosh queries, built from analysed tokens.

The raw string never reaches Whoosh's QueryParser: it would split on spaces
before analysis, and a multi-syllable query would never meet a segmented
word. Instead:

- document numbers (``69-KL/TU``, ``69 -kl/tu``) are taken out first and match
  the document that bears the number and the sections that cite it;
- ``"…"`` is a phrase;
- the rest is analysed into syllables, abbreviations are recognised both ways
  (DTTS ⇄ dân tộc thiểu số), and pyvi groups the other syllables into words.
  Every unit must match: as a word, or as adjacent syllables (so ``thiểu số``
  finds ``dân tộc thiểu số``). The whole text as a phrase ranks higher.
- A query typed without any diacritics searches the folded view, so
  ``dan toc thieu so`` finds ``dân tộc thiểu số``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from analyzers import syllables
from analyzers.abbreviations import load_abbreviations
from analyzers.datafiles import cached_data
from analyzers.docnumber import LooseNumber, find_loose_numbers, find_numbers
from analyzers.filters import segment_labels
from analyzers.normalize import fold, has_diacritics, nfc
from engine.query import And, AndMaybe, ConstantScore, Or, Prefix, Query, Require, Term, Wildcard
from indexer.citations import DOC_TYPES, type_codes
from indexer.schema import BODY_FIELDS, CONTEXT_FIELDS, HEAD_FIELDS

MAX_QUERY_CHARS = 1000
# What a document page marks of a query: a pasted paragraph gives hundreds
# of sequences to look for; questions are far shorter than this.
MAX_MARKED_SYLLABLES = 100
# The whole-run phrase bonus only for runs this short: longer runs (questions)
# never occur verbatim (1 of 100 ALQAC questions) and the phrase costs time.
PHRASE_MAX_SYLLABLES = 6
# Headings are boosted in the index (HEADING_BOOST). With the coverage
# re-ranking (search_app/rerank.py) 0.75 ranks best on the 430 unverified
# ALQAC training questions (docs/benchmark-journal.md).
HEAD_QUERY_BOOST = 0.75
# A number query ranks by where the number stands, as constants: the
# document bearing it, then sections citing it in their heading (a plan
# "implementing 60-KH/TU"), then sections citing it in their text; words next
# to the number add their usual score. (BM25 on these sparse fields is
# meaningless: 3 of ~80 sections carry a number, a match scored ~0.4.)
NUMBER_SCORE, HEAD_CITE_SCORE, CITE_SCORE = 1000.0, 30.0, 10.0
PATH_CITE_SCORE = 5.0  # cited only in a heading above the section
NUMBER_WITH_WORDS = 3  # syllables beside a number up to which it still asks for the document
PHRASE_BOOST = 2.0
# A unit matching as a pyvi word is also a syllable match: the syllable clause
# weighs less so the pair is not scored twice at full weight. Applies when
# sections are ranked by how many words match (questions, partial matches).
SYLLABLE_WEIGHT = 0.5
# A unit found in the section's context (document title, headings above it)
# counts, lightly: a question naming the law, a query naming the part of a
# report, finds the sections under it without outranking the text itself.
CONTEXT_BOOST = 0.5

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
# A quoted phrase (a lone quote runs to the end), or a whitespace-free token.
_TOKEN = re.compile(r'-?"[^"]*"?|[^\s"]+')
# Field prefixes ("title:") are not supported: named in the page, the value searched.
_FIELD_PREFIX = re.compile(r"^([A-Za-z_]+):(?=\S)")
OR_WORDS, AND_WORDS, NOT_WORDS = ("OR", "||"), ("AND", "&&"), ("NOT",)


class QueryError(ValueError):
    """A query that cannot be searched; the message is for the user."""


@dataclass
class ParsedQuery:
    raw: str
    numbers: list[str] = field(default_factory=list)  # normalised keys
    loose: list[LooseNumber] = field(default_factory=list)  # "kl 69": type and number only
    phrases: list[list[str]] = field(default_factory=list)  # quoted, as syllables
    chunks: list[list[str]] = field(default_factory=list)  # unquoted runs, as syllables
    # "a OR b": groups of which one alternative must match, each (quoted?, syllables).
    either: list[list[tuple[bool, list[str]]]] = field(default_factory=list)
    excluded: list[list[str]] = field(default_factory=list)  # "-word", "NOT word", -"phrase"
    ignored: list[str] = field(default_factory=list)  # syntax not supported, as typed ("title:")
    # Runs of two or more capitalised syllables ("Dương Văn An", "Lai Châu"):
    # names, matched and marked whole (pyvi leaves a name in pieces).
    names: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def all_syllables(self) -> list[str]:
        alternatives = [run for group in self.either for _, run in group]
        return [s for run in self.phrases + self.chunks + alternatives for s in run]

    @property
    def accented(self) -> bool:
        """Typed with diacritics: match them exactly (else search the folded view)."""
        return any(has_diacritics(s) for s in self.all_syllables)


# "kết luận 69", "Ket luan so 69": a type named in words, then its number.
_TYPED_NUMBER = re.compile(
    r"(?<!\w)(?P<type>" + "|".join(re.escape(fold(label).lower()) for label, _ in DOC_TYPES) + r")"
    r"\s+(?:so\s+)?(?P<n>\d{1,5})(?![\w/])"
)


def _typed_numbers(text: str) -> list[LooseNumber]:
    folded = fold(text).lower()
    if len(folded) != len(text):  # offsets must carry over
        return []
    found = []
    for m in _TYPED_NUMBER.finditer(folded):
        digits = m.group("n").lstrip("0") or "0"
        label = next(label for label, _ in DOC_TYPES if fold(label).lower() == m.group("type"))
        codes = type_codes(label)
        if codes and not (1945 <= int(digits) <= 2100 and "so" not in m.group(0).split()):
            found.append(LooseNumber(digits, codes[-1], "", m.start(), m.end()))
    return found


def parse_query(raw: str, loose: bool = True) -> ParsedQuery:
    """``loose``: read "kl 69", "KL69", "69 KL TU" as document numbers (the
    search reads the query again without, when no document has one)."""
    text = _CONTROL.sub(" ", nfc(raw or "")).translate(_QUOTES).strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"Câu tìm kiếm quá dài ({len(text)} ký tự, tối đa {MAX_QUERY_CHARS})."
        )
    parsed = ParsedQuery(raw=text)
    for match in reversed(find_numbers(text, query=True)):
        if match.key not in parsed.numbers:
            parsed.numbers.insert(0, match.key)
        text = text[: match.start] + " " + text[match.end :]
    for number in reversed((find_loose_numbers(text) + _typed_numbers(text)) if loose else []):
        if number.key:
            if number.key not in parsed.numbers:
                parsed.numbers.insert(0, number.key)
        elif (number.digits, number.code) not in {(n.digits, n.code) for n in parsed.loose}:
            parsed.loose.insert(0, number)
        text = text[: number.start] + " " + text[number.end :]
    _read_words(text, parsed)
    if not (parsed.numbers or parsed.loose or parsed.phrases or parsed.chunks or parsed.either):
        if parsed.excluded:
            raise QueryError("Cần ít nhất một từ để tìm, ngoài các từ loại trừ (-từ, NOT từ).")
        raise QueryError("Câu tìm kiếm không có từ nào để tìm.")
    return parsed


def _read_words(text: str, parsed: ParsedQuery) -> None:
    """Words, quoted phrases and the operators between them into ``parsed``.

    Words side by side make one run (pyvi segments it). ``OR`` (or ``||``)
    between two runs or phrases makes one of them enough; ``-`` before a
    word or phrase, or ``NOT`` before it, excludes it; ``AND`` is what words
    side by side already mean. A field prefix is named and left out."""
    items: list[tuple[str, list[str]]] = []  # ("run" | "phrase", syllables) or ("or", [])
    run: list[str] = []
    exclude_next = False
    capitals: list[str] = []  # the capitalised syllables just read

    def name_found():
        if len(capitals) >= 2:
            parsed.names.append(tuple(capitals))
        capitals.clear()

    def close_run():
        name_found()
        if run:
            items.append(("run", run.copy()))
            run.clear()

    for token in _TOKEN.findall(text):
        if token in OR_WORDS:
            close_run()
            items.append(("or", []))
            continue
        if token in AND_WORDS:
            continue
        if token in NOT_WORDS:
            close_run()
            exclude_next = True
            continue
        token, negated = _unsigned(token, exclude_next)
        exclude_next = False
        token = _without_prefix(token, parsed.ignored)
        quoted = token.startswith('"')
        words = syllables(token.strip('"'))
        if not words:
            capitals.clear()
            continue
        if negated:
            close_run()
            parsed.excluded.append(words)
        elif quoted:
            close_run()
            items.append(("phrase", words))
        else:
            run.extend(words)
        if not negated and not quoted and len(words) == 1 and _is_capitalised(token):
            capitals.append(words[0])
            continue
        name_found()
    close_run()
    _group(items, parsed)


def _unsigned(token: str, negated: bool) -> tuple[str, bool]:
    """``token`` without a leading "-" of exclusion, and whether it is excluded."""
    if len(token) > 1 and token[0] == "-" and (token[1].isalpha() or token[1] == '"'):
        return token[1:], True
    return token, negated


def _without_prefix(token: str, ignored: list[str]) -> str:
    """``token`` without a field prefix ("title:"), which goes to ``ignored``."""
    prefix = _FIELD_PREFIX.match(token)
    if not prefix:
        return token
    ignored.append(prefix.group(0))
    return token[prefix.end() :]


def _is_capitalised(token: str) -> bool:
    """"Dương", not "dương" nor "DTTS" (an abbreviation) nor "69"."""
    letters = [c for c in token if c.isalpha()]
    return len(letters) > 1 and letters[0].isupper() and not any(c.isupper() for c in letters[1:])


def _group(items: list[tuple[str, list[str]]], parsed: ParsedQuery) -> None:
    """Runs and phrases joined by OR into groups; the others required."""
    groups: list[list[tuple[str, list[str]]]] = []
    joined = False
    for kind, words in items:
        if kind == "or":
            joined = bool(groups)
            continue
        if joined:
            groups[-1].append((kind, words))
        else:
            groups.append([(kind, words)])
        joined = False
    for group in groups:
        if len(group) == 1:
            kind, words = group[0]
            (parsed.phrases if kind == "phrase" else parsed.chunks).append(words)
        else:
            parsed.either.append([(kind == "phrase", words) for kind, words in group])


def first_syllables(parsed: ParsedQuery, limit: int) -> tuple[ParsedQuery, bool]:
    """``parsed`` with at most ``limit`` syllables of words, phrases and OR
    sides (the first ones; a run cut short keeps its start), and whether any
    were left out. Numbers are kept: each is one lookup."""
    budget = limit

    def cut(run: list[str]) -> list[str]:
        nonlocal budget
        start, budget = budget, budget - len(run)
        return run[: max(start, 0)]

    phrases = [kept for kept in map(cut, parsed.phrases) if kept]
    chunks = [kept for kept in map(cut, parsed.chunks) if kept]
    either = [[(quoted, cut(words)) for quoted, words in group] for group in parsed.either]
    either = [kept for kept in ([(q, w) for q, w in group if w] for group in either) if kept]
    if budget >= 0:
        return parsed, False
    return replace(parsed, phrases=phrases, chunks=chunks, either=either), True


@dataclass
class Unit:
    """Syllables that must match together, and their equivalents."""

    syllables: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...] = ()


@cached_data
def _abbreviation_forms() -> tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...]:
    """(folded form to look for, its counterpart, the form itself), both ways."""
    forms = []
    for entry in load_abbreviations():
        for found, other in ((entry.short, entry.long), (entry.long, entry.short)):
            forms.append((tuple(fold(s) for s in found), other, found))
    return tuple(forms)


def _abbreviation_at(run: list[str], i: int):
    """The longest abbreviation or expansion starting at run[i], if any.

    Compared without diacritics so "HDND" and "dan toc thieu so" are recognised.
    """
    folded = tuple(fold(s) for s in run[i:])
    best = None
    for key, other, found in _abbreviation_forms():
        n = len(key)
        if folded[:n] == key and (best is None or n > len(best[0])):
            best = (tuple(run[i : i + n]), other, found)
    return best


def units_of(run: list[str], names: list[tuple[str, ...]] = ()) -> list[Unit]:
    """Abbreviations (either way) and pyvi words; syllables typed without
    diacritics stay single units: pyvi, trained on accented text, pairs them
    wrongly ("bao ve rung" → bao | ve_rung) and the pair would be required.
    A capitalised name of ``names`` is one unit where pyvi keeps it apart
    from its neighbours ("Dương Văn An | chủ_trì", not "Ban Thường_vụ")."""
    units: list[Unit] = []
    plain: list[str] = []

    def flush():
        words: list[tuple[str, ...]] = []
        accented = any(has_diacritics(s) for s in plain)
        joins = segment_labels(plain) if accented else [False] * len(plain)
        joins = _join_names(plain, list(joins), names)
        for syllable, join in zip(plain, joins):
            if join:
                words[-1] += (syllable,)
            else:
                words.append((syllable,))
        units.extend(Unit(word) for word in words)
        plain.clear()

    i = 0
    while i < len(run):
        found = _abbreviation_at(run, i)
        if found:
            flush()
            typed, other, canonical = found
            alternatives = (other,) if typed == canonical else (other, canonical)
            units.append(Unit(typed, alternatives))
            i += len(typed)
        else:
            plain.append(run[i])
            i += 1
    flush()
    return units


NUMBER_FIELDS = ("number", "head_cites", "cites", "path_cites")


def cited_query(keys: list[str]) -> Query:
    """The sections citing any of the numbers ``keys``."""
    return Or([Term("cites", key) for key in keys])


def number_anywhere(key: str) -> Query:
    """The sections bearing or citing the number ``key``."""
    return Or([Term(fieldname, key) for fieldname in NUMBER_FIELDS])


def _join_names(plain: list[str], joins: list[bool], names) -> list[bool]:
    """``joins`` with each name in ``plain`` joined into one word, unless pyvi
    joins its first or last syllable with a word outside it."""
    for name in names:
        n = len(name)
        for start in range(len(plain) - n + 1):
            end = start + n
            if tuple(plain[start:end]) == name and not joins[start] and not (end < len(plain) and joins[end]):
                joins[start + 1 : end] = [True] * (n - 1)
    return joins


def _loose_match(fieldname: str, number: LooseNumber) -> Query:
    """Every key a loose "kl 69" may mean: 69-KL/<any issuer> (Party style),
    69/KL-<any> or 69/<year>/KL-<any> (State style)."""
    digits, code = number.digits, number.code
    return Or(
        [
            Prefix(fieldname, f"{digits}-{code}/"),
            Prefix(fieldname, f"{digits}/{code}-"),
            Wildcard(fieldname, f"{digits}/????/{code}-*"),
        ]
    )


_PAIR_VIEWS = {"syllable": "pair", "folded": "folded_pair"}


def _adjacent(fields: dict, view: str, a: str, b: str, boost: float) -> Query:
    """Syllables ``a`` and ``b`` side by side, scored as the two syllables
    (what a phrase query scores, tuned so), found by the pair term: an
    intersection with a short posting list instead of position checks."""
    both = And([Term(fields[view], a), Term(fields[view], b)], boost=boost)
    return Require(both, Term(fields[_PAIR_VIEWS[view]], f"{a}_{b}"))


def _sequence(fields: dict, view: str, terms: tuple[str, ...], boost: float = 1.0) -> Query:
    """``terms`` side by side in one of ``fields``' views: each adjacent pair
    found by its pair term, scored as the syllables (what Whoosh scores a
    phrase). A run of three or more is taken as its chain of pairs ("kinh tế
    xã hội": kinh_tế, tế_xã, xã_hội), which natural text holds only where the
    run stands, and costs lookups instead of position checks."""
    if len(terms) == 1:
        return Term(fields[view], terms[0], boost=boost)
    if len(terms) == 2:
        return _adjacent(fields, view, *terms, boost=boost)
    every = And([Term(fields[view], t) for t in terms], boost=boost)
    pairs = dict.fromkeys(f"{a}_{b}" for a, b in zip(terms, terms[1:]))
    return Require(every, And([Term(fields[_PAIR_VIEWS[view]], p) for p in pairs]))


def _match(
    terms: tuple[str, ...], accented: bool, boost: float = 1.0, syllable_weight: float = 1.0
) -> Query:
    """``terms`` anywhere in a section, as a word or adjacent syllables."""
    weighted = ((BODY_FIELDS, boost), (HEAD_FIELDS, boost * HEAD_QUERY_BOOST))
    if CONTEXT_BOOST:
        weighted += ((CONTEXT_FIELDS, boost * CONTEXT_BOOST),)
    if not accented:
        folded = tuple(fold(t) for t in terms)
        return Or([_sequence(f, "folded", folded, b) for f, b in weighted])
    clauses = [_sequence(f, "syllable", terms, b * syllable_weight) for f, b in weighted]
    clauses += [Term(f["word"], "_".join(terms), boost=b) for f, b in weighted]
    return Or(clauses)


def _run_units(run: list[str], names, typed_plain: bool) -> list[Unit]:
    """units_of ``run``; two letter syllables typed without diacritics are one
    word: "hoa giai" is "hòa giải", not "hóa" here and "giai đoạn" there."""
    units = units_of(run, names)
    if (
        typed_plain and len(run) == 2 and len(units) == 2 and all(s.isalpha() for s in run)
        and not any(u.alternatives for u in units)
    ):
        return [Unit(tuple(run))]
    return units


def _with_numbers(parsed: ParsedQuery, word_clauses: list[Query]) -> Query:
    """A query naming numbers: the numbers decide what matches; the words
    only rank, each on its own (a citer rarely holds every word of a sentence).

    A number with a few words asks for the document, then its citers. In a
    sentence ("hạn chế … trong thực hiện Kết luận 69") it asks for the
    passages about those words among the number's citers: the words rank,
    and the document's own opening gets no head start."""
    sentence = len(parsed.all_syllables) > NUMBER_WITH_WORDS
    scores = (CITE_SCORE,) * 3 if sentence else (NUMBER_SCORE, HEAD_CITE_SCORE, CITE_SCORE)
    numbers = Or(
        [
            ConstantScore(clause, score)
            for fieldname, score in zip(NUMBER_FIELDS, (*scores, PATH_CITE_SCORE))
            for clause in [Term(fieldname, key) for key in parsed.numbers]
            + [_loose_match(fieldname, number) for number in parsed.loose]
        ]
    )
    return AndMaybe(numbers, Or(word_clauses)) if word_clauses else numbers


@dataclass
class BuiltQuery:
    query: Query
    accented: bool
    # For highlighting: syllable sequences to mark (exact, or folded when not
    # accented) and document-number keys.
    sequences: set[tuple[str, ...]]
    numbers: set[str]
    loose: tuple[LooseNumber, ...] = ()
    # Each word the query asks for, as the page names it, and the sequences that show it.
    units: list[tuple[str, frozenset]] = field(default_factory=list)
    clauses: list[Query] = field(default_factory=list)  # one per word asked for (units' order)

    def marks_number(self, key: str) -> bool:
        return key in self.numbers or any(number.matches(key) for number in self.loose)


class _Clauses:
    """What build_query gathers while it reads the query: the clauses each
    word must match, the phrases that rank higher, the sequences to mark and
    the words asked for, as the page names them."""

    def __init__(self, parsed: ParsedQuery, accented: bool, match_all: bool):
        self.parsed, self.accented = parsed, accented
        self.syllable_weight = 1.0 if match_all else SYLLABLE_WEIGHT
        self.preferred: list[Query] = []
        self.sequences: set[tuple[str, ...]] = set()
        self.asked: list[tuple[str, frozenset]] = []

    def mark(self, terms, exact=None) -> None:
        exact = self.accented if exact is None else exact
        self.sequences.add(tuple(terms) if exact else tuple(fold(t) for t in terms))

    def asks(self, shown: str, options, exact=None) -> None:
        exact = self.accented if exact is None else exact
        self.asked.append((shown, frozenset(tuple(o) if exact else tuple(fold(t) for t in o) for o in options)))

    def run(self, run) -> list[Query]:
        """Each unit of an unquoted run, as it must match; marks what to highlight."""
        typed_plain = len(run) > 1 and not any(has_diacritics(s) for s in run)
        clauses = []
        for unit in _run_units(run, self.parsed.names, typed_plain):
            options = [unit.syllables, *unit.alternatives]
            self.asks(" ".join(unit.syllables), options)
            clauses.append(Or([_match(o, self.accented, syllable_weight=self.syllable_weight) for o in options]))
            if typed_plain and len(unit.syllables) == 1 and not unit.alternatives:
                continue  # marked below: a lone "dan" would light up every dẫn, dân, dạn
            for option in options:
                self.mark(option)
        if typed_plain:
            # Without diacritics, mark where two or more query syllables meet.
            for size in range(2, min(len(run), PHRASE_MAX_SYLLABLES) + 1):
                for start in range(len(run) - size + 1):
                    self.mark(run[start : start + size], exact=False)
        if 1 < len(run) <= PHRASE_MAX_SYLLABLES:
            self.preferred.append(_match(tuple(run), self.accented, boost=PHRASE_BOOST))
        return clauses

    def phrase(self, phrase) -> Query:
        phrase_accented = self.accented and has_diacritics("".join(phrase))
        self.mark(phrase, phrase_accented)
        self.asks(f"“{' '.join(phrase)}”", [phrase], phrase_accented)
        return _match(tuple(phrase), phrase_accented)

    def either(self, group) -> Query:
        """One side of an OR is enough: the group is one word asked for."""
        alternatives = []
        start = len(self.asked)
        for quoted, words in group:
            clauses = [self.phrase(words)] if quoted else self.run(words)
            alternatives.append(clauses[0] if len(clauses) == 1 else And(clauses))
        sides = self.asked[start:]
        del self.asked[start:]
        self.asked.append((" OR ".join(shown for shown, _ in sides), frozenset().union(*(o for _, o in sides))))
        return Or(alternatives)


def build_query(
    parsed: ParsedQuery, accented: bool | None = None, match_all: bool = True
) -> BuiltQuery:
    """``match_all``: every unit must match (else any, ranked by how many)."""
    if accented is None:
        accented = parsed.accented
    gathered = _Clauses(parsed, accented, match_all)
    required = [clause for run in parsed.chunks for clause in gathered.run(run)]
    required += [gathered.phrase(phrase) for phrase in parsed.phrases]
    required += [gathered.either(group) for group in parsed.either]
    text_query = None
    if required:
        text_query = And(required) if match_all else Or(required)
        if gathered.preferred:
            text_query = AndMaybe(text_query, Or(gathered.preferred))
    query = _with_numbers(parsed, required + gathered.preferred) if parsed.numbers or parsed.loose else text_query
    return BuiltQuery(
        query, accented, gathered.sequences, set(parsed.numbers), tuple(parsed.loose),
        units=gathered.asked,
        clauses=required,
    )


def exclusion_query(parsed: ParsedQuery) -> Query | None:
    """The sections to leave out (``-word``, ``NOT "phrase"``), None when
    none: as typed, with diacritics exactly, without them in every spelling."""
    exclude = [_match(tuple(words), has_diacritics("".join(words))) for words in parsed.excluded]
    return Or(exclude) if exclude else None
