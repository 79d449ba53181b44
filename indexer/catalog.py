"""A generation's catalog in SQLite: every document's metadata, its outline
(the sections in reading order, headings without text included) and its
citations, the files a build read or skipped, and the facts of the build.

A server holds the documents' metadata in memory (what facets, access
masks and lists read: a row each), and reads a document's outline and
citations when one is asked for, instead of a JSON tree of every section
and citation of the archive in each process. What cites a document is
not stored twice: it is the citations whose target it is.

The build hands ``write_catalog`` the catalog as one dict (``as_dict``
gives the same dict back); a generation is written once and never
changed, so readers open it immutable and take no locks.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import weakref
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

CATALOG = "catalog.sqlite"

# Entry keys stored in their own tables, not in a document's metadata row.
_OUTLINE, _CITES, _CITED_BY = "sections", "cites", "cited_by"
_CITE_COLUMNS = ("number", "key", "doc_type", "date", "issuer", "title", "section_id")
_TABLES = (_OUTLINE, _CITES, _CITED_BY)
_PLACES_A_QUERY = 400  # documents a query: SQLite takes up to 32,766 parameters
# What the build knows of itself (format, folder, time, data files…): one JSON value a name.
_NOT_FACTS = ("documents", "skipped", "files")

_SCHEMA = """
CREATE TABLE facts (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE documents (number INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE, meta TEXT NOT NULL);
CREATE TABLE outline (
    document INTEGER NOT NULL REFERENCES documents, position INTEGER NOT NULL,
    section_id TEXT NOT NULL, heading TEXT NOT NULL, level INTEGER NOT NULL,
    first_page INTEGER, last_page INTEGER,
    PRIMARY KEY (document, position)
) WITHOUT ROWID;
CREATE TABLE citations (
    document INTEGER NOT NULL REFERENCES documents, position INTEGER NOT NULL,
    number TEXT, key TEXT NOT NULL, doc_type TEXT, date TEXT, issuer TEXT, title TEXT,
    section_id TEXT NOT NULL, target INTEGER REFERENCES documents,
    PRIMARY KEY (document, position)
) WITHOUT ROWID;
CREATE INDEX citations_by_target ON citations (target);
CREATE TABLE files (
    name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, skipped TEXT NOT NULL, doc_id TEXT NOT NULL,
    sections INTEGER NOT NULL, metadata TEXT NOT NULL, citations TEXT NOT NULL, warnings TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE skipped (position INTEGER PRIMARY KEY, file TEXT NOT NULL, reason TEXT NOT NULL);
"""


@dataclass
class FileRecord:
    """What the catalog keeps of a corpus file for the next build: its
    content hash, and why it was skipped or what was read of it, so that an
    unchanged file is not read again (its metadata before any inference
    from other documents, the citations of its whole text, its warnings,
    how many sections it gave)."""

    sha256: str
    skipped: str = ""  # the reason, for a file that could not be indexed
    doc_id: str = ""
    sections: int = 0
    metadata: dict = field(default_factory=dict)  # asdict(indexer.model.Metadata)
    citations: list[dict] = field(default_factory=list)  # asdict(indexer.citations.Citation)
    warnings: list[str] = field(default_factory=list)


_FILE_JSON = ("metadata", "citations", "warnings")


def _file_row(name: str, record: FileRecord) -> tuple:
    fields = asdict(record)
    return (name, *(_json(v) if k in _FILE_JSON else v for k, v in fields.items()))


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_catalog(path: Path, catalog: dict) -> None:
    """Write ``catalog`` (documents with their outlines and citations,
    skipped files, file records, build facts) to ``path``, replacing it
    whole: a temporary file renamed when complete."""
    documents = catalog["documents"]
    number_of = {d["doc_id"]: n for n, d in enumerate(documents)}
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.unlink(missing_ok=True)
    db = sqlite3.connect(temporary)
    try:
        # A half-written file is never renamed into place: no journal needed.
        db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        db.executemany(
            "INSERT INTO facts VALUES (?, ?)", [(k, _json(v)) for k, v in catalog.items() if k not in _NOT_FACTS]
        )
        db.executemany(
            "INSERT INTO documents VALUES (?, ?, ?)",
            [(n, d["doc_id"], _json({k: v for k, v in d.items() if k not in _TABLES})) for n, d in enumerate(documents)],
        )
        db.executemany("INSERT INTO outline VALUES (?, ?, ?, ?, ?, ?, ?)", _outline_rows(documents))
        db.executemany(
            "INSERT INTO citations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _citation_rows(documents, number_of)
        )
        db.executemany(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [_file_row(name, record) for name, record in catalog.get("files", {}).items()],
        )
        db.executemany(
            "INSERT INTO skipped VALUES (?, ?, ?)", [(n, s["file"], s["reason"]) for n, s in enumerate(catalog["skipped"])]
        )
        db.commit()
    except BaseException:
        db.close()
        temporary.unlink(missing_ok=True)
        raise
    db.close()
    os.replace(temporary, path)


def _outline_rows(documents: list[dict]):
    for number, document in enumerate(documents):
        for position, entry in enumerate(document[_OUTLINE]):
            unknown = set(entry) - {"section_id", "heading", "level", "pages"}
            if unknown:  # the table would drop them: a new key needs a column
                raise ValueError(f"outline entry keys without a column: {sorted(unknown)}")
            first, last = entry.get("pages") or (None, None)
            yield number, position, entry["section_id"], entry["heading"], entry["level"], first, last


def _citation_rows(documents: list[dict], number_of: dict[str, int]):
    for number, document in enumerate(documents):
        for position, cited in enumerate(document[_CITES]):
            unknown = set(cited) - set(_CITE_COLUMNS) - {"doc_id"}
            if unknown:
                raise ValueError(f"citation keys without a column: {sorted(unknown)}")
            target = number_of.get(cited["doc_id"]) if cited.get("doc_id") else None
            yield (number, position, *(cited[k] for k in _CITE_COLUMNS), target)


class CatalogDamaged(ValueError):
    """The catalog file cannot be read (damaged, or no catalog)."""


class Catalog:
    """A generation's catalog, read in place. Safe to share between threads
    once ``load``-ed (what a server reads on every request is then in memory)."""

    def __init__(self, path: Path):
        """Raises OSError when ``path`` is missing, CatalogDamaged when it is
        no catalog."""
        if not path.is_file():
            raise FileNotFoundError(2, "không có tệp", str(path))
        self.path = path
        uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        # Closed with this object: a connection alone waits for the cycle collector.
        weakref.finalize(self, self._db.close)
        self._lock = threading.Lock()
        self.document_count()  # a file that is no catalog fails here

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def load(self) -> Catalog:
        """Read now what every search reads (the documents' metadata, the
        outlines' levels): damage there shows when the index is opened, and
        concurrent first requests find it made."""
        for name in ("documents", "by_id", "_numbers", "levels"):
            getattr(self, name)
        return self

    def _rows(self, sql: str, parameters=()) -> list[tuple]:
        """Raises CatalogDamaged when the file cannot be read."""
        try:
            with self._lock:
                return self._db.execute(sql, parameters).fetchall()
        except sqlite3.DatabaseError:
            raise CatalogDamaged(f"tệp {self.path.name} hỏng, không đọc được") from None

    def fact(self, name: str, default=None):
        """What the build recorded under ``name`` (format, corpus_dir,
        corpus_state, built_at, data_state, sections)."""
        found = self._rows("SELECT value FROM facts WHERE name = ?", (name,))
        return json.loads(found[0][0]) if found else default

    @cached_property
    def documents(self) -> list[dict]:
        """Every document's metadata in catalog order (the build's file
        order), without its outline and citations."""
        return [json.loads(meta) for (meta,) in self._rows("SELECT meta FROM documents ORDER BY number")]

    @cached_property
    def by_id(self) -> dict[str, dict]:
        return {d["doc_id"]: d for d in self.documents}

    @cached_property
    def _numbers(self) -> dict[str, int]:
        return {d["doc_id"]: n for n, d in enumerate(self.documents)}

    def number_of(self, doc_id: str) -> int | None:
        """The document's place in catalog order."""
        return self._numbers.get(doc_id)

    # Each table read one way, whole or for some documents: (document, its entry).

    def _outlines(self, where: str = "", parameters=()) -> list[tuple[int, int, dict]]:
        rows = self._rows(
            "SELECT document, position, section_id, heading, level, first_page, last_page FROM outline"
            f" {where} ORDER BY document, position",
            parameters,
        )
        return [(number, position, _outline_entry(rest)) for number, position, *rest in rows]

    def _cites(self, where: str = "", parameters=()) -> list[tuple[int, dict]]:
        rows = self._rows(
            "SELECT c.document, c.number, c.key, c.doc_type, c.date, c.issuer, c.title, c.section_id, d.doc_id"
            f" FROM citations AS c LEFT JOIN documents AS d ON d.number = c.target {where}"
            " ORDER BY c.document, c.position",
            parameters,
        )
        return [(number, dict(zip((*_CITE_COLUMNS, "doc_id"), rest))) for number, *rest in rows]

    def _citers(self, where: str, parameters=()) -> list[tuple[int, dict]]:
        rows = self._rows(
            "SELECT c.target, d.doc_id, c.section_id, c.number FROM citations AS c"
            f" JOIN documents AS d ON d.number = c.document {where} ORDER BY c.target, c.document, c.position",
            parameters,
        )
        return [(target, {"doc_id": d, "section_id": s, "number": n}) for target, d, s, n in rows]

    def outline(self, doc_id: str) -> list[dict]:
        """The document's sections in reading order, headings without text
        included: section_id, heading, level, and pages ([first, last]) in a
        paged original."""
        return [entry for _, _, entry in self._outlines("WHERE document = ?", (self.number_of(doc_id),))]

    def outline_entries(self, places: list[tuple[int, int]]) -> list[dict | None]:
        """The outline entries at (catalog number, position) ``places``, in
        one query (a result page names up to hundreds, of a few documents);
        None where there is none."""
        wanted = set(map(tuple, places))
        documents, positions = sorted({d for d, _ in wanted}), sorted({p for _, p in wanted})
        found = {}
        for start in range(0, len(documents), _PLACES_A_QUERY):
            chunk = documents[start : start + _PLACES_A_QUERY]
            # Both lists for the primary key's search; the cross product is sifted here.
            where = f"WHERE document IN ({', '.join('?' * len(chunk))}) AND position IN ({', '.join('?' * len(positions))})"
            rows = self._outlines(where, [*chunk, *positions])
            found.update({(number, position): entry for number, position, entry in rows if (number, position) in wanted})
        return [found.get(tuple(place)) for place in places]

    @cached_property
    def levels(self) -> list[list[int]]:
        """Each document's outline levels in reading order, by catalog number."""
        levels: list[list[int]] = [[] for _ in self.documents]
        for number, level in self._rows("SELECT document, level FROM outline ORDER BY document, position"):
            levels[number].append(level)
        return levels

    def outline_length(self, doc_id: str) -> int:
        """How many entries the document's outline has."""
        number = self.number_of(doc_id)
        return 0 if number is None else len(self.levels[number])

    def cites(self, doc_id: str) -> list[dict]:
        """What the document cites, in reading order, a mention a section
        (number, key, type, date, issuer, title as the text says them;
        doc_id: the archive's document meant, or None)."""
        return [cited for _, cited in self._cites("WHERE c.document = ?", (self.number_of(doc_id),))]

    def cited_by(self, doc_id: str) -> list[dict]:
        """The mentions of the document in others (doc_id, section_id, the
        number as written), in catalog and reading order."""
        return [citer for _, citer in self._citers("WHERE c.target = ?", (self.number_of(doc_id),))]

    def document_count(self) -> int:
        """How many documents, without reading their metadata."""
        return self._rows("SELECT count(*) FROM documents")[0][0]

    @property
    def skipped(self) -> list[dict]:
        return [{"file": f, "reason": r} for f, r in self._rows("SELECT file, reason FROM skipped ORDER BY position")]

    def files(self) -> dict[str, FileRecord]:
        """The build's record of each file it read (for the next build)."""
        rows = self._rows(
            "SELECT name, sha256, skipped, doc_id, sections, metadata, citations, warnings FROM files ORDER BY name"
        )
        return {
            name: FileRecord(sha256, skipped, doc_id, sections, *map(json.loads, rest))
            for name, sha256, skipped, doc_id, sections, *rest in rows
        }

    def entries(self) -> list[dict]:
        """Every document whole: metadata, outline, citations and citers (three
        queries, not three a document: the next build reads them all)."""
        outlines: list[list[dict]] = [[] for _ in self.documents]
        cites: list[list[dict]] = [[] for _ in self.documents]
        citers: list[list[dict]] = [[] for _ in self.documents]
        for number, _, entry in self._outlines():
            outlines[number].append(entry)
        for number, cited in self._cites():
            cites[number].append(cited)
        for target, citer in self._citers("WHERE c.target IS NOT NULL"):
            citers[target].append(citer)
        return [
            d | {_CITES: c, _OUTLINE: o, _CITED_BY: b} for d, c, o, b in zip(self.documents, cites, outlines, citers)
        ]

    def as_dict(self) -> dict:
        """The catalog as the build gave it to write_catalog."""
        facts = {name: json.loads(value) for name, value in self._rows("SELECT name, value FROM facts")}
        return facts | {"documents": self.entries(), "skipped": self.skipped, "files": self.files()}


def _outline_entry(row: tuple) -> dict:
    section_id, heading, level, first, last = row
    entry = {"section_id": section_id, "heading": heading, "level": level}
    return entry | {"pages": [first, last]} if first is not None else entry
