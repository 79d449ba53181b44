"""Where an index lives on disk, and how a rebuild replaces it atomically.

An index root holds generations (``gen-…`` folders, each a complete Whoosh
index plus its catalog, indexer.catalog) and a ``CURRENT`` file naming the live one.
A rebuild writes a new generation, then replaces ``CURRENT`` with
``os.replace`` (atomic): a reader opens either the old index or the new one,
never half of one.

Only one build at a time plans and publishes (``build_lock``, an ``flock``
the kernel releases when its process dies, so a dead build never blocks).
Publishing records each file's size and SHA-256 in the generation's
``MANIFEST.json`` and appends the generation to ``PUBLISHED``: opening
checks the files against the manifest, falls back to the previous
published generation when the live one is damaged, and cleanup keeps the
last published generations (the live one and the one before it, for
readers that opened it before the switch) and removes everything else,
such as a generation a killed build left half written.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import mmap
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from indexer.catalog import CATALOG, Catalog, CatalogDamaged

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
# The catalog of versions before indexer.catalog: such a generation is rebuilt, not read.
LEGACY_CATALOG = "documents.json"
MANIFEST = "MANIFEST.json"
PUBLISHED = "PUBLISHED"
LOCK = ".build.lock"
# What OCR read of scanned files, by content hash: kept across generations (indexer.ocr).
OCR_CACHE = "ocr-cache"
KEEP_GENERATIONS = 2


class IndexMissing(Exception):
    """No usable index under the given root."""


class IndexDamaged(IndexMissing):
    """The live generation's files are not what was published, and no
    earlier published generation is sound."""


class IndexOutdated(IndexDamaged):
    """The live generation was written by an older version of Tra cứu."""


class BuildLocked(Exception):
    """Another build holds the index root's lock (``holder``: its PID, or "")."""

    def __init__(self, root: Path, holder: str):
        who = f"tiến trình {holder}" if holder else "một tiến trình khác"
        super().__init__(f"{who} đang lập chỉ mục trong {root}")
        self.holder = holder


@contextmanager
def build_lock(root: Path, wait: bool = True, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the build lock of ``root`` for the block.

    Held by another process: wait for it (after calling ``waiting`` with its
    PID), or with ``wait=False`` raise BuildLocked. The lock is an ``flock``,
    released by the kernel when the holder exits or is killed."""
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            if not wait:
                raise BuildLocked(root, holder) from None
            if waiting is not None:
                waiting(holder)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


def new_generation(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    return Path(tempfile.mkdtemp(prefix=f"gen-{stamp}-", dir=root))


def _is_index_file(name: str) -> bool:
    # Whoosh's lock files come and go with writers; they hold no data.
    return name != MANIFEST and "LOCK" not in name and not name.endswith(".lock")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(generation: Path) -> dict | None:
    """The generation's manifest; None for one published before manifests.
    Raises ValueError when it is unreadable."""
    try:
        manifest = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(str(error)) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ValueError("không đúng dạng")
    return manifest


def write_manifest(generation: Path, info: dict | None = None, known: dict | None = None) -> None:
    """Record each index file's size and SHA-256. ``known``: name → [size,
    digest] of a verified generation whose files this one hard-links; a file
    that is the same inode keeps its digest instead of being read again."""
    files = {}
    for path in sorted(generation.iterdir()):
        if not path.is_file() or not _is_index_file(path.name):
            continue
        size = path.stat().st_size
        linked = (known or {}).get(path.name)
        digest = linked[1] if linked and linked[0] == size and _same_inode(path, linked) else _sha256(path)
        files[path.name] = [size, digest]
    manifest = {**(info or {}), "files": files, "published_at": time.time()}
    temporary = generation / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, generation / MANIFEST)


def _same_inode(path: Path, linked: list) -> bool:
    return len(linked) > 2 and path.stat().st_ino == linked[2]


def verified_files(generation: Path) -> dict:
    """name → [size, digest, inode] of a generation checked deeply just now
    (for write_manifest's ``known``); {} when it has no manifest."""
    manifest = read_manifest(generation) or {"files": {}}
    return {
        name: [size, digest, (generation / name).stat().st_ino]
        for name, (size, digest) in manifest["files"].items()
    }


def damage(generation: Path, deep: bool = False) -> str:
    """What is wrong with ``generation`` for the user, "" when it is sound:
    a file missing or of another size than published, or with ``deep``,
    another SHA-256."""
    try:
        manifest = read_manifest(generation)
    except ValueError as error:
        return f"{MANIFEST} hỏng ({error})"
    if manifest is None:  # published before manifests: what can be checked
        if not whoosh_index.exists_in(str(generation)):
            return "không có mục lục của Whoosh"
        known = (generation / CATALOG).is_file() or (generation / LEGACY_CATALOG).is_file()
        return "" if known else f"thiếu {CATALOG}"
    for name, (size, digest) in sorted(manifest["files"].items()):
        path = generation / name
        try:
            actual = path.stat().st_size
        except OSError:
            return f"thiếu tệp {name}"
        if actual != size:
            return f"tệp {name} có {actual} byte, khi lập có {size}"
        if deep and _sha256(path) != digest:
            return f"tệp {name} đã bị thay đổi (sai mã kiểm tra SHA-256)"
    return ""


def published(root: Path) -> list[str]:
    """Names of the published generations, oldest first."""
    try:
        names = (root / PUBLISHED).read_text(encoding="utf-8").split()
    except FileNotFoundError:
        names = []
    if not names:  # an index root from before the list: its live generation
        try:
            names = [pointer(root)]
        except IndexMissing:
            pass
    return names


def publish(root: Path, generation: Path, info: dict | None = None, known: dict | None = None) -> None:
    """Make ``generation`` the live index, then prune old generations.
    Call with the build lock held."""
    write_manifest(generation, info, known)
    names = published(root)
    try:
        live = pointer(root)
    except IndexMissing:
        live = None
    if live in names:
        # Listed after the live one: a build killed between listing and
        # switching, never live; it must not count as one kept for rollback.
        names = names[: names.index(live) + 1]
    names = [n for n in names if n != generation.name] + [generation.name]
    # Listed before it is live: a kill between the two leaves a listed
    # generation that is not live, never a live one that cleanup would remove.
    _replace_text(root / PUBLISHED, "".join(f"{n}\n" for n in names))
    _replace_text(root / CURRENT, generation.name + "\n")
    prune(root)


def _replace_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def prune(root: Path) -> None:
    """Keep the last KEEP_GENERATIONS published generations and the live
    one; remove the rest (older ones, and any a killed build left). Call
    with the build lock held: no other build is writing a generation."""
    names = [n for n in published(root) if (root / n).is_dir()]
    keep = set(names[-KEEP_GENERATIONS:])
    try:
        keep.add(pointer(root))
    except IndexMissing:
        pass
    for path in root.glob("gen-*"):
        if path.is_dir() and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
    _replace_text(root / PUBLISHED, "".join(f"{n}\n" for n in names if n in keep))


def discard(generation: Path) -> None:
    shutil.rmtree(generation, ignore_errors=True)


def pointer(root: Path) -> str:
    """The name ``CURRENT`` gives; raises IndexMissing when there is none."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexMissing(f"Chưa có chỉ mục trong {root}: hãy chạy `tracuu index` trước.") from None
    if not name:
        raise IndexDamaged(f"Chỉ mục trong {root} bị hỏng (tệp {CURRENT} rỗng): hãy chạy lại `tracuu index`.")
    return name


def current_generation(root: Path) -> Path:
    """The generation ``CURRENT`` names, when it is there and sound by its
    files' sizes; raises IndexMissing (IndexDamaged) otherwise."""
    generation = root / pointer(root)
    problem = damage(generation) if generation.is_dir() else "thư mục của nó không còn"
    if problem:
        raise IndexDamaged(f"Chỉ mục trong {root} bị hỏng ({problem}): hãy chạy lại `tracuu index`.")
    return generation


@dataclass
class OpenIndex:
    index: whoosh_index.Index
    catalog: Catalog
    generation: str = ""
    # What CURRENT named when this was opened: another generation than
    # ``generation`` when that one was damaged and an earlier one is served.
    pointer: str = ""
    warning: str = ""  # for the user, when an earlier generation is served
    # Data derived from this generation (facet rows…): it never changes, so
    # it is computed once and dropped with the OpenIndex.
    cache: dict = field(default_factory=dict)

    def cached(self, key, make):
        """``cache[key]``, made once: concurrent first requests wait for
        one of them to make it instead of all making it."""
        found = self.cache.get(key)
        if found is None:
            with self.cache.setdefault("_lock", threading.RLock()):
                found = self.cache.get(key)
                if found is None:
                    found = self.cache[key] = make()
        return found

    @property
    def documents(self) -> dict[str, dict]:
        """doc_id → the document's metadata (indexer.catalog)."""
        return self.catalog.by_id


def _read_catalog(generation: Path) -> Catalog:
    """Raises IndexOutdated for a generation of an older version, OSError or
    CatalogDamaged when the catalog cannot be read."""
    if not (generation / CATALOG).exists() and (generation / LEGACY_CATALOG).exists():
        raise IndexOutdated(
            f"Chỉ mục trong {generation.parent} được lập bằng phiên bản cũ: hãy chạy lại `tracuu index`."
        )
    return Catalog(generation / CATALOG)


def open_catalog(root: Path) -> Catalog:
    """The live generation's catalog alone, without opening the index.
    Raises IndexDamaged (IndexOutdated) when it cannot be read."""
    generation = current_generation(root)
    try:
        return _read_catalog(generation)
    except (OSError, CatalogDamaged) as error:
        raise IndexDamaged(f"Chỉ mục trong {root} bị hỏng ({CATALOG}: {error}): hãy chạy lại `tracuu index`.") from None


class _MappedFiles(FileStorage):
    """Index files read in place from a memory map.

    Whoosh's own mmap path wraps each file of a compound segment in
    BytesIO(memoryview), which copies it: every reader held a private copy
    of the whole index. Plain file handles avoid the copy but make every
    small read a system call, slower than a map (docs/benchmark-journal.md,
    issue 6). Here a file is one map, and Whoosh's sub-files copy out only
    what they read."""

    def open_file(self, name, **kwargs):
        with open(self._fpath(name), "rb") as handle:
            try:
                source = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError:  # an empty file cannot be mapped
                return super().open_file(name, **kwargs)
        return StructFile(source, name=name, **kwargs)


def open_whoosh(generation: Path) -> whoosh_index.Index:
    """A generation's Whoosh index, its files read in place (_MappedFiles)."""
    # supports_mmap=False: CompoundStorage then reads through our mapped
    # file object instead of mapping (and copying) the segment itself.
    return _MappedFiles(str(generation), supports_mmap=False).open_index()


def indexed_corpus(root: Path) -> str:
    """The corpus folder the live index was built from ("" when unknown),
    from its manifest: the catalog may be hundreds of MB."""
    try:
        generation = current_generation(root)
        manifest = read_manifest(generation)
        if manifest is not None and manifest.get("corpus_dir"):
            return manifest["corpus_dir"]
        with open_catalog(root) as catalog:
            return catalog.fact("corpus_dir", "")
    except (IndexMissing, ValueError):
        return ""


def _open_generation(generation: Path, deep: bool) -> OpenIndex:
    """Raises ValueError saying what is wrong when it is damaged."""
    problem = damage(generation, deep) if generation.is_dir() else "thư mục của nó không còn"
    if problem:
        raise ValueError(problem)
    try:
        return OpenIndex(open_whoosh(generation), _read_catalog(generation).load(), generation.name, generation.name)
    except IndexOutdated:
        raise
    except CatalogDamaged as error:
        raise ValueError(str(error)) from None
    except Exception as error:  # noqa: BLE001 - any failure to read it is damage, said in one line
        raise ValueError(f"{type(error).__name__}: {error}") from None


def open_current(root: Path, deep: bool = False) -> OpenIndex:
    """The live index; when its files are not what was published (sizes,
    and with ``deep`` their SHA-256), the newest earlier published
    generation that is sound, with a ``warning``. Raises IndexMissing when
    there is no index, IndexDamaged when there is no sound one."""
    name = pointer(root)
    try:
        return _open_generation(root / name, deep)
    except ValueError as error:
        problem = str(error)
    for earlier in reversed(published(root)):
        if earlier == name:
            continue
        try:
            opened = _open_generation(root / earlier, deep)
        except (ValueError, IndexOutdated):  # an earlier version's is no fallback
            continue
        log.warning("Index generation %s is damaged (%s); serving %s", name, problem, earlier)
        opened.pointer = name
        opened.warning = (
            f"Chỉ mục mới nhất bị hỏng ({problem}); đang dùng bản lập trước đó. "
            "Lần chạy `tracuu index` tới sẽ lập lại toàn bộ."
        )
        return opened
    raise IndexDamaged(f"Chỉ mục trong {root} bị hỏng ({problem}): hãy chạy lại `tracuu index`.")
