"""The project's own query model: what search asks the engine for.

Search builds these nodes (search_app.query); the engine evaluates them
(engine.reader) and alone turns them into Whoosh queries (``to_whoosh``),
so another backend would read the same nodes. Each node means what the
Whoosh query of the same name means, scores included.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh import query as wq


@dataclass(frozen=True)
class _FieldText:
    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Term(_FieldText):
    """Sections holding ``text`` in ``field``, scored by BM25F."""


@dataclass(frozen=True)
class _Group:
    children: tuple
    boost: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "children", tuple(self.children))


@dataclass(frozen=True)
class Or(_Group):
    """Sections matching any child; scores add up."""


@dataclass(frozen=True)
class And(_Group):
    """Sections matching every child; scores add up."""


@dataclass(frozen=True)
class AndMaybe:
    """``required``'s sections, with ``optional``'s score added where it matches too."""

    required: object
    optional: object


@dataclass(frozen=True)
class Require:
    """``query``'s sections and scores, where ``requirement`` also matches."""

    query: object
    requirement: object


@dataclass(frozen=True)
class AndNot:
    """``query``'s sections and scores, less those ``excluded`` matches."""

    query: object
    excluded: object


@dataclass(frozen=True)
class Prefix(_FieldText):
    """Sections holding a term of ``field`` starting with ``text``, each scoring ``boost``."""


@dataclass(frozen=True)
class Wildcard(_FieldText):
    """Sections holding a term of ``field`` matching the pattern ``text`` (``?``, ``*``), each scoring ``boost``."""


@dataclass(frozen=True)
class ConstantScore:
    """``child``'s sections, each scoring ``score``."""

    child: object
    score: float


Query = Term | Or | And | AndMaybe | Require | AndNot | Prefix | Wildcard | ConstantScore
_NODES = Query.__args__


def to_whoosh(node) -> wq.Query:
    """The Whoosh query that means ``node``; made once per node (a query is
    evaluated several times while search loosens or counts it)."""
    if isinstance(node, wq.Query):
        return node  # already Whoosh's (the contract tests compare with Whoosh's own trees)
    if not isinstance(node, _NODES):
        raise TypeError(f"not a query node: {node!r}")
    made = node.__dict__.get("_whoosh")
    if made is None:
        made = _whoosh(node)
        object.__setattr__(node, "_whoosh", made)
    return made


_FIELD_TEXT = {Term: wq.Term, Prefix: wq.Prefix, Wildcard: wq.Wildcard}


def _whoosh(node) -> wq.Query:
    if isinstance(node, _FieldText):
        return _FIELD_TEXT[type(node)](node.field, node.text, boost=node.boost)
    if isinstance(node, (Or, And)):
        kind = wq.Or if isinstance(node, Or) else wq.And
        return kind([to_whoosh(child) for child in node.children], boost=node.boost)
    if isinstance(node, AndMaybe):
        return wq.AndMaybe(to_whoosh(node.required), to_whoosh(node.optional))
    if isinstance(node, Require):
        return wq.Require(to_whoosh(node.query), to_whoosh(node.requirement))
    if isinstance(node, AndNot):
        return wq.AndNot(to_whoosh(node.query), to_whoosh(node.excluded))
    return wq.ConstantScoreQuery(to_whoosh(node.child), node.score)
