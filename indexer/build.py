"""Corpus folder → parsed documents with metadata → a new index generation.

``build_index`` is incremental when the live index allows it: only files
added or changed since (by the SHA-256 of the file and its sidecar) are read
again, the sections of changed and removed files are deleted, and what
depends on other documents (a number inferred from a citer, the links
between documents) is settled again over every document from the
summaries the catalog keeps of each file. A full build reads every file:
asked for, on a first build, or when the index format, the corpus folder or
a data file (topics, abbreviations, gazetteer, issuers) changed.

Either way the result is a new generation, published atomically
(indexer.store): an incremental build starts from hard links to the live
generation's files (Whoosh never rewrites a segment file; deletions live in
the table of contents), so readers see the old state or the new one, never
the index and the catalog out of step. The files are read, analysed and
written as Whoosh segments in worker processes (indexer.workers); this
process commits the segments and writes the catalog.
"""

from __future__ import annotations

import copy
import hashlib
import errno
import os
import shutil
import stat
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm
from whoosh.writing import MERGE_SMALL

from analyzers.abbreviations import DATA_FILE as ABBREVIATIONS_FILE
from analyzers.datafiles import DataFileError
from indexer import store
from indexer.access import ACCESS_FILE
from indexer.catalog import CATALOG, Catalog, CatalogDamaged, FileRecord, write_catalog
from indexer.citations import Citation
from indexer.documents import (
    SIDECAR_SUFFIX,
    CorpusDocument,
    load_document,
)
from indexer.gazetteer import DATA_FILE as GAZETTEER_FILE
from indexer.issuers import DATA_FILE as ISSUERS_FILE
from indexer.metadata import resolve_from_citations, resolve_numbers
from indexer.model import METADATA_FIELDS, Metadata
from indexer.ocr import prune_cache
from indexer.reader import DOCUMENT_SUFFIXES, UnreadableFile, is_document, size_problem
from indexer.schema import INDEX_FORMAT, build_schema
from engine.writer import codec as segment_codec
from indexer.topics import DATA_FILE as TOPICS_FILE
from indexer.workers import FileTask, default_workers, run_chunks, split_chunks

DATA_FILES = (TOPICS_FILE, ABBREVIATIONS_FILE, GAZETTEER_FILE, ISSUERS_FILE)
# Below this many bytes to read, starting worker processes (each loads
# pyvi's model) costs more than it saves.
PARALLEL_MIN_BYTES = 1_000_000
# A segment from at most this much text (~60k sections): its writer holds
# the postings in memory (~20 bytes each, ~1 GB for a chunk).
CHUNK_MAX_BYTES = 96_000_000


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
class BuildReport:
    documents: int
    sections: int
    skipped: list[Skipped]
    warnings: list[str]
    # Why every file was read ("" for an incremental build).
    full_reason: str = ""
    # Document files, against the previous build (all "added" for a full one).
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    # Unchanged files indexed again: their number, inferred from a citer, changed.
    reinferred: int = 0
    # The index this build replaced: its documents and the folder it was built from.
    previous_documents: int = 0
    previous_corpus: str = ""


def corpus_files(corpus_dir: Path) -> tuple[list[Path], list[Skipped]]:
    """Documents to read, and what else is there, reported so nothing
    vanishes silently: hidden files, subfolders, broken links and links out
    of the folder, what is not a regular file (a FIFO would hang the read),
    names that are not UTF-8, files over the size limit, other formats."""
    documents, others = [], []
    root = corpus_dir.resolve()
    for path in sorted(corpus_dir.iterdir()):
        name = shown_name(path.name)
        reason = _entry_problem(path, root)
        if reason:
            others.append(Skipped(name + "/" if path.is_dir() else name, reason))
        elif path.name == ACCESS_FILE:
            continue  # read with each document (indexer.access)
        elif path.name.endswith(SIDECAR_SUFFIX):
            stem = path.name[: -len(SIDECAR_SUFFIX)]
            if not any((corpus_dir / f"{stem}{suffix}").is_file() for suffix in DOCUMENT_SUFFIXES):
                others.append(Skipped(name, "tệp bổ sung không có văn bản đi kèm"))
        elif is_document(path):
            documents.append(path)
        else:
            kind = path.suffix or "(không có đuôi)"
            reason = f"định dạng {shown_name(kind)} chưa được hỗ trợ (chỉ {', '.join(DOCUMENT_SUFFIXES)})"
            others.append(Skipped(name, reason))
    return _one_file_per_id(documents, others)


def shown_name(name: str) -> str:
    """A file name as it can be printed and stored: bytes that are not
    UTF-8 (a name copied from an old Windows share) shown as \ufffd."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _entry_problem(path: Path, root: Path) -> str:
    """Why an entry of the corpus folder is not read, or ""."""
    if path.name.startswith("."):
        return "tệp ẩn (tên bắt đầu bằng dấu chấm) không được đọc"
    try:
        info = path.stat()  # follows a link
    except OSError as error:
        if path.is_symlink():
            if error.errno == errno.ELOOP:
                return "liên kết tượng trưng lặp vòng"
            return "liên kết tượng trưng hỏng (trỏ tới tệp không còn)"
        return f"không đọc được ({error.strerror or error})"
    if path.is_symlink() and not path.resolve().is_relative_to(root):
        return "liên kết trỏ ra ngoài thư mục văn bản: không được đọc"
    if stat.S_ISDIR(info.st_mode):
        return "thư mục con không được đọc (chỉ các tệp ngay trong thư mục văn bản)"
    if not stat.S_ISREG(info.st_mode):
        return "không phải tệp thường (FIFO, thiết bị hay socket)"
    if shown_name(path.name) != path.name:
        return "tên tệp không phải UTF-8 (chép từ máy Windows cũ?): hãy đổi tên tệp để lập chỉ mục"
    if is_document(path):
        return size_problem(path, info.st_size)
    return ""


# Which file of a document saved in several formats is read: the richest.
FORMAT_PREFERENCE = (".docx", ".doc", ".pdf", ".md", ".txt")


def _one_file_per_id(documents: list[Path], others: list[Skipped]) -> tuple[list[Path], list[Skipped]]:
    """A document's id is its file stem: of files sharing one (``kl69.txt``
    and ``kl69.docx``), one is read and the others are reported, never
    merged into one document silently."""
    by_stem: dict[str, list[Path]] = {}
    for path in documents:
        by_stem.setdefault(path.stem, []).append(path)
    kept = []
    for path in documents:
        group = by_stem[path.stem]
        chosen = min(group, key=lambda p: (_preference(p), p.name))
        if path == chosen:
            kept.append(path)
        else:
            others.append(Skipped(path.name, f"trùng mã văn bản “{path.stem}” với tệp {chosen.name}, tệp đó được đọc"))
    return kept, others


def _preference(path: Path) -> int:
    suffix = path.suffix.lower()
    return FORMAT_PREFERENCE.index(suffix) if suffix in FORMAT_PREFERENCE else len(FORMAT_PREFERENCE)


def load_corpus(corpus_dir: Path, progress: bool = False):
    """Every readable document of the folder, in this process, numbers
    inferred across documents; the other files with their reason. (The
    index is built by build_index; this serves measurements that need the
    parsed documents.)"""
    documents: list[CorpusDocument] = []
    files, skipped = corpus_files(corpus_dir)
    for path in tqdm(files, desc="Đọc văn bản", unit="tệp", disable=not progress, leave=False):
        try:
            documents.append(load_document(path))
        except UnreadableFile as error:
            skipped.append(Skipped(path.name, error.reason))
        except DataFileError:
            raise
        except Exception as error:  # noqa: BLE001 - one bad file must not stop the rest
            skipped.append(Skipped(path.name, f"lỗi khi phân tích: {type(error).__name__}: {error}"))
    resolve_from_citations([(d.parsed, d.metadata) for d in documents])
    return documents, skipped


def build_catalog(
    entries: list[dict],
    skipped: list[Skipped],
    indexed: int,
    corpus_dir: Path,
    started: float,
    state: dict,
) -> dict:
    """The catalog of the documents' entries (documents.catalog_entry), with
    the links between them settled here: they change when another document does."""
    # Resolved by number. A document whose own number was lost in scanning
    # has been given the number its citers use (metadata.resolve_numbers).
    by_number: dict[str, list[dict]] = {}
    for entry in entries:
        if entry["number_key"]:
            by_number.setdefault(entry["number_key"], []).append(entry)
    for entry in entries:
        entry["cited_by"] = []
        for cited in entry["cites"]:
            cited["doc_id"] = None
    for entry in entries:
        for cited in entry["cites"]:
            target = _cited_document(by_number.get(cited["key"], []), cited, entry)
            if target is not None:
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


def _cited_document(candidates: list[dict], cited: dict, citer: dict) -> dict | None:
    """The document a citation means among those bearing its number (a
    number comes back every year: "12/QĐ-UBND"): the only one, else the one
    of the cited date, else of its year; None on doubt, and never the citer."""
    others = [e for e in candidates if e is not citer]
    if len(others) <= 1:
        return others[0] if others else None
    date = cited.get("date") or ""
    for same in (lambda e: e.get("date") == date, lambda e: str(e.get("year") or "") == date[:4]):
        found = [e for e in others if date and same(e)]
        if len(found) == 1:
            return found[0]
    return None


def file_hash(path: Path) -> str:
    """SHA-256 of a document file, of its sidecar and of its folder's access
    file, if any: each changing changes what is indexed. Raises OSError when the document cannot be
    read; a sidecar that cannot be is left out (reading the document
    reports it)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    for kind, extra in ((b"sidecar", path.with_name(path.stem + SIDECAR_SUFFIX)), (b"access", path.with_name(ACCESS_FILE))):
        try:
            if extra.is_file():
                digest.update(b"\0" + kind + b"\0" + extra.read_bytes())
        except OSError:
            digest.update(b"\0unreadable " + kind + b"\0")
    return digest.hexdigest()


def data_state() -> dict[str, str]:
    """SHA-256 of each data file the index depends on."""
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() if f.exists() else "" for f in DATA_FILES}


FIRST_BUILD = "chưa có chỉ mục"  # the full reason of a first build
OLD_VERSION = "chỉ mục được lập bằng phiên bản cũ"


def _built_otherwise(built_format, built_from: str, corpus_dir: Path) -> str:
    """Why an index of that format, built from that folder, cannot stand
    for ``corpus_dir`` as it is: another version, another folder; "" when it can."""
    if built_format != INDEX_FORMAT:
        return OLD_VERSION
    return "chỉ mục được lập từ thư mục khác" if built_from != str(corpus_dir.resolve()) else ""


@dataclass
class _Previous:
    """The live index a build starts from, as far as it can."""

    catalog: Catalog | None = None  # None: every file is read
    generation: Path | None = None  # verified deeply, when catalog is set
    full_reason: str = ""  # why every file is read
    documents: int = 0  # the live index's documents, if any
    corpus_dir: str = ""  # … and the folder it was built from


def _previous(corpus_dir: Path, index_root: Path, data: dict, full: bool) -> _Previous:
    """The live generation when an incremental build may start from it
    (its files checked against their SHA-256: a damaged one must not be
    carried forward), else why every file must be read."""
    try:
        generation = index_root / store.pointer(index_root)
        problem = store.damage(generation, deep=not full) if generation.is_dir() else "thư mục của nó không còn"
        catalog = None if problem else store.open_catalog(index_root)
    except store.IndexOutdated:
        return _Previous(full_reason=OLD_VERSION)
    except store.IndexDamaged as error:
        problem, catalog = str(error), None
    except store.IndexMissing:
        return _Previous(full_reason=FIRST_BUILD)
    if problem:
        return _Previous(full_reason=f"chỉ mục hiện tại bị hỏng: {problem}")
    try:
        was = _Previous(documents=catalog.document_count(), corpus_dir=catalog.fact("corpus_dir", ""))
        built_format, built_data = catalog.fact("format"), catalog.fact("data_state", {})
    except CatalogDamaged as error:
        catalog.close()
        return _Previous(full_reason=f"chỉ mục hiện tại bị hỏng: {error}")
    was.full_reason = _built_otherwise(built_format, was.corpus_dir, corpus_dir)
    if not was.full_reason:
        changed = [name for name, digest in data.items() if built_data.get(name) != digest]
        if changed:
            was.full_reason = f"{', '.join(changed)} đã thay đổi"
    if full:
        was.full_reason = "yêu cầu lập lại toàn bộ"
    if was.full_reason:
        catalog.close()
    else:
        was.catalog, was.generation = catalog, generation
    return was


def _link_generation(source: Path, target: Path) -> None:
    """The Whoosh files of ``source`` in ``target``, as hard links (copies
    where the file system has none). Whoosh never rewrites a segment file
    and writes a new table of contents on commit, so the new generation
    can change without touching the old one, which readers may hold open."""
    for path in source.iterdir():
        if path.name in (CATALOG, store.MANIFEST) or not path.is_file() or path.suffix == ".lock" or "LOCK" in path.name:
            continue
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copy2(path, target / path.name)


def _adopt(segments: list):
    """A Whoosh merge policy: the usual one on the index's segments, then
    the segments the workers wrote, in order."""

    def policy(writer, existing):
        return MERGE_SMALL(writer, existing) + segments

    return policy


def _metadata_of(entry: dict) -> dict:
    return {**{name: entry[name] for name in METADATA_FIELDS}, "sources": entry["sources"]}


@dataclass
class _Plan:
    """What a build reads and keeps, by file name."""

    tasks: list[FileTask] = field(default_factory=list)  # files to read
    sizes: list[int] = field(default_factory=list)
    kept: dict[str, FileRecord] = field(default_factory=dict)  # file -> its record, unchanged
    entries: dict[str, dict] = field(default_factory=dict)  # doc_id -> catalog entry, unchanged documents
    deleted: set[str] = field(default_factory=set)  # doc ids whose sections go
    added: int = 0
    changed: int = 0
    removed: int = 0


def _plan(files: list[Path], hashes: dict[str, str], previous: Catalog | None) -> _Plan:
    plan = _Plan()
    before = previous.files() if previous else {}
    entries = {e["doc_id"]: e for e in previous.entries()} if previous else {}
    for path in files:
        record = before.get(path.name)
        if record is not None and record.sha256 == hashes[path.name]:
            plan.kept[path.name] = record
            if record.doc_id in entries:
                plan.entries[record.doc_id] = entries[record.doc_id]
            continue
        if record is None:
            plan.added += 1
        else:
            plan.changed += 1
            if record.doc_id:
                plan.deleted.add(record.doc_id)
        plan.tasks.append(FileTask(str(path), hashes[path.name]))
        plan.sizes.append(path.stat().st_size)
    current = {p.name for p in files}
    for name, record in before.items():
        if name not in current:
            plan.removed += 1
            if record.doc_id:
                plan.deleted.add(record.doc_id)
    return plan


def _run(generation: Path, tasks, sizes, workers: int | None, defer: bool, bar) -> list:
    if not tasks:
        return []
    if workers is None:
        workers = default_workers() if sum(sizes) >= PARALLEL_MIN_BYTES else 1
    # More chunks than workers: a slow one holds up less. Each chunk's
    # postings are held in memory until its segment is written.
    count = max(2 * workers if workers > 1 else 1, -(-sum(sizes) // CHUNK_MAX_BYTES))
    return run_chunks(generation, split_chunks(tasks, sizes, count), workers, defer, _progress(bar))


def _progress(bar):
    """The workers' progress onto the bar: a count of files done, or a
    note on a slow file (the page OCR is reading)."""

    def report(step) -> None:
        if isinstance(step, str):
            bar.set_postfix_str(step, refresh=True)
        else:
            if getattr(bar, "postfix", None):  # the slow file is done (or another worker's: it says again)
                bar.set_postfix_str("", refresh=False)
            bar.update(step)

    return report


def build_index(
    corpus_dir: Path,
    index_root: Path,
    progress: bool = False,
    full: bool = False,
    workers: int | None = None,
    wait: bool = True,
    waiting=None,
) -> BuildReport:
    """Index ``corpus_dir`` into a new generation under ``index_root`` and
    publish it: incrementally when the live index allows it (see the module
    docstring), else, or with ``full``, every file. ``workers``: processes
    reading and writing (default: one per core, one for a small job).

    One build at a time: another build of the same root is waited for
    (``waiting`` is called with its PID first), or with ``wait=False``
    store.BuildLocked is raised. The plan is made once the lock is held, so
    the build that publishes last has read the folder last."""
    if not corpus_dir.is_dir():
        raise NotADirectoryError(2, "không có thư mục văn bản", str(corpus_dir))
    with store.build_lock(index_root, wait, waiting):
        return _build_locked(corpus_dir, index_root, progress, full, workers)


def _build_locked(corpus_dir: Path, index_root: Path, progress: bool, full: bool, workers: int | None) -> BuildReport:
    started = time.time()
    state = corpus_state(corpus_dir)  # before reading: a file changed meanwhile makes it stale
    data = data_state()
    files, skipped = corpus_files(corpus_dir)
    hashes = _hash_files(files, skipped)
    was = _previous(corpus_dir, index_root, data, full)
    previous, full_reason = was.catalog, was.full_reason
    plan = _plan(files, hashes, previous)
    if previous is not None:
        previous.close()  # all it holds for the build is in the plan now
    generation = store.new_generation(index_root)
    try:
        if previous is None:
            store.whoosh_index.create_in(str(generation), build_schema())
        else:
            _link_generation(was.generation, generation)
        with tqdm(total=len(plan.tasks), desc="Lập chỉ mục", unit="tệp", disable=not progress, leave=False) as bar:
            results = _run(generation, plan.tasks, plan.sizes, workers, True, bar)
            records, entries = dict(plan.kept), dict(plan.entries)
            waiting = _gather(results, records, entries)
            segments = [r.segment for r in results if r.segment is not None]
            documents = [(name, r) for name, r in sorted(records.items()) if not r.skipped]
            if not documents:
                # A wrong or empty folder must not replace a good index with nothing.
                raise EmptyCorpus(corpus_dir, skipped + _skipped(records))
            again, sizes, reinferred = _settle_numbers(corpus_dir, documents, entries, waiting, plan, hashes)
            bar.total += len(again)
            segments += _gather_written(_run(generation, again, sizes, workers, False, bar), records, entries)
        ix = store.open_whoosh(generation)
        writer = ix.writer(codec=segment_codec())  # merging small segments rewrites them
        for doc_id in sorted(plan.deleted):
            writer.delete_by_term("doc_id", doc_id)
        writer.commit(mergetype=_adopt(segments))
        skipped = skipped + _skipped(records)
        ordered = [entries[r.doc_id] for _, r in sorted(records.items()) if r.doc_id in entries]
        sections = sum(r.sections for r in records.values() if r.doc_id in entries)
        catalog = build_catalog(ordered, skipped, sections, corpus_dir, started, state)
        write_catalog(generation / CATALOG, catalog | {"files": records, "data_state": data})
    except BaseException:
        store.discard(generation)
        raise
    known = store.verified_files(was.generation) if was.generation is not None else None
    store.publish(index_root, generation, {"corpus_dir": str(corpus_dir.resolve())}, known)
    prune_cache(index_root / store.OCR_CACHE, {r.sha256 for r in records.values()})
    warnings = [w for _, r in sorted(records.items()) for w in r.warnings]
    return BuildReport(
        documents=len(ordered),
        sections=sections,
        skipped=skipped,
        warnings=warnings,
        full_reason=full_reason,
        added=plan.added,
        changed=plan.changed,
        removed=plan.removed,
        unchanged=len(plan.kept),
        reinferred=reinferred,
        previous_documents=was.documents,
        previous_corpus=was.corpus_dir,
    )


def _hash_files(files: list[Path], skipped: list[Skipped]) -> dict[str, str]:
    """Each listed file's content hash by name; a file that cannot be read
    (unreadable, or gone since it was listed) moves from ``files`` to ``skipped``."""
    hashes = {}
    for path in list(files):
        try:
            hashes[path.name] = file_hash(path)
        except OSError as error:
            files.remove(path)
            skipped.append(Skipped(path.name, f"không đọc được tệp ({error.strerror or error})"))
    return hashes


def _gather(results, records: dict, entries: dict) -> dict[str, str]:
    """The workers' outcomes into ``records`` (file → source or skip) and
    ``entries`` (doc_id → catalog entry); returns the documents read but not
    written (doc_id → file): they may take a number from another document."""
    waiting = {}
    for result in results:
        for outcome in result.outcomes:
            if outcome.skipped:
                records[outcome.file] = FileRecord(outcome.sha256, outcome.skipped)
                continue
            records[outcome.file] = outcome.source
            if outcome.entry is not None:
                entries[outcome.source.doc_id] = outcome.entry
            else:
                waiting[outcome.source.doc_id] = outcome.file
    return waiting


def _gather_written(results, records: dict, entries: dict) -> list:
    """The second round's outcomes (documents written with their settled
    metadata) into ``records`` and ``entries``; their segments."""
    segments = []
    for result in results:
        for outcome in result.outcomes:
            if outcome.skipped:  # the file changed since it was hashed
                records[outcome.file] = FileRecord(outcome.sha256, outcome.skipped)
            else:
                entries[outcome.source.doc_id] = outcome.entry
        if result.segment is not None:
            segments.append(result.segment)
    return segments


def _settle_numbers(corpus_dir: Path, documents, entries: dict, waiting: dict, plan: "_Plan", hashes: dict):
    """Numbers inferred across documents, from every document's summary;
    the tasks that write the documents waiting, and again those indexed with
    other metadata (their entries dropped, their sections deleted), with
    their sizes, and how many unchanged files were among them."""
    settled = [  # copies: resolving must not touch what the files gave
        (r.doc_id, Metadata(**copy.deepcopy(r.metadata)), [Citation(**c) for c in r.citations])
        for _, r in documents
    ]
    resolve_numbers(settled)
    again, sizes, reinferred = [], [], 0
    by_doc = {r.doc_id: name for name, r in documents}
    for doc_id, meta, _ in settled:
        name = by_doc[doc_id]
        resolved = asdict(meta)
        if doc_id in waiting:
            pass
        elif doc_id in entries and _metadata_of(entries[doc_id]) != resolved:
            # Indexed with other metadata: an unchanged file whose
            # citer changed, or (never, by may_take_number) a new one.
            del entries[doc_id]
            plan.deleted.add(doc_id)
            reinferred += name in plan.kept
        else:
            continue
        again.append(FileTask(str(corpus_dir / name), hashes[name], resolved))
        sizes.append((corpus_dir / name).stat().st_size)
    return again, sizes, reinferred


def _skipped(records: dict[str, FileRecord]) -> list[Skipped]:
    return [Skipped(name, r.skipped) for name, r in sorted(records.items()) if r.skipped]


def corpus_state(corpus_dir: Path) -> dict[str, list[int]]:
    """Each entry of the folder with its size and modification time: any
    added, removed, changed or replaced file changes it, even one copied in
    with an older time."""
    state = {}
    for p in sorted(corpus_dir.iterdir()):
        if p.name.startswith("."):
            continue
        try:
            info = p.stat()
        except OSError:  # a broken link: it is there, and skipped
            info = p.lstat()
        state[shown_name(p.name)] = [info.st_size, info.st_mtime_ns]
    return state


def stale_reason(corpus_dir: Path, index_root: Path) -> str:
    """Why the index under ``index_root`` no longer reflects ``corpus_dir``
    ("" when it does): missing, built from another folder, the folder's files
    changed since, or a data file staff edit (topics, abbreviations, places)
    is newer than the index."""
    try:
        with store.open_catalog(index_root) as catalog:
            built = {name: catalog.fact(name) for name in ("format", "corpus_dir", "corpus_state", "built_at")}
    except store.IndexOutdated:
        return OLD_VERSION
    except (store.IndexDamaged, CatalogDamaged):
        return "chỉ mục bị hỏng"
    except store.IndexMissing:
        return "chưa có chỉ mục"
    if not corpus_dir.is_dir():
        return f"không có thư mục văn bản {corpus_dir}"
    otherwise = _built_otherwise(built["format"], built["corpus_dir"], corpus_dir)
    if otherwise:
        return otherwise
    if built["corpus_state"] != corpus_state(corpus_dir):
        return "thư mục văn bản đã thay đổi"
    built_at = built["built_at"] or 0
    for data_file in DATA_FILES:
        if data_file.exists() and data_file.stat().st_mtime > built_at:
            return f"{data_file.name} mới hơn chỉ mục"
    return ""
