"""One document file → what the index and the catalog hold of it.

Runs where the work is done: in the worker processes of a build
(indexer.workers), or in the main process for a few files. Everything here
depends on the file (and its sidecar) alone, once the document's metadata
is settled; what depends on other documents (a number inferred from a
citer, the links between documents) is settled by indexer.build.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

from analyzers.docnumber import find_numbers, number_key, type_code
from analyzers.normalize import nfc
from analyzers.analysis import TextViews, joined_views, text_views
from indexer.access import KEYS as ACCESS_KEYS
from indexer.access import Access, document_access, folder_access
from indexer.catalog import FileRecord
from indexer.citations import extract_citations, type_for_code
from indexer.issuers import canonical_issuer, issuer_level
from indexer.metadata import apply_sidecar, extract_metadata, formal_citation, load_sidecar
from indexer.model import Metadata, ParsedDocument, Section
from indexer.parser import parse_document
from indexer.pages import section_pages
from indexer.reader import read_document
from indexer.schema import INDEXED_VIEWS, slug
from indexer.topics import count_cues, document_topics, section_labels

SIDECAR_SUFFIX = ".meta.toml"


@dataclass
class CorpusDocument:
    parsed: ParsedDocument
    metadata: Metadata
    warnings: list[str] = field(default_factory=list)
    # Section id → [first page, last page] in a paged original (indexer.pages).
    pages: dict[str, list[int]] = field(default_factory=dict)
    origin: str = ""  # how the text was had when not as written ("ocr")
    access: Access = field(default_factory=Access)
    # Worked out once per document (context_views, filter_slugs).
    _line_views: dict[str, TextViews] = field(default_factory=dict, init=False, repr=False, compare=False)
    _filter_slugs: dict[tuple, dict] = field(default_factory=dict, init=False, repr=False, compare=False)

    def heading(self, section: Section) -> str:
        """A section's heading as the index shows it: the opening's is the title."""
        if section.position == 0:
            return self.metadata.title or self.metadata.doc_type
        return section.heading

    def context_views(self, context: str) -> TextViews:
        """text_views of a section's context: the title and its ancestors'
        headings, a line each, which every section below them repeats. Each
        line is analysed once per document; the views of lines joined by
        line breaks are the lines' views one after another (no word or pair
        spans a line break)."""
        views = []
        for line in context.split("\n"):
            line_views = self._line_views.get(line)
            if line_views is None:
                line_views = self._line_views[line] = text_views(line)
            views.append(line_views)
        return joined_views(views)

    def filter_slugs(self) -> dict:
        """The document's filter fields (section_fields), worked out once
        for all its sections while its metadata stays the same."""
        meta = self.metadata
        key = (meta.doc_type, meta.issuer, meta.province)
        slugs = self._filter_slugs.get(key)
        if slugs is None:
            slugs = self._filter_slugs[key] = dict(
                doc_type=slug(meta.doc_type) or None,
                issuer=meta.issuer or None,
                issuer_key=slug(meta.issuer) or None,
                issuer_level=slug(issuer_level(meta.issuer)) or None,
                province=slug(meta.province) or None,
            )
        return slugs

    @cached_property
    def cue_counts(self) -> dict[str, dict[str, int]]:
        """Topic cue counts per section id, counted once for the index and
        the catalog (a document's topics come from its sections')."""
        return {s.section_id: count_cues(f"{self.heading(s)}\n{s.searchable_text}") for s in self.parsed.sections}


def load_document(path: Path, ocr_cache=None, notify=None) -> CorpusDocument:
    """Read, parse and describe one file. Raises UnreadableFile.
    ``ocr_cache`` and ``notify``: see reader.read_document."""
    decoded = read_document(path, ocr_cache, notify)
    parsed = parse_document(path.stem, decoded.text, path)
    metadata = extract_metadata(parsed)
    document = CorpusDocument(parsed, metadata, origin=decoded.origin)
    document.warnings.extend(decoded.warnings)  # how the file was read (a legacy encoding)
    if decoded.pages:
        document.pages = section_pages(parsed, decoded.text, decoded.pages)
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    values, unreadable = None, ""
    if sidecar.exists():
        try:
            values = load_sidecar(sidecar)
            apply_sidecar(metadata, {k: v for k, v in values.items() if k not in ACCESS_KEYS}, sidecar.name)
        except (ValueError, OSError) as error:
            # The error names the sidecar; the document is indexed without it.
            document.warnings.append(f"bỏ qua tệp bổ sung: {error}")
            unreadable = "" if values is not None else str(error)
    document.access = document_access(values, sidecar.name, folder_access(path.parent), unreadable)
    document.warnings.extend(document.access.problems)
    if metadata.issuer:
        # One name per body, however the text or the sidecar spells it.
        metadata.issuer = canonical_issuer(metadata.issuer)
    return document


def section_fields(document: CorpusDocument, section: Section) -> dict:
    meta = document.metadata
    heading = document.heading(section)
    head_text = heading
    if section.position == 0:
        # The opening stands for the whole document: its type and number are
        # searchable there.
        head_text = " ".join(filter(None, [meta.doc_type, meta.number, meta.title]))
    body = section.searchable_text
    # Where the section stands: the opening's heading already is the title.
    context = "\n".join(([meta.title] if section.position else []) + list(section.path))
    own = number_key(meta.number) if meta.number else ""
    cited_in_heading = sorted({m.key for m in find_numbers(heading)} - {own})
    cited = sorted({m.key for m in find_numbers(f"{heading}\n{body}")} - {own})
    in_path = sorted({m.key for h in section.path for m in find_numbers(h)} - {own} - set(cited))
    topics = section_labels(document.cue_counts[section.section_id])
    return dict(
        key=f"{document.parsed.doc_id}#{section.section_id}",
        doc_id=document.parsed.doc_id,
        section_id=section.section_id,
        position=section.position,
        heading=heading,
        path=list(section.path),
        text=section.text,
        footnotes=[asdict(n) for n in section.footnotes],
        head=head_text,
        head_fold=head_text,
        head_words=head_text,
        body=body,
        body_fold=body,
        body_words=body,
        head_pairs=head_text,
        head_pairs_fold=head_text,
        body_pairs=body,
        body_pairs_fold=body,
        context=context or None,
        context_fold=context or None,
        context_words=context or None,
        context_pairs=context or None,
        context_pairs_fold=context or None,
        number=own if section.position == 0 and own else None,
        head_cites=" ".join(cited_in_heading) or None,
        cites=" ".join(cited) or None,
        path_cites=" ".join(in_path) or None,
        year=meta.year,
        **document.filter_slugs(),
        topics=" ".join(slug(t) for t in topics) or None,
    )


def section_citations(document: CorpusDocument, own: str) -> list[dict]:
    """The documents each section cites, in reading order: one entry per
    section and number, with the most the text says of it (type, date,
    issuer, title). ``doc_id`` is filled in by build_catalog."""
    found: list[dict] = []
    for section in document.parsed.sections:
        here: dict[str, dict] = {}
        text = f"{document.heading(section)}\n{section.searchable_text}"
        for c in extract_citations(nfc(text)):
            if c.key == own:
                continue
            entry = {
                "number": re.sub(r"\s+", "", c.number),
                "key": c.key,
                "doc_type": c.doc_type or type_for_code(type_code(c.key)),
                "date": c.date,
                # A heading cut short ("… của Bộ Chính…") says less than the
                # text: a cut value is unknown, and the text's mention fills it.
                "issuer": "" if c.issuer.endswith("…") else canonical_issuer(c.issuer),
                "title": "" if c.subject.endswith("…") else c.subject,
                "section_id": section.section_id,
                "doc_id": None,
            }
            known = here.get(c.key)
            if known is None:
                here[c.key] = entry
            else:  # the same number again: keep what either mention says
                for name in ("doc_type", "date", "issuer", "title"):
                    known[name] = known[name] or entry[name]
        found.extend(here.values())
    return found


def catalog_entry(document: CorpusDocument) -> dict:
    parsed, meta = document.parsed, document.metadata
    own = number_key(meta.number) if meta.number else ""
    return {
        "doc_id": parsed.doc_id,
        "file": parsed.source.name,
        "title": meta.title,
        "doc_type": meta.doc_type,
        "number": meta.number,
        "number_key": own,
        "date": meta.date,
        "year": meta.year,
        "issuer": meta.issuer,
        "issuer_level": issuer_level(meta.issuer),
        "province": meta.province,
        "signer": meta.signer,
        "recipients": meta.recipients,
        "mark": meta.mark,
        "sources": meta.sources,
        "citation": formal_citation(meta),
        "topics": document_topics(list(document.cue_counts.values())),
        "cites": section_citations(document, own),
        "sections": [
            {"section_id": s.section_id, "heading": s.heading, "level": s.level}
            | ({"pages": document.pages[s.section_id]} if s.section_id in document.pages else {})
            for s in parsed.sections
        ],
    } | document.access.entry() | ({"origin": document.origin} if document.origin else {})


def indexed_sections(document: CorpusDocument) -> list[Section]:
    """The sections that are passages. A heading with no text of its own (a
    "Phần", "II." above its subsections) is none: its heading lives on in
    its children's paths. The opening always stays: it stands for the
    document."""
    return [s for s in document.parsed.sections if s.position == 0 or s.searchable_text.strip()]


def analysed_fields(document: CorpusDocument, section: Section) -> dict:
    """section_fields with each text analysed once: the syllable, folded,
    word and pair fields get their token lists (Whoosh indexes a list as
    given), the other fields their values as section_fields gives them.
    Fields without a value are left out."""
    fields = section_fields(document, section)
    for source, targets in INDEXED_VIEWS.items():
        text = fields[source]
        if text is None:
            continue
        views = document.context_views(text) if source == "context" else text_views(text)
        for view, name in targets.items():
            fields[name] = getattr(views, view)
    return {k: v for k, v in fields.items() if v is not None}


def document_source(document: CorpusDocument, sha256: str, extracted: Metadata, citations) -> FileRecord:
    """What a later incremental build needs of this file without reading it
    again: its hash, the metadata read from it (before any inference from
    other documents), the citations of its whole text, its warnings."""
    return FileRecord(
        sha256,
        doc_id=document.parsed.doc_id,
        sections=len(indexed_sections(document)),
        metadata=asdict(extracted),
        citations=[asdict(c) for c in citations],
        warnings=list(document.warnings),
    )


