"""Stock Whoosh filters for the benchmarks' and the contract tests' baselines:
what ``search_app.facets.filter_masks`` selects, as Whoosh's own queries."""

from __future__ import annotations

from whoosh import query as wq

from analyzers import folded_analyzer
from analyzers.docnumber import find_numbers
from indexer.schema import slug
from search_app.facets import BY_NAME


def whoosh_filters(filters) -> dict[str, wq.Query]:
    """Each restricting facet of ``filters`` as a stock Whoosh filter: what
    ``facets.filter_masks`` selects, for comparing with Whoosh's own search.
    An issuer is matched as part of a name; a facet the index has no field
    for (signer, a range of days) raises ValueError."""
    parts = {}
    for name, values in filters.chosen().items():
        facet = BY_NAME.get(name)
        if facet is None or facet.index_key is None:
            raise ValueError(f"no index field filters {name}")
        if name == "year":
            low, high = filters.year_from, filters.year_to
            ranges = [wq.NumericRange("year", v, v) for v in values] or [wq.NumericRange("year", low, high)]
            parts[name] = wq.Or(ranges)
        elif facet.kind == "name":
            phrases = [[t.text for t in folded_analyzer()(v)] for v in values]
            parts[name] = wq.Or([wq.Phrase("issuer", terms) for terms in phrases])
        elif facet.kind == "citation":
            parts[name] = wq.Or([wq.Term("cites", find_numbers(v, query=True)[0].key) for v in values])
        else:
            parts[name] = wq.Or([wq.Term(facet.index_key, slug(v)) for v in values])
    return parts


def whoosh_filter(filters) -> wq.Query | None:
    """All of ``filters`` as one stock Whoosh filter (None: no filter)."""
    parts = list(whoosh_filters(filters).values())
    return wq.And(parts) if parts else None
