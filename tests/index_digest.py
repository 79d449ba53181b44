"""What an index holds, independent of document numbers and segments: per
section (by key) and per field, a digest of its postings (term, weight,
positions) and field length, and its stored fields; and the catalog without
the fields that say when and from where it was built.

Two indexes with equal digests give the same BM25 statistics for every live
section and the same stored text: tests compare an index with a recorded
one (tests/data/index_digest.json) and an incremental update with a full
rebuild.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

from indexer import store

# Catalog keys that describe the build, not the content.
BUILD_KEYS = ("built_at", "corpus_state", "corpus_dir", "files", "data_state")


def _hash(value) -> str:
    return hashlib.sha1(repr(value).encode("utf-8")).hexdigest()[:16]


def section_digests(index) -> dict[str, dict[str, str]]:
    """key -> {field: digest}, for every live section of a Whoosh index."""
    postings: dict[tuple[int, str], list] = defaultdict(list)
    with index.reader() as reader:
        live = {n: reader.stored_fields(n) for n in range(reader.doc_count_all()) if not reader.is_deleted(n)}
        for fieldname, field in index.schema.items():
            if not field.indexed:
                continue
            for term in reader.lexicon(fieldname):
                matcher = reader.postings(fieldname, term)
                while matcher.is_active():
                    docnum = matcher.id()
                    if docnum in live:
                        postings[docnum, fieldname].append((term, matcher.weight(), matcher.value()))
                    matcher.next()
        result = {}
        for docnum, stored in live.items():
            fields = {"stored": _hash(sorted(stored.items()))}
            for fieldname, field in index.schema.items():
                entries = postings.get((docnum, fieldname))
                if entries:
                    length = reader.doc_field_length(docnum, fieldname) if field.scorable else None
                    fields[fieldname] = _hash((sorted(entries), length))
            result[stored["key"]] = fields
    return result


def catalog_digest(catalog: dict) -> dict:
    """The catalog without its build facts, skipped files in name order."""
    kept = {k: v for k, v in catalog.items() if k not in BUILD_KEYS}
    kept["documents"] = sorted(
        ({k: v for k, v in d.items() if k != "source"} for d in catalog["documents"]), key=lambda d: d["doc_id"]
    )
    kept["skipped"] = sorted(catalog["skipped"], key=lambda s: s["file"])
    return kept


def index_digest(root: Path) -> dict:
    opened = store.open_current(root)
    return {"sections": section_digests(opened.index), "catalog": catalog_digest(opened.catalog.as_dict())}


def main() -> None:  # pragma: no cover - records tests/data/index_digest.json
    import sys
    import tempfile

    from indexer.build import build_index

    out = {}
    for name, corpus in (("corpus", sys.argv[1]), ("generated", sys.argv[2])):
        with tempfile.TemporaryDirectory() as tmp:
            build_index(Path(corpus), Path(tmp))
            digest = index_digest(Path(tmp))
            out[name] = {"sections": digest["sections"], "catalog": _hash(json.dumps(digest["catalog"], sort_keys=True, ensure_ascii=False))}
    Path(sys.argv[3]).write_text(json.dumps(out, indent=0, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
