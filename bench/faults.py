"""Fault runs (issue 23): builds killed at each phase, interrupted, run two
at once, a reader and a server running through them, a stale lock and a
damaged segment; prints a table of what held.

Works on a generated corpus (bench/generate_corpus.py, ``--sections``) in a
temporary folder, in two states that differ by one file: state B adds a
sentence holding a word no other document has (``zqxprobe``) to one
document. A clean full build of each state is the reference an index is
compared with (the catalog without its build facts, as
tests/index_digest.py sees it, and each query's total, top 100 sections
and facet counts, as tests/test_incremental.py compares them; ``--deep``
adds tests/index_digest.py's per-section postings digest, ~12 s an index
at 3,000 sections). Each scenario runs ``--runs`` times:

1. ``kill -9`` of `tracuu index --full` (its main process alone) at each
   phase. The phase is found by watching the build: the new ``gen-…``
   folder is listed and the build's processes read from
   ``/proc/<pid>/task/*/children`` every 20 ms while worker processes
   run; once they are gone, only the trigger file is looked for, without
   sleeping. *Workers reading*: 0.3 s after the first file a worker's
   segment writer makes (it makes it after parsing its first document).
   *Commit*: as soon as ``MAIN_WRITELOCK`` appears (the main process's
   Whoosh writer, made only for the final commit). *Catalog/publish*: as
   soon as the catalog being written (``.catalog.sqlite.tmp``) appears (then the manifest's SHA-256 pass,
   ``PUBLISHED``, ``CURRENT``). Measured once on 3,000 sections (a 1 ms
   poll of the folder and the main process's open files): workers from
   0.4 s to the end, then the commit ~30 ms, the catalog a few ms,
   the manifest ~25 ms, out of a ~15 s build; so where each kill landed
   is checked from what the folder holds after it, and counted. A fourth
   kill is injected: a full build run in Python with
   ``store._replace_text`` wrapped to SIGKILL itself when it is about to
   write ``CURRENT`` (``PUBLISHED`` already lists the new generation; the
   two writes are microseconds apart, out of reach of a poll). After each
   kill: ``CURRENT`` still names the previous generation; `tracuu search`
   exits 0 and answers exactly as it did before the build (JSON, top 20
   in order); every process of the killed build seen before the kill
   (workers, multiprocessing's resource tracker) is gone within 5 s
   (zombies count as gone); the next `tracuu index` (incremental, from
   the previous state to the new one) exits 0 and its index equals the
   clean build (its order of results may differ by a rank where scores
   are within 0.1 %: a changed document's old sections, deleted, still
   count in the collection's statistics until their segment is merged, as
   in Lucene); the generation the kill left is removed; the generation
   live before that next build is kept as the one before the live one (a
   server may still be answering from it while it warms the new one).
2. Ctrl+C: SIGINT to the build's process group while its workers read:
   exit status 130, the message, no traceback, workers gone within 5 s,
   ``CURRENT`` and the ``gen-…`` folders as before.
3. Two builds together: `tracuu index --full` starts; once it has made
   its generation folder (its plan is made), one file is changed and an
   incremental `tracuu index` and a `tracuu index --no-wait` start. Every
   5 ms: the lock's holders from ``/proc/locks`` (never two; the full
   build, then the incremental one; the kernel lists it consistently
   within one read() of at most a page, so the read()s are recorded with
   any sample showing two), the ``gen-…`` folders neither published nor
   live (never two: what the lock is for), and the live generation and
   the one published before it on disk (``PUBLISHED`` read again after
   the check: a sample taken across a publish is dropped). The second
   says it waits for the first's PID, ``--no-wait`` exits 1 naming it,
   the final index equals a build of the final corpus. Meanwhile a
   reader in this process opens the live index (as the server does) and
   runs the queries over and over.
4. `tracuu serve` (without ``--corpus-dir``: the index's own folder) on a
   free port, two client threads querying ``/api/search`` (urllib) while
   a full and an incremental build of the changed corpus start
   together: no answer other than 200, every ``total`` the old corpus's
   or the new one's (from the reference builds), a client that saw the
   new one never sees the old one again, and the server serves the new
   corpus after the builds.
5. A stale lock: ``.build.lock`` rewritten to name a PID that does not
   exist (no ``flock`` held): a `tracuu index --no-wait` and a waiting
   `tracuu index` both run without waiting and publish the right index.
6. A truncated segment (half its bytes; one the live generation does not
   share with the previous one, which a full build guarantees): `tracuu
   search` says so in one line, no traceback, exit 0, and answers as the
   previous generation did while it was live; the next `tracuu index` is
   a full build and says why; its index equals the clean build.

Every subprocess has a timeout and runs in a process group of its own;
what is still running at exit (or on Ctrl+C) is killed by group.

    .venv/bin/python bench/faults.py --runs 3
    .venv/bin/python bench/faults.py --runs 1 --only 1,5 --keep

Exits 1 when a check did not hold, listing each failure under the table.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import store  # noqa: E402
from bench import PUBLIC_SERVER_ENV  # noqa: E402
from indexer.catalog import CATALOG  # noqa: E402

CATALOG_BEING_WRITTEN = f".{CATALOG}.tmp"

TRACUU = ROOT / ".venv" / "bin" / "tracuu"
PYTHON = ROOT / ".venv" / "bin" / "python"
PROBE_WORD = "zqxprobe"  # a word no generated text holds
SERVER_ENV = os.environ | PUBLIC_SERVER_ENV
PROBE_SENTENCE = f"Kiểm tra {PROBE_WORD} việc bảo vệ rừng và công tác dân vận ở cơ sở."
QUERIES = (PROBE_WORD, "dân vận", "bảo vệ rừng", "kiểm tra giám sát", "dan toc thieu so")
CLI_QUERIES = (PROBE_WORD, "bảo vệ rừng")
INTERRUPTED = "Đã dừng lập chỉ mục; chỉ mục đang dùng không thay đổi."
WORKER_MARK = b"multiprocessing.spawn"
TRACKER_MARK = b"resource_tracker"
GONE_WITHIN_S = 5.0

BUILD_TIMEOUT_S = 600
SEARCH_TIMEOUT_S = 120


# ------------------------------------------------------------ processes

_started: list[subprocess.Popen] = []


def start(args, log_dir: Path, name: str) -> subprocess.Popen:
    """``tracuu`` with ``args`` in a process group of its own, its output
    to files (nothing to block on)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stamp = f"{len(_started):03d}-{name}"
    out = open(log_dir / f"{stamp}.out", "w+", encoding="utf-8")
    err = open(log_dir / f"{stamp}.err", "w+", encoding="utf-8")
    program = str(PYTHON) if args and args[0] == "-c" else str(TRACUU)
    process = subprocess.Popen(
        [program, *map(str, args)], stdout=out, stderr=err, stdin=subprocess.DEVNULL,
        start_new_session=True, cwd=ROOT, env=SERVER_ENV,
    )  # fmt: skip
    process.out_file, process.err_file = out, err
    process.started_at = time.monotonic()
    _started.append(process)
    return process


def finish(process: subprocess.Popen, timeout: float) -> tuple[int | None, str, str]:
    """Wait for ``process`` (its group killed past ``timeout``: returncode
    None); its exit status and output (the same again when asked again)."""
    if hasattr(process, "result"):
        return process.result
    try:
        process.wait(timeout=timeout)
        code = process.returncode
    except subprocess.TimeoutExpired:
        kill_group(process)
        process.wait(timeout=30)
        code = None
    texts = []
    for handle in (process.out_file, process.err_file):
        handle.flush()
        handle.seek(0)
        texts.append(handle.read())
        handle.close()
    process.result = (code, texts[0], texts[1])
    return process.result


def run(args, log_dir: Path, name: str, timeout: float = BUILD_TIMEOUT_S) -> tuple[int | None, str, str, float]:
    started = time.monotonic()
    code, out, err = finish(start(args, log_dir, name), timeout)
    return code, out, err, time.monotonic() - started


INJECTED = "PUBLISHED written, CURRENT not"
# A full build that SIGKILLs itself between writing PUBLISHED and CURRENT
# (store.publish writes them one after the other, microseconds apart: no
# poll from outside lands there).
INJECT = """
import os, signal, sys
from pathlib import Path
from indexer import store
from indexer.build import build_index
replace = store._replace_text
def dying(path, text):
    if path.name == store.CURRENT:
        os.kill(os.getpid(), signal.SIGKILL)
    replace(path, text)
store._replace_text = dying
build_index(Path(sys.argv[1]), Path(sys.argv[2]), full=True)
"""


def start_python(code: str, args, log_dir: Path, name: str) -> subprocess.Popen:
    """``code`` run by the project's Python, as start() runs ``tracuu``."""
    return start(["-c", code, *args], log_dir, name)


def kill_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # its own group: start_new_session
        except ProcessLookupError:
            pass


def cleanup() -> None:
    for process in _started:
        kill_group(process)


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent, start time) of ``pid``, None when there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[19])


def alive(pid: int, started: int) -> bool:
    """``pid`` runs and is the process seen (not a reuse of its number);
    a zombie has ended."""
    info = _stat(pid)
    return info is not None and info[0] not in "ZX" and info[2] == started


def descendants(pid: int) -> dict[int, tuple[int, bytes]]:
    """pid → (start time, kind) of the live processes under ``pid``; kind:
    b"worker", b"tracker" or b"other"."""
    found = {}
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                info = _stat(child)
                if info is None or info[0] in "ZX" or child in found:
                    continue
                try:
                    cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
                except OSError:
                    cmdline = b""
                kind = b"worker" if WORKER_MARK in cmdline else b"tracker" if TRACKER_MARK in cmdline else b"other"
                found[child] = (info[2], kind)
                todo.append(child)
    return found


def wait_gone(processes: dict[int, tuple[int, bytes]], since: float, limit: float = GONE_WITHIN_S) -> tuple[bool, float, list]:
    """Whether every process in ``processes`` ended within ``limit`` s of
    ``since``; when the last ended (s after ``since``), who is left."""
    deadline = since + limit
    while True:
        left = [(pid, kind.decode()) for pid, (begun, kind) in processes.items() if alive(pid, begun)]
        now = time.monotonic()
        if not left:
            return True, now - since, []
        if now > deadline:
            return False, now - since, left
        time.sleep(0.005)


def read_locks() -> tuple[str, list[int]]:
    """/proc/locks, and the size of each read() it took: the kernel lists
    it consistently within one read() (at most a page), not across reads."""
    chunks = []
    fd = os.open("/proc/locks", os.O_RDONLY)
    try:
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("ascii", "replace"), [len(c) for c in chunks]


def lock_holders(lock: Path, text: str | None = None) -> tuple[list[int], list[int]]:
    """PIDs holding and waiting for the flock of ``lock``, from /proc/locks."""
    try:
        info = lock.stat()
        lines = (read_locks()[0] if text is None else text).splitlines()
    except OSError:
        return [], []
    device = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    holding, waiting = [], []
    for line in lines:
        match = re.match(r"\d+:\s+(->\s+)?FLOCK\s+\S+\s+\S+\s+(\d+)\s+([0-9a-f]+:[0-9a-f]+:\d+)\s", line)
        if match and match.group(3) == device:
            (waiting if match.group(1) else holding).append(int(match.group(2)))
    return holding, waiting


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dead_pid() -> int:
    """A PID no process has."""
    limit = int(Path("/proc/sys/kernel/pid_max").read_text())
    for pid in range(limit - 1, 300, -1):
        if not Path(f"/proc/{pid}").exists():
            return pid
    raise RuntimeError("no free PID")


# ------------------------------------------------------------ the table


@dataclass
class Row:
    held: int = 0
    total: int = 0
    values: list[float] = field(default_factory=list)
    unit: str = ""


class Table:
    def __init__(self):
        self.rows: dict[tuple[str, str], Row] = {}
        self.failures: list[str] = []
        self.notes: list[str] = []

    def check(self, scenario: str, what: str, ok: bool, detail: str = "", value: float | None = None, unit: str = ""):
        row = self.rows.setdefault((scenario, what), Row())
        row.total += 1
        row.held += bool(ok)
        if value is not None:
            row.values.append(value)
            row.unit = unit
        if not ok:
            self.failures.append(f"[{scenario}] {what}: {detail or 'did not hold'}")
        return ok

    def print(self) -> None:
        lines = [("Scenario", "Check", "Held", "Median")]
        for (scenario, what), row in self.rows.items():
            lines.append((scenario, what, f"{row.held}/{row.total}", _figure(row)))
        widths = [max(len(line[i]) for line in lines) for i in range(4)]
        rule = "  ".join("-" * w for w in widths)
        print(rule)
        last = None
        for n, line in enumerate(lines):
            shown = list(line)
            if n and line[0] == last:
                shown[0] = ""
            last = line[0] if n else None
            print("  ".join(c.ljust(w) for c, w in zip(shown, widths)).rstrip())
            if n == 0:
                print(rule)
        print(rule)
        held = sum(r.held for r in self.rows.values())
        total = sum(r.total for r in self.rows.values())
        print(f"{held}/{total} checks held.")
        for note in self.notes:
            print(f"Note: {note}")
        if self.failures:
            print("\nDid not hold (times, then the first case):")
            grouped: dict[str, list[str]] = {}
            for failure in self.failures:
                key, _, detail = failure.partition(": ")
                grouped.setdefault(key, []).append(detail)
            for key, details in grouped.items():
                print(f"  - {key}: {len(details)}×; {details[0]}")


def _figure(row: Row) -> str:
    if not row.values:
        return ""
    value = statistics.median(row.values)
    if row.unit == "ms":
        return f"{value * 1000:.0f} ms"
    if row.unit == "s":
        return f"{value:.1f} s"
    return f"{value:g} {row.unit}".strip()


# ------------------------------------------------------------ corpus and references


class Corpus:
    """The working corpus, in state "A" (as generated) or "B" (one
    document holds PROBE_SENTENCE)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.edited = sorted(folder.glob("gen*.txt"))[len(list(folder.glob("gen*.txt"))) // 2]
        self.texts = {"A": self.edited.read_bytes()}
        self.texts["B"] = _with_probe(self.texts["A"].decode("utf-8")).encode("utf-8")
        self.hashes = {state: hashlib.sha256(data).hexdigest() for state, data in self.texts.items()}
        self.state = "A"

    def set(self, state: str) -> None:
        self.edited.write_bytes(self.texts[state])
        self.state = state

    @staticmethod
    def other(state: str) -> str:
        return "B" if state == "A" else "A"

    def live_state(self, root: Path) -> str | None:
        """The state the live index of ``root`` was built from, None when
        there is none or it is neither."""
        try:
            record = store.open_catalog(root).files().get(self.edited.name)
        except (store.IndexMissing, KeyError, ValueError, sqlite3.Error):
            return None
        for state, digest in self.hashes.items():
            if record is not None and record.sha256 == digest:
                return state
        return None


def _with_probe(text: str) -> str:
    """The text with PROBE_SENTENCE opening the first paragraph under a
    numbered heading (the section count does not change)."""
    lines = text.split("\n")
    heading = re.compile(r"^(\d+(\.\d+)*|[IVX]+)\.\s+\S")
    for i, line in enumerate(lines):
        if re.match(r"^\d+(\.\d+)*\.\s+\S", line):
            for j in range(i + 1, len(lines)):
                if lines[j].strip() and not heading.match(lines[j]) and not lines[j].startswith("-"):
                    lines[j] = f"{PROBE_SENTENCE} {lines[j]}"
                    return "\n".join(lines)
    raise SystemExit("no paragraph under a numbered heading to edit")


_search_lock = threading.Lock()


def answers(root: Path, deep: bool = False) -> dict:
    """What the live index of ``root`` holds, as the equivalence tests
    compare it."""
    from search_app.search import search_page
    from tests.index_digest import catalog_digest, index_digest

    opened = store.open_current(root)
    found = {"catalog": catalog_digest(opened.catalog.as_dict())}
    with _search_lock:
        for text in QUERIES:
            page = search_page(opened, text, per_page=100)
            found[text] = (
                page.total,
                sorted((p.doc_id, p.section_id) for p in page.passages),
                {name: sorted(values, key=str) for name, values in page.facets.items()},
            )
    with opened.index.searcher() as searcher:
        found["live sections"] = searcher.doc_count()
    if deep:
        found["digest"] = index_digest(root)["sections"]
    return found


def differences(got: dict, want: dict) -> str:
    keys = [k for k in want if got.get(k) != want[k]]
    return "differs in " + ", ".join(map(str, keys)) if keys else ""


def _ranking_difference(found, expected) -> str:
    if found is None:
        return "no JSON answer"
    if found[0] != expected[0]:
        return f"{found[0]} sections, expected {expected[0]}"
    for rank, (got, want) in enumerate(zip(found[1], expected[1]), 1):
        if got != want:
            return f"same total ({found[0]}), order differs from rank {rank}: {got} where {want} was expected"
    return "the results differ"


def cli_answer(root: Path, text: str, log_dir: Path) -> tuple[int | None, object, str]:
    """`tracuu search --json`: exit status, (total, [doc_id#section_id]), stderr."""
    code, out, err, _ = run(["search", text, "--json", "--limit", "20", "--index-dir", root], log_dir, "search", SEARCH_TIMEOUT_S)
    try:
        data = json.loads(out)
        found = (data["total"], [f"{r['doc_id']}#{r['section_id']}" for r in data["results"]])
    except (ValueError, KeyError, TypeError):
        found = None
    return code, found, err


def generations(root: Path) -> set[str]:
    return {p.name for p in root.glob("gen-*") if p.is_dir()}


def published(root: Path) -> list[str]:
    try:
        return (root / store.PUBLISHED).read_text(encoding="utf-8").split()
    except OSError:
        return []


def live(root: Path) -> str:
    try:
        return store.pointer(root)
    except store.IndexMissing:
        return ""


# ------------------------------------------------------------ the bench


class Bench:
    def __init__(self, args, work: Path, table: Table):
        self.args = args
        self.work = work
        self.logs = work / "logs"
        self.table = table
        self.corpus: Corpus | None = None
        self.root = work / "index"
        self.reference: dict[str, dict] = {}
        self.cli_reference: dict[tuple[str, str], object] = {}

    # ---------------------------------------------- set-up

    def prepare(self) -> None:
        folder = self.work / "corpus"
        started = time.monotonic()
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate_corpus.py"), str(folder),
             "--sections", str(self.args.sections), "--seed", str(self.args.seed)],
            check=True, stdout=subprocess.DEVNULL, timeout=BUILD_TIMEOUT_S,
        )  # fmt: skip
        self.corpus = Corpus(folder)
        for state in ("B", "A"):  # clean full builds, each into a root of its own
            self.corpus.set(state)
            ref = self.work / f"reference-{state}"
            code, out, err, seconds = run(["index", folder, "--index-dir", ref, "--full"], self.logs, f"ref-{state}")
            if code != 0:
                raise SystemExit(f"the reference build of state {state} failed ({code}): {err}")
            self.reference[state] = answers(ref, self.args.deep)
            for text in CLI_QUERIES:
                code, found, err = cli_answer(ref, text, self.logs)
                if code != 0 or found is None:
                    raise SystemExit(f"`tracuu search` on the reference failed: {err}")
                self.cli_reference[state, text] = found
            self.build_seconds = seconds
        if self.reference["A"][PROBE_WORD][0] != 0 or self.reference["B"][PROBE_WORD][0] < 1:
            raise SystemExit("the probe word is not where it should be")
        shutil.copytree(self.work / "reference-A", self.root)  # the working index: state A, built from this folder
        print(
            f"Corpus: {self.args.sections} sections, {len(list(folder.glob('gen*.txt')))} files "
            f"(edited between states: {self.corpus.edited.name}); a full build takes {self.build_seconds:.1f} s; "
            f"set-up {time.monotonic() - started:.0f} s.",
            flush=True,
        )

    def settle(self, state: str) -> None:
        """The corpus in ``state`` and the working index built from it."""
        self.corpus.set(state)
        if self.corpus.live_state(self.root) != state or generations(self.root) - set(published(self.root)) - {live(self.root)}:
            code, out, err, _ = run(["index", self.corpus.folder, "--index-dir", self.root], self.logs, "settle")
            if code != 0 or self.corpus.live_state(self.root) != state:
                raise SystemExit(f"could not bring the index to state {state} ({code}): {err}")

    def same_as_reference(self, scenario: str, what: str, state: str, root: Path | None = None) -> None:
        got = answers(root or self.root, self.args.deep)
        problem = differences(got, self.reference[state])
        self.table.check(scenario, what, not problem, problem)

    def cli_answers(self) -> dict:
        """`tracuu search --json` of each CLI query on the working index:
        query → (exit status, (total, ranked sections), stderr)."""
        return {text: cli_answer(self.root, text, self.logs) for text in CLI_QUERIES}

    def cli_is(self, scenario: str, what: str, expected: dict, one_line_warning: bool = False) -> None:
        """`tracuu search` exits 0 and answers exactly as ``expected`` (query →
        (total, ranked sections)); with ``one_line_warning``, it says in one
        line that the index is damaged."""
        problems, said = [], []
        for text, (code, found, err) in self.cli_answers().items():
            if code != 0:
                problems.append(f"{text!r}: exit {code}: {err.strip()[-300:]}")
            elif found != expected[text]:
                problems.append(f"{text!r}: {_ranking_difference(found, expected[text])}")
            lines = err.strip().splitlines()
            if len(lines) != 1 or "bị hỏng" not in err or "Traceback" in err:
                said.append(f"{text!r}: stderr {err.strip()[:400]!r}")
        self.table.check(scenario, what, not problems, "; ".join(problems))
        if one_line_warning:
            self.table.check(scenario, "`tracuu search` says it in one line, no traceback", not said, "; ".join(said))

    def answers_now(self) -> dict:
        """The CLI queries' answers of the live index, asked now."""
        found = {}
        for text, (code, answer, err) in self.cli_answers().items():
            if code != 0 or answer is None:
                raise SystemExit(f"`tracuu search` failed before the fault ({code}): {err[-300:]}")
            found[text] = answer
        return found

    # ---------------------------------------------- 1 and 2: killing a build

    def watch(self, process: subprocess.Popen, before: set[str], trigger, spin_on: str = "") -> dict:
        """Watch a build until ``trigger(state)`` says so (or it exits);
        what was seen. With ``spin_on``, once the workers have come and
        gone, nothing but that file's appearance in the new generation is
        watched, without sleeping: the final commit lasts a few ms."""
        seen: dict[int, tuple[int, bytes]] = {}
        first_writer = None
        had_workers = False
        while process.poll() is None:
            news = generations(self.root) - before
            files: set[str] = set()
            for name in news:
                try:
                    files |= set(os.listdir(self.root / name))
                except OSError:
                    pass
            now_running = descendants(process.pid)
            seen.update(now_running)
            workers = sum(1 for _, kind in now_running.values() if kind == b"worker")
            had_workers = had_workers or workers > 0
            if first_writer is None and files - {"_MAIN_0.toc"}:
                first_writer = time.monotonic()
            state = {"files": files, "workers": workers, "first_writer": first_writer, "seen": seen}
            if trigger(state):
                state["at"] = time.monotonic()
                return state
            if spin_on and had_workers and not workers and len(news) == 1:
                target = str(self.root / next(iter(news)) / spin_on)
                while not os.path.exists(target):
                    if process.poll() is not None:
                        break
                else:
                    state["at"] = time.monotonic()
                    state["files"] = set(os.listdir(self.root / next(iter(news))))
                    return state
            time.sleep(0.02 if workers else 0.0005)
        return {"files": set(), "workers": 0, "seen": seen, "at": None}

    def kill_runs(self, runs: int) -> None:
        phases = {
            "workers reading": (
                lambda s: s["workers"] > 0 and s["first_writer"] is not None and time.monotonic() - s["first_writer"] >= 0.3
            ),
            "commit": "MAIN_WRITELOCK",
            "catalog/publish": CATALOG_BEING_WRITTEN,
        }
        for n in range(runs):
            for phase, trigger in phases.items():
                self.kill_once(f"1 kill -9 · {phase}", phase, trigger)
            self.kill_once("1 kill -9 · PUBLISHED written, not CURRENT", INJECTED, None)

    def kill_once(self, scenario: str, phase: str, trigger) -> None:
        t = self.table
        previous_state = self.corpus.live_state(self.root) or "A"
        self.settle(previous_state)
        before_live, before_gens = live(self.root), generations(self.root)
        before_answers = self.answers_now()
        state = self.corpus.other(previous_state)
        self.corpus.set(state)
        if trigger is None:  # the build kills itself at the instant (INJECT)
            build = start_python(INJECT, [self.corpus.folder, self.root], self.logs, "injected")
            seen = self.watch(build, before_gens, lambda s: False)
            code, _, err = finish(build, BUILD_TIMEOUT_S)
            killed_at = time.monotonic()
            if code != -signal.SIGKILL:
                t.check(scenario, "kill landed in the phase", False, f"the build was not killed (exit {code}): {err[-300:]}")
                return
        else:
            build = start(["index", self.corpus.folder, "--index-dir", self.root, "--full"], self.logs, "killed")
            if isinstance(trigger, str):  # a file of the new generation
                seen = self.watch(build, before_gens, lambda s, name=trigger: name in s["files"], spin_on=trigger)
            else:
                seen = self.watch(build, before_gens, trigger)
            if seen["at"] is None:
                code, out, err = finish(build, 60)
                t.check(scenario, "kill landed in the phase", False, f"the build ended ({code}) before the trigger: {err[-300:]}")
                return
            os.kill(build.pid, signal.SIGKILL)
            killed_at = seen["at"]
        processes = dict(seen["seen"])
        processes.update(descendants(build.pid))
        finish(build, 30)
        news = generations(self.root) - before_gens
        left = set()
        for name in news:
            left |= set(os.listdir(self.root / name)) if (self.root / name).is_dir() else set()
        landed = _landing(left, seen["workers"], live(self.root) != before_live)
        if trigger is None and landed == "catalog/publish" and news & set(published(self.root)):
            landed = INJECTED
        t.check(scenario, "kill landed in the phase", landed == phase, f"landed in {landed!r}; left {sorted(left)}",
                killed_at - build.started_at, "s")  # fmt: skip
        t.check(scenario, "live index (CURRENT) is the previous one", live(self.root) == before_live,
                f"CURRENT {live(self.root)!r}, was {before_live!r}")  # fmt: skip
        gone, after, still = wait_gone(processes, killed_at)
        workers = sum(1 for _, kind in processes.values() if kind == b"worker")
        t.check(scenario, f"build's processes gone ≤ {GONE_WITHIN_S:g} s", gone,
                f"still alive after {after:.1f} s: {still}", after, "ms")  # fmt: skip
        if phase == "workers reading":
            t.check(scenario, "workers were running at the kill", workers > 0, f"{workers} seen")
        self.cli_is(scenario, "`tracuu search` exit 0, same answers as before", before_answers)
        code, out, err, seconds = run(["index", self.corpus.folder, "--index-dir", self.root], self.logs, "after-kill")
        t.check(scenario, "next `tracuu index` exit 0", code == 0, f"exit {code}: {err[-300:]}", seconds, "s")
        self.same_as_reference(scenario, "next index = clean full build", state)
        on_disk = generations(self.root)
        t.check(scenario, "killed build's folder removed", not (news & on_disk) and on_disk == set(published(self.root)),
                f"on disk {sorted(on_disk)}, published {published(self.root)}")  # fmt: skip
        # Readers (a server warming the new generation) were on the one live
        # before the next build: it must stay, as the one before the live one.
        t.check(scenario, "generation live before the next build kept", published(self.root)[-2:-1] == [before_live],
                f"{before_live} was live until the next build published {live(self.root)}; PUBLISHED now "
                f"{published(self.root)}, on disk {sorted(on_disk)}")  # fmt: skip

    def interrupt_runs(self, runs: int) -> None:
        t = self.table
        scenario = "2 Ctrl+C (SIGINT to group)"
        for n in range(runs):
            previous_state = self.corpus.live_state(self.root) or "A"
            self.settle(previous_state)
            before_live, before_gens = live(self.root), generations(self.root)
            self.corpus.set(self.corpus.other(previous_state))
            build = start(["index", self.corpus.folder, "--index-dir", self.root, "--full"], self.logs, "interrupted")
            seen = self.watch(
                build, before_gens,
                lambda s: s["workers"] > 0 and s["first_writer"] is not None and time.monotonic() - s["first_writer"] >= 0.3,
            )  # fmt: skip
            if seen["at"] is None:
                code, out, err = finish(build, 60)
                t.check(scenario, "exit status 130", False, f"the build ended ({code}) before its workers read: {err[-300:]}")
                continue
            processes = dict(seen["seen"])
            processes.update(descendants(build.pid))
            sent = time.monotonic()
            os.killpg(build.pid, signal.SIGINT)  # what a terminal sends to the foreground group
            code, out, err = finish(build, 60)
            t.check(scenario, "exit status 130", code == 130, f"exit {code}: {err[-300:]}", time.monotonic() - sent, "s")
            t.check(scenario, "says the live index is unchanged, no traceback",
                    INTERRUPTED in err and "Traceback" not in err, f"stderr: {err[-400:]!r}")  # fmt: skip
            gone, after, still = wait_gone(processes, sent)
            workers = sum(1 for _, kind in processes.values() if kind == b"worker")
            t.check(scenario, f"workers gone ≤ {GONE_WITHIN_S:g} s", gone and workers > 0,
                    f"{workers} workers seen; alive after {after:.1f} s: {still}", after, "ms")  # fmt: skip
            t.check(scenario, "CURRENT and generations unchanged",
                    live(self.root) == before_live and generations(self.root) == before_gens,
                    f"CURRENT {live(self.root)} (was {before_live}); gens {sorted(generations(self.root))} (were {sorted(before_gens)})")  # fmt: skip

    # ---------------------------------------------- 3: two builds at once

    def together_runs(self, runs: int) -> None:
        t = self.table
        scenario = "3 two builds at once"
        for n in range(runs):
            first_state = self.corpus.live_state(self.root) or "A"
            self.settle(first_state)
            final_state = self.corpus.other(first_state)
            lock = self.root / store.LOCK
            monitor = _Monitor(self.root, lock)
            reader = _Reader(self.root)
            monitor.start()
            reader.start()
            before = generations(self.root)
            full = start(["index", self.corpus.folder, "--index-dir", self.root, "--full"], self.logs, "together-full")
            _wait_for(lambda: generations(self.root) - before or full.poll() is not None, 120)
            planned_first = bool(generations(self.root) - before) and full.poll() is None
            self.corpus.set(final_state)  # one file changes between the two
            second = start(["index", self.corpus.folder, "--index-dir", self.root], self.logs, "together-incremental")
            refused = start(["index", self.corpus.folder, "--index-dir", self.root, "--no-wait"], self.logs, "together-no-wait")
            refused_code, _, refused_err = finish(refused, 120)
            full_code, full_out, full_err = finish(full, BUILD_TIMEOUT_S)
            second_code, second_out, second_err = finish(second, BUILD_TIMEOUT_S)
            time.sleep(0.3)
            reader.stop()
            monitor.stop()
            t.check(scenario, "the full build had planned before the change", planned_first,
                    "the full build ended before making its generation")  # fmt: skip
            t.check(scenario, "never two lock holders (/proc/locks, every 5 ms)",
                    monitor.max_holders == 1 and monitor.order[:2] == [full.pid, second.pid],
                    f"at most {monitor.max_holders} holders at once; holders in order {monitor.order} "
                    f"(full {full.pid}, incremental {second.pid}); /proc/locks then: {monitor.double[:1]}",
                    monitor.samples, "samples")  # fmt: skip
            t.check(scenario, "never two generations being built at once", not monitor.building,
                    f"{len(monitor.building)} samples, first {monitor.building[:1]}")  # fmt: skip
            wait_s = (monitor.took.get(second.pid, 0) - second.started_at) if second.pid in monitor.took else None
            t.check(scenario, "second waits, naming the first's PID",
                    f"Đang chờ tiến trình {full.pid}" in second_err,
                    f"stderr: {second_err[-300:]!r}", wait_s, "s")  # fmt: skip
            t.check(scenario, "--no-wait exits 1 naming the PID",
                    refused_code == 1 and str(full.pid) in refused_err and "Traceback" not in refused_err,
                    f"exit {refused_code}: {refused_err[-300:]!r}")  # fmt: skip
            t.check(scenario, "both exit 0; the second reads the changed file",
                    full_code == 0 and second_code == 0 and "sửa 1," in second_out,
                    f"full {full_code} {full_err[-200:]!r}; incremental {second_code} {second_out[-200:]!r} {second_err[-200:]!r}")  # fmt: skip
            self.same_as_reference(scenario, "final index = a build of the final corpus", final_state)
            t.check(scenario, "live and previous generations always on disk", not monitor.missing,
                    f"{len(monitor.missing)} samples, first: {monitor.missing[:3]}")  # fmt: skip
            t.check(scenario, "reader: every read whole, none lost its generation",
                    reader.reads > 0 and not reader.errors and not reader.lost,
                    f"{reader.reads} reads, errors {reader.errors[:3]}, generation gone mid-read {reader.lost[:3]}",
                    reader.reads, "reads")  # fmt: skip
            t.check(scenario, "two generations published, nothing else left",
                    generations(self.root) == set(published(self.root)) and len(published(self.root)) == store.KEEP_GENERATIONS,
                    f"on disk {sorted(generations(self.root))}, published {published(self.root)}")  # fmt: skip

    # ---------------------------------------------- 4: a server through two rebuilds

    def serve_runs(self, runs: int) -> None:
        t = self.table
        scenario = "4 serve through two rebuilds"
        for n in range(runs):
            old_state = self.corpus.live_state(self.root) or "A"
            self.settle(old_state)
            new_state = self.corpus.other(old_state)
            expected = {q: (self.reference[old_state][q][0], self.reference[new_state][q][0]) for q in QUERIES}
            port = free_port()
            server = start(["serve", "--index-dir", self.root, "--host", "127.0.0.1", "--port", port, "--threads", "4"],
                           self.logs, "serve")  # fmt: skip
            try:
                base = f"http://127.0.0.1:{port}"
                ready = _wait_for(lambda: _get(base, PROBE_WORD)[0] == 200 or server.poll() is not None, 180)
                if not ready or server.poll() is not None:
                    t.check(scenario, "server answers 200 only", False, f"the server did not start: {finish(server, 10)[2][-300:]}")
                    continue
                clients = [_Client(base, expected, seed) for seed in range(2)]
                for client in clients:
                    client.start()
                time.sleep(1.0)
                self.corpus.set(new_state)
                builds = [
                    start(["index", self.corpus.folder, "--index-dir", self.root, *extra], self.logs, "serve-build")
                    for extra in (("--full",), ())
                ]
                codes = [finish(b, BUILD_TIMEOUT_S)[0] for b in builds]
                built_at = time.monotonic()
                switched = _wait_for(
                    lambda: all(_get(base, q)[1] == expected[q][1] for q in QUERIES), 60, step=0.2
                )
                switch_s = time.monotonic() - built_at
                time.sleep(0.5)
                for client in clients:
                    client.stop()
                requests = sum(c.requests for c in clients)
                failures = [f for c in clients for f in c.failures]
                wrong = [w for c in clients for w in c.wrong]
                back = [b for c in clients for b in c.back]
                latencies = [ms for c in clients for ms in c.latencies]
                t.check(scenario, "both builds exit 0", codes == [0, 0], f"exit {codes}")
                t.check(scenario, "answers other than 200: none", requests > 0 and not failures,
                        f"{len(failures)} of {requests}: {failures[:3]}", requests, "requests")  # fmt: skip
                t.check(scenario, "every total the old corpus's or the new one's", not wrong,
                        f"{len(wrong)} of {requests}: {wrong[:3]}",
                        statistics.median(latencies) / 1000 if latencies else None, "ms")  # fmt: skip
                t.check(scenario, "a client never goes back to the old index", not back, f"{back[:3]}")
                t.check(scenario, "serves the new corpus after the builds", bool(switched),
                        "still not the new totals 60 s after the builds", switch_s, "s")  # fmt: skip
            finally:
                kill_group(server)
                finish(server, 30)
        t.notes.append("row '4 … every total': the median figure is the answers' p50 latency during the run.")

    # ---------------------------------------------- 5: a stale lock

    def stale_lock_runs(self, runs: int) -> None:
        t = self.table
        scenario = "5 stale lock (dead PID)"
        for n in range(runs):
            for extra, what in ((["--no-wait"], "--no-wait build exit 0"), ([], "waiting build does not wait")):
                state = self.corpus.other(self.corpus.live_state(self.root) or "B")
                self.settle(self.corpus.other(state))
                pid = dead_pid()
                (self.root / store.LOCK).write_text(f"{pid}\n", encoding="ascii")  # no flock held
                before = live(self.root)
                self.corpus.set(state)
                code, out, err, seconds = run(["index", self.corpus.folder, "--index-dir", self.root, *extra], self.logs, "stale", 120)
                t.check(scenario, what, code == 0 and "Đang chờ" not in err and live(self.root) != before,
                        f"exit {code}, stderr {err[-300:]!r}, CURRENT {'changed' if live(self.root) != before else 'unchanged'}",
                        seconds, "s")  # fmt: skip
                self.same_as_reference(scenario, "index = clean full build", state)

    # ---------------------------------------------- 6: a damaged segment

    def damage_runs(self, runs: int) -> None:
        t = self.table
        scenario = "6 truncated live segment"
        for n in range(runs):
            previous_state = self.corpus.live_state(self.root) or "A"
            self.settle(previous_state)
            before_answers = self.answers_now()  # of the generation that becomes the previous one
            state = self.corpus.other(previous_state)
            self.corpus.set(state)
            code, out, err, _ = run(["index", self.corpus.folder, "--index-dir", self.root, "--full"], self.logs, "damage-full")
            if code != 0:
                t.check(scenario, "set-up: full build", False, f"exit {code}: {err[-300:]}")
                continue
            generation = self.root / live(self.root)
            own = [p for p in generation.glob("*.seg") if p.stat().st_nlink == 1]
            if not own:
                t.check(scenario, "set-up: a segment of the live generation alone", False, "every segment is shared")
                continue
            segment = max(own, key=lambda p: p.stat().st_size)
            os.truncate(segment, segment.stat().st_size // 2)
            self.cli_is(scenario, "`tracuu search` exit 0, previous generation's answers", before_answers, one_line_warning=True)
            code, out, err, seconds = run(["index", self.corpus.folder, "--index-dir", self.root], self.logs, "damage-next")
            t.check(scenario, "next `tracuu index` is full and says why",
                    code == 0 and "Lập lại toàn bộ chỉ mục (chỉ mục hiện tại bị hỏng" in out,
                    f"exit {code}: {out[-300:]!r} {err[-300:]!r}", seconds, "s")  # fmt: skip
            self.same_as_reference(scenario, "rebuilt index = clean full build", state)


def _landing(files: set[str], workers: int, published_new: bool) -> str:
    """Where a kill landed, from what the generation folder holds after it."""
    if published_new:
        return "after publish"
    if CATALOG_BEING_WRITTEN in files or CATALOG in files or store.MANIFEST in files or f".{store.MANIFEST}.tmp" in files:
        return "catalog/publish"
    if any(f.endswith(".toc") and f != "_MAIN_0.toc" for f in files):
        return "between commit and catalog"
    if "MAIN_WRITELOCK" in files:
        return "commit"
    if workers:
        return "workers reading"
    return "main process, outside the workers"


def _wait_for(condition, timeout: float, step: float = 0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def _get(base: str, text: str) -> tuple[int, int | None]:
    """(HTTP status, total) of /api/search?q=text; status 0 for no answer."""
    url = f"{base}/api/search?" + urllib.parse.urlencode({"q": text})
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, json.loads(response.read())["total"]
    except urllib.error.HTTPError as error:
        return error.code, None
    except (OSError, ValueError, KeyError):
        return 0, None


class _Thread(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self._halt = threading.Event()

    def stop(self):
        self._halt.set()
        self.join(timeout=120)


class _Client(_Thread):
    """Queries the server in a loop: status, whole answers, no going back."""

    def __init__(self, base: str, expected: dict, seed: int):
        super().__init__()
        self.base, self.expected, self.seed = base, expected, seed
        self.requests = 0
        self.failures: list[str] = []
        self.wrong: list[str] = []
        self.back: list[str] = []
        self.latencies: list[float] = []

    def run(self):
        queries = list(QUERIES)
        i = self.seed
        seen_new: set[str] = set()
        while not self._halt.is_set():
            text = queries[i % len(queries)]
            i += 1
            started = time.perf_counter()
            status, total = _get(self.base, text)
            self.latencies.append((time.perf_counter() - started) * 1000)
            self.requests += 1
            old, new = self.expected[text]
            if status != 200:
                self.failures.append(f"{text!r}: HTTP {status}")
            elif total not in (old, new):
                self.wrong.append(f"{text!r}: total {total}, old {old}, new {new}")
            elif old != new:
                if total == new:
                    seen_new.add(text)
                elif text in seen_new:
                    self.back.append(f"{text!r}: old total {old} after the new one")


class _Reader(_Thread):
    """Opens the live index as the server does and reads it, over and over."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = root
        self.reads = 0
        self.errors: list[str] = []
        self.lost: list[str] = []

    def run(self):
        from search_app.search import search_page

        while not self._halt.is_set():
            try:
                opened = store.open_current(self.root)
                with _search_lock:
                    for text in QUERIES[:3]:
                        search_page(opened, text, per_page=20)
                if not (self.root / opened.generation).is_dir():
                    self.lost.append(opened.generation)
                self.reads += 1
            except Exception as error:  # noqa: BLE001 - every failure is a finding
                self.errors.append(f"{type(error).__name__}: {error}")
            finally:
                opened = None


class _Monitor(_Thread):
    """Every 5 ms: the lock's holders (/proc/locks), and whether the live
    generation and the one published before it are on disk."""

    def __init__(self, root: Path, lock: Path):
        super().__init__()
        self.root, self.lock = root, lock
        self.samples = 0
        self.max_holders = 0
        self.order: list[int] = []
        self.took: dict[int, float] = {}
        self.missing: list[str] = []
        self.double: list[str] = []  # /proc/locks as read when it showed two holders
        self.building: list[list[str]] = []  # samples with two unpublished generations

    def run(self):
        while not self._halt.is_set():
            try:
                text, chunks = read_locks()
            except OSError:
                text, chunks = "", []
            holding, _ = lock_holders(self.lock, text)
            self.max_holders = max(self.max_holders, len(holding))
            if len(holding) > 1 and len(self.double) < 3:
                self.double.append(f"read() sizes {chunks}: {text!r}")
            for pid in holding:
                if not self.order or self.order[-1] != pid:
                    self.order.append(pid)
                    self.took.setdefault(pid, time.monotonic())
            names = published(self.root)
            pointer = live(self.root)
            wanted = [n for n in {pointer, *names[-2:]} if n]
            gone = [n for n in wanted if not (self.root / n).is_dir()]
            if gone and published(self.root) == names and live(self.root) == pointer:
                self.missing.append(f"{gone} (CURRENT {pointer}, PUBLISHED {names})")
            # What the lock is for: one build at a time making a generation.
            building = generations(self.root) - set(names) - {pointer}
            if len(building) > 1 and published(self.root) == names:
                self.building.append(sorted(building))
            self.samples += 1
            time.sleep(0.005)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="times each scenario runs (default 3)")
    ap.add_argument("--sections", type=int, default=3000, help="sections of the generated corpus (default 3000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default="1,2,3,4,5,6", help="scenarios to run, e.g. 1,3")
    ap.add_argument("--deep", action="store_true", help="also compare per-section postings digests (slow)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, indexes)")
    args = ap.parse_args(argv)
    wanted = {int(s) for s in args.only.split(",") if s.strip()}

    atexit.register(cleanup)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="tracuu-faults-"))
    table = Table()
    bench = Bench(args, work, table)
    started = time.monotonic()
    try:
        bench.prepare()
        steps = [
            (1, bench.kill_runs), (2, bench.interrupt_runs), (3, bench.together_runs),
            (4, bench.serve_runs), (5, bench.stale_lock_runs), (6, bench.damage_runs),
        ]  # fmt: skip
        for number, step in steps:
            if number in wanted:
                begun = time.monotonic()
                step(args.runs)
                print(f"Scenario {number}: {time.monotonic() - begun:.0f} s", flush=True)
    except KeyboardInterrupt:
        print("\nInterrupted: the table holds the runs done so far.", file=sys.stderr)
    finally:
        cleanup()
        print(f"\n{args.runs} run(s) each, {args.sections} sections, {time.monotonic() - started:.0f} s in all.\n")
        table.print()
        if args.keep:
            print(f"\nKept {work} (logs in {work / 'logs'}).")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if table.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
