"""Indexing files in worker processes, each writing Whoosh segments of its own.

A build hands out contiguous chunks of the corpus's files. For each chunk a
worker reads and parses every file, settles its metadata, analyses its
sections (pyvi included) and writes them into a new segment of the
generation being built; it returns the segment and, per file, what the
catalog needs. The main process then commits all the segments in one
table of contents (indexer.build), in chunk order, so sections keep the
corpus's order.

Writing in the workers, not only analysing there, is what lets two cores
help: writing a segment costs about as much as analysing its sections
(see engine.writer for the writer).

Whoosh's own multiprocess writer (``procs>1``) is not used: its sub-writers
share one temporary folder (``MAIN.tmp``) that each destroys when it
finishes, it waits for results with a fixed timeout, and it crashes on a
sub-writer that got no document. Here each segment writer has a temporary
folder of its own, nothing has a timeout, a failed worker fails the
build (the generation is discarded), and a chunk without documents gives
no segment.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from multiprocessing import resource_tracker
from pathlib import Path
from queue import Empty

from whoosh import index as whoosh_index

from analyzers.datafiles import DataFileError
from indexer.catalog import FileRecord
from indexer.documents import (
    analysed_fields,
    catalog_entry,
    document_source,
    indexed_sections,
    load_document,
)
from indexer.metadata import document_citations, may_take_number
from indexer.model import Metadata
from indexer.ocr import OcrCache
from indexer.reader import UnreadableFile
from engine.writer import WorkerSegmentWriter
from indexer.store import OCR_CACHE

# Pool memory of each segment writer for the postings that take Whoosh's own
# path (the issuer's; see engine.writer): Whoosh spills to temporary
# files beyond it, and spilling and merging runs is slow.
LIMIT_MB = 512


@dataclass
class FileTask:
    path: str
    sha256: str
    # The document's metadata as settled across documents (a number inferred
    # from a citer): used instead of what the file alone gives.
    metadata: dict | None = None


@dataclass
class FileOutcome:
    file: str
    sha256: str
    skipped: str = ""  # the reason, for a file that could not be indexed
    source: FileRecord | None = None  # documents.document_source
    entry: dict | None = None  # documents.catalog_entry, None when deferred
    sections: int = 0  # written


@dataclass
class ChunkResult:
    outcomes: list[FileOutcome] = field(default_factory=list)
    segment: object | None = None  # a Whoosh segment, None when nothing was written


def index_chunk(generation: str, tasks: list[FileTask], defer_unnumbered: bool, progress=None) -> ChunkResult:
    """Index ``tasks`` into a new segment of the index in ``generation``.

    With ``defer_unnumbered``, a document that may yet take its number from
    a citer (metadata.may_take_number) is read but not written: the build
    writes it once every document's citations are known.
    Per-file failures become skipped outcomes; a broken data file, or a
    failure writing the segment, stops the chunk."""
    result = ChunkResult()
    writer = None
    # progress(1) when a file is done; progress("…") says what a slow file is at (OCR).
    try:
        for task in tasks:
            path = Path(task.path)
            outcome = FileOutcome(path.name, task.sha256)
            try:
                # OCR results go beside the generations, where the next build finds them.
                cache = OcrCache(Path(generation).parent / OCR_CACHE, task.sha256)
                document = load_document(path, cache, progress)
                extracted = Metadata(**asdict(document.metadata))
                source = document_source(document, task.sha256, extracted, document_citations(document.parsed))
                outcome.source = source
                if task.metadata is not None:
                    document.metadata = Metadata(**task.metadata)
                elif defer_unnumbered and may_take_number(document.metadata):
                    result.outcomes.append(outcome)
                    continue
                rows = [analysed_fields(document, s) for s in indexed_sections(document)]
                entry = catalog_entry(document)
            except UnreadableFile as error:
                outcome.skipped = error.reason
            except DataFileError:
                raise  # a broken data file is no fault of this document: stop and say so
            except Exception as error:  # noqa: BLE001 - one bad file must not stop the rest
                outcome.skipped = f"lỗi khi phân tích: {type(error).__name__}: {error}"
            else:
                if writer is None:
                    writer = WorkerSegmentWriter(whoosh_index.open_dir(generation), LIMIT_MB)
                for row in rows:
                    writer.add_document(**row)
                outcome.entry = entry
                outcome.sections = len(rows)
            finally:
                if progress is not None:
                    progress(1)
            result.outcomes.append(outcome)
        if writer is not None:
            result.segment = writer.finish()
            writer = None
    finally:
        if writer is not None:
            writer.abandon()
    return result


# ------------------------------------------------------------ processes

_progress_queue = None
_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """End this worker when the build that started it ends, even by kill -9:
    an orphaned worker would go on holding its memory for nothing."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
        else:
            if os.getppid() != parent:  # the parent died before prctl took
                os._exit(1)
            return
    threading.Thread(target=_watch_parent, args=(parent,), name="parent watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _init_worker(queue, parent: int) -> None:
    global _progress_queue
    _die_with_parent(parent)
    # Ctrl+C reaches the whole process group: the parent stops the workers
    # itself, so that it can say what happened.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _progress_queue = queue
    from analyzers.filters import segmenter

    segmenter()  # pyvi and its weights, once per worker, before the first file


def _worker_chunk(generation: str, tasks: list[FileTask], defer_unnumbered: bool) -> ChunkResult:
    return index_chunk(generation, tasks, defer_unnumbered, progress=_progress_queue.put)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def split_chunks(tasks: list[FileTask], sizes: list[int], count: int) -> list[list[FileTask]]:
    """``tasks`` in order, cut into at most ``count`` runs of about equal bytes."""
    total = sum(sizes) or 1
    chunks: list[list[FileTask]] = [[]]
    done = 0
    for task, size in zip(tasks, sizes):
        if chunks[-1] and done >= total * len(chunks) / count:
            chunks.append([])
        chunks[-1].append(task)
        done += size
    return [c for c in chunks if c]


def run_chunks(
    generation: Path, chunks: list[list[FileTask]], workers: int, defer_unnumbered: bool, progress
) -> list[ChunkResult]:
    """Index each chunk into a segment of its own, in ``workers`` processes
    (in this one when ``workers`` is 1); results in chunk order."""
    if workers <= 1 or len(chunks) <= 1:
        return [index_chunk(str(generation), c, defer_unnumbered, progress) for c in chunks]
    # spawn, not fork: a worker starts clean (no lock or open index of the
    # parent's), the same on every platform.
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    pool = ProcessPoolExecutor(min(workers, len(chunks)), ctx, _init_worker, (queue, os.getpid()))
    try:
        # One Ctrl+C pressed while the workers import must not print their
        # tracebacks: the parent stops them itself.
        with _sigint_deferred():
            futures = [pool.submit(_worker_chunk, str(generation), c, defer_unnumbered) for c in chunks]
        pending = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
            _drain(queue, progress)
            if any(f.done() and f.exception() for f in futures):
                for f in pending:
                    f.cancel()
                break
        _drain(queue, progress)
        for f in futures:
            if f.done() and not f.cancelled() and f.exception() is not None:
                raise f.exception()
        results = [f.result() for f in futures]
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()
    return results


@contextlib.contextmanager
def _sigint_deferred():
    """Spawn workers that cannot be interrupted while they import, without
    losing a Ctrl+C meant for the build: it is raised once they are started."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; a server's rebuild has no terminal
        return
    # The tracker unblocks SIGINT when it first starts: start it before blocking.
    resource_tracker.ensure_running()
    pressed = []
    previous = signal.signal(signal.SIGINT, lambda *_: pressed.append(True))
    # A blocked signal stays blocked across exec, so a worker starts deaf to
    # Ctrl+C until it ignores it itself; one arriving meanwhile waits here.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


def _stop(pool: ProcessPoolExecutor) -> None:
    """Kill the workers now: shutting down would wait for their chunks
    (minutes) after Ctrl+C or a failed chunk."""
    # The executor keeps no public list of its processes.
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _drain(queue, progress) -> None:
    while True:
        try:
            n = queue.get_nowait()
        except Empty:
            return
        if progress is not None:
            progress(n)
