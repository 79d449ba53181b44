"""Corpus folder → parsed documents with metadata → a new index generation."""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

from tqdm import tqdm

from analyzers.abbreviations import DATA_FILE as ABBREVIATIONS_FILE
from analyzers.datafiles import DataFileError
from analyzers.docnumber import find_numbers, number_key, type_code
from analyzers.normalize import nfc
from indexer.citations import extract_citations, type_for_code
from indexer import store
from indexer.gazetteer import DATA_FILE as GAZETTEER_FILE
from indexer.issuers import DATA_FILE as ISSUERS_FILE
from indexer.issuers import canonical_issuer, issuer_level
from indexer.metadata import (
    apply_sidecar,
    extract_metadata,
    formal_citation,
    load_sidecar,
    resolve_from_citations,
)
from indexer.model import Metadata, ParsedDocument, Section
from indexer.parser import parse_document
from indexer.reader import DOCUMENT_SUFFIXES, UnreadableFile, is_document, read_text
from indexer.schema import INDEX_FORMAT, build_schema, slug
from indexer.topics import DATA_FILE as TOPICS_FILE
from indexer.topics import document_topics, section_topics

SIDECAR_SUFFIX = ".meta.toml"


@dataclass
class Skipped:
    file: str
    reason: str


class EmptyCorpus(Exception):
    """No readable document: the live index is left as it was."""

    def __init__(self, corpus_dir: Path, skipped: list[Skipped]):
        super().__init__(f"không có văn bản nào đọc được trong {corpus_dir}; chỉ mục cũ được giữ nguyên.")
        self.skipped = skipped


@dataclass
class CorpusDocument:
    parsed: ParsedDocument
    metadata: Metadata
    warnings: list[str] = field(default_factory=list)

    def heading(self, section: Section) -> str:
        """A section's heading as the index shows it: the opening's is the title."""
        if section.position == 0:
            return self.metadata.title or self.metadata.doc_type
        return section.heading

    @cached_property
    def section_topics(self) -> dict[str, list[str]]:
        """Topics per section id, counted once for the index and the catalog."""
        return {
            s.section_id: section_topics(f"{self.heading(s)}\n{s.searchable_text}")
            for s in self.parsed.sections
        }


@dataclass
class BuildReport:
    documents: int
    sections: int
    skipped: list[Skipped]
    warnings: list[str]


def corpus_files(corpus_dir: Path) -> tuple[list[Path], list[Skipped]]:
    """Documents to read, and what else is there, reported so nothing vanishes silently."""
    documents, others = [], []
    for path in sorted(corpus_dir.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir():
            reason = "thư mục con không được đọc (chỉ các tệp ngay trong thư mục văn bản)"
            others.append(Skipped(path.name + "/", reason))
        elif path.name.endswith(SIDECAR_SUFFIX):
            stem = path.name[: -len(SIDECAR_SUFFIX)]
            if not any((corpus_dir / f"{stem}{suffix}").is_file() for suffix in DOCUMENT_SUFFIXES):
                others.append(Skipped(path.name, "tệp bổ sung không có văn bản đi kèm"))
        elif is_document(path):
            documents.append(path)
        else:
            kind = path.suffix or "(không có đuôi)"
            reason = f"định dạng {kind} chưa được hỗ trợ (chỉ {', '.join(DOCUMENT_SUFFIXES)})"
            others.append(Skipped(path.name, reason))
    return documents, others


def load_document(path: Path) -> CorpusDocument:
    """Read, parse and describe one file. Raises UnreadableFile."""
    text = read_text(path)
    parsed = parse_document(path.stem, text, path)
    metadata = extract_metadata(parsed)
    document = CorpusDocument(parsed, metadata)
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if sidecar.exists():
        try:
            apply_sidecar(metadata, load_sidecar(sidecar), sidecar.name)
        except (ValueError, OSError) as error:
            # The error names the sidecar; the document is indexed without it.
            document.warnings.append(f"bỏ qua tệp bổ sung: {error}")
    if metadata.issuer:
        # One name per body, however the text or the sidecar spells it.
        metadata.issuer = canonical_issuer(metadata.issuer)
    return document


def load_corpus(corpus_dir: Path, progress: bool = False):
    """Every readable document of the folder; the others with their reason."""
    documents: list[CorpusDocument] = []
    files, skipped = corpus_files(corpus_dir)
    for path in tqdm(files, desc="Đọc văn bản", unit="tệp", disable=not progress, leave=False):
        try:
            documents.append(load_document(path))
        except UnreadableFile as error:
            skipped.append(Skipped(path.name, error.reason))
        except DataFileError:
            raise  # a broken data file is no fault of this document: stop and say so
        except Exception as error:  # noqa: BLE001 - one bad file must not stop the rest
            skipped.append(Skipped(path.name, f"lỗi khi phân tích: {type(error).__name__}: {error}"))
    resolve_from_citations([(d.parsed, d.metadata) for d in documents])
    return documents, skipped


def _section_fields(document: CorpusDocument, section: Section) -> dict:
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
    topics = document.section_topics[section.section_id]
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
        doc_type=slug(meta.doc_type) or None,
        issuer=meta.issuer or None,
        issuer_key=slug(meta.issuer) or None,
        issuer_level=slug(issuer_level(meta.issuer)) or None,
        province=slug(meta.province) or None,
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
    whole = "\n".join(f"{s.heading}\n{s.searchable_text}" for s in parsed.sections)
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
        "sources": meta.sources,
        "citation": formal_citation(meta),
        "topics": document_topics(list(document.section_topics.values()), whole),
        "cites": section_citations(document, own),
        "sections": [
            {"section_id": s.section_id, "heading": s.heading, "level": s.level}
            for s in parsed.sections
        ],
    }


def build_catalog(
    documents: list[CorpusDocument],
    skipped: list[Skipped],
    indexed: int,
    corpus_dir: Path,
    started: float,
    state: dict,
) -> dict:
    entries = [catalog_entry(d) for d in documents]
    # Resolved by number. A document whose own number was lost in scanning
    # has been given the number its citers use (resolve_from_citations).
    by_number = {e["number_key"]: e for e in entries if e["number_key"]}
    for entry in entries:
        entry["cited_by"] = []
    for entry in entries:
        for cited in entry["cites"]:
            target = by_number.get(cited["key"])
            if target is not None and target is not entry:
                cited["doc_id"] = target["doc_id"]
                target["cited_by"].append(
                    {"doc_id": entry["doc_id"], "section_id": cited["section_id"], "number": cited["number"]}
                )
    return {
        "documents": entries,
        "skipped": [asdict(s) for s in skipped],
        "sections": indexed,  # searchable sections (headings without text are not)
        "format": INDEX_FORMAT,
        "corpus_dir": str(corpus_dir.resolve()),
        "corpus_state": state,
        # When reading began: a file changed after it may not be in this index.
        "built_at": started,
    }


def build_index(corpus_dir: Path, index_root: Path, progress: bool = False) -> BuildReport:
    """Index every readable file of ``corpus_dir``; publish atomically."""
    if not corpus_dir.is_dir():
        raise NotADirectoryError(2, "không có thư mục văn bản", str(corpus_dir))
    started = time.time()
    state = corpus_state(corpus_dir)  # before reading: a file changed meanwhile makes it stale
    documents, skipped = load_corpus(corpus_dir, progress)
    if not documents:
        # A wrong or empty folder must not replace a good index with nothing.
        raise EmptyCorpus(corpus_dir, skipped)
    generation = store.new_generation(index_root)
    try:
        ix = store.whoosh_index.create_in(str(generation), build_schema())
        writer = ix.writer(limitmb=256)
        # A heading with no text of its own (a "Phần", "II." above its
        # subsections) is no passage: its heading lives on in its children's
        # paths. The opening always stays: it stands for the document.
        sections = [
            (d, s)
            for d in documents
            for s in d.parsed.sections
            if s.position == 0 or s.searchable_text.strip()
        ]
        for document, section in tqdm(
            sections, desc="Lập chỉ mục", unit="mục", disable=not progress, leave=False
        ):
            fields = {k: v for k, v in _section_fields(document, section).items() if v is not None}
            writer.add_document(**fields)
        writer.commit()
        catalog = build_catalog(documents, skipped, len(sections), corpus_dir, started, state)
        (generation / store.DOCUMENTS).write_text(
            json.dumps(catalog, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    except BaseException:
        store.discard(generation)
        raise
    store.publish(index_root, generation)
    warnings = [w for d in documents for w in d.warnings]
    return BuildReport(len(documents), len(sections), skipped, warnings)


def corpus_state(corpus_dir: Path) -> dict[str, list[int]]:
    """Each entry of the folder with its size and modification time: any
    added, removed, changed or replaced file changes it, even one copied in
    with an older time."""
    return {
        p.name: [p.stat().st_size, p.stat().st_mtime_ns]
        for p in sorted(corpus_dir.iterdir())
        if not p.name.startswith(".")
    }


def stale_reason(corpus_dir: Path, index_root: Path) -> str:
    """Why the index under ``index_root`` no longer reflects ``corpus_dir``
    ("" when it does): missing, built from another folder, the folder's files
    changed since, or a data file staff edit (topics, abbreviations, places)
    is newer than the index."""
    try:
        catalog = store.open_catalog(index_root)
    except store.IndexMissing:
        return "chưa có chỉ mục"
    if not corpus_dir.is_dir():
        return f"không có thư mục văn bản {corpus_dir}"
    if catalog.get("format") != INDEX_FORMAT:
        return "chỉ mục được lập bằng phiên bản cũ"
    if catalog.get("corpus_dir") != str(corpus_dir.resolve()):
        return "chỉ mục được lập từ thư mục khác"
    if catalog.get("corpus_state") != corpus_state(corpus_dir):
        return "thư mục văn bản đã thay đổi"
    built_at = catalog.get("built_at", 0)
    for data_file in (TOPICS_FILE, ABBREVIATIONS_FILE, GAZETTEER_FILE, ISSUERS_FILE):
        if data_file.exists() and data_file.stat().st_mtime > built_at:
            return f"{data_file.name} mới hơn chỉ mục"
    return ""
