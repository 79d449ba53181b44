"""Builds as a user's operations go wrong: two at once, a killed or
interrupted one, and a server given an index built from another folder."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer import store, workers
from indexer.build import build_index
from indexer.store import BuildLocked, build_lock, open_current
from search_app.cli import main

from .conftest import CORPUS
from .index_digest import index_digest

TRACUU = Path(sys.executable).with_name("tracuu")
SAMPLE = CORPUS / "003_064c99f8bc1e6bb7.txt"


def _tracuu(*argv, **options):
    return subprocess.Popen(
        [str(TRACUU), *map(str, argv)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **options
    )


def _wait_for(condition, timeout=60.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def _published(root):
    return (root / store.PUBLISHED).read_text(encoding="utf-8").split()


# ------------------------------------------------------------ two builds


def test_a_second_build_waits_for_the_first_and_publishes_the_newer_folder(corpus, tmp_path):
    root = tmp_path / "index"
    build_index(corpus, root)
    live = store.pointer(root)
    with build_lock(root):  # a build in progress
        second = _tracuu("index", corpus, "--index-dir", root)
        waiting = _wait_for(lambda: second.poll() is None and (root / store.LOCK).exists(), timeout=5)
        assert waiting
        time.sleep(3)  # pyvi's import and the plan would be done by now, were it not waiting
        assert second.poll() is None, "the second build did not wait"
        assert store.pointer(root) == live  # nothing published meanwhile
        # The folder changes while the first build holds the lock.
        (corpus / "extra.txt").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert f"Đang chờ tiến trình {os.getpid()} lập chỉ mục xong" in err
    # The build that published last read the folder last.
    assert "extra" in open_current(root).documents
    full = tmp_path / "full"
    build_index(corpus, full, full=True)
    assert index_digest(root) == index_digest(full)


def test_no_wait_names_the_build_holding_the_lock(corpus, tmp_path, capsys):
    root = tmp_path / "index"
    with build_lock(root):
        code = main(["index", str(corpus), "--index-dir", str(root), "--no-wait"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"tiến trình {os.getpid()} đang lập chỉ mục" in err
    assert not (root / store.CURRENT).exists()
    with pytest.raises(BuildLocked), build_lock(root), build_lock(root, wait=False):
        pass


def test_the_lock_of_a_killed_build_never_blocks(corpus, tmp_path):
    root = tmp_path / "index"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from indexer.store import build_lock\n"
         "with build_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(600)", str(root)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1],
    )
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(BuildLocked, match=str(holder.pid)):
        build_index(corpus, root, wait=False)
    holder.kill()
    holder.wait()
    holder.stdout.close()
    report = build_index(corpus, root, wait=False)
    assert report.documents == 5


def test_two_builds_started_together_publish_one_at_a_time(corpus, tmp_path):
    root = tmp_path / "index"
    build_index(corpus, root)
    reader = open_current(root)  # a server's searcher, opened before the builds
    searcher = reader.index.searcher()
    (corpus / "extra.txt").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    builds = [_tracuu("index", corpus, "--index-dir", root, *extra) for extra in ((), ("--full",))]
    outcomes = [b.communicate(timeout=180) for b in builds]
    assert [b.returncode for b in builds] == [0, 0], outcomes
    # Each published a generation of its own, one after the other.
    names = _published(root)
    assert len(names) == store.KEEP_GENERATIONS and all((root / n).is_dir() for n in names)
    assert sorted(p.name for p in root.glob("gen-*")) == sorted(names)
    full = tmp_path / "full"
    build_index(corpus, full, full=True)
    assert index_digest(root) == index_digest(full)
    with searcher:  # still readable: its files stay while open
        assert searcher.doc_count() == reader.catalog.fact("sections")
        assert len(list(searcher.documents(doc_id="003_064c99f8bc1e6bb7"))) > 1


# ------------------------------------------------------------ workers


def _workers_of(pid: int) -> list[int]:
    """Live child processes of ``pid`` that are multiprocessing workers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        state, parent = fields[0], int(fields[1])
        if parent == pid and state != "Z" and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def _alive(pids):
    alive = []
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if stat[stat.rindex(")") + 2] != "Z":
            alive.append(pid)
    return alive


@pytest.fixture
def big_corpus(tmp_path):
    """Enough text (over indexer.build.PARALLEL_MIN_BYTES) for worker processes."""
    folder = tmp_path / "big"
    folder.mkdir()
    for copy in range(12):
        for path in CORPUS.glob("*.txt"):
            shutil.copy(path, folder / f"{path.stem}_{copy}.txt")
    return folder


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_workers_end_when_the_build_is_killed(big_corpus, tmp_path):
    build = _tracuu("index", big_corpus, "--index-dir", tmp_path / "index")
    workers = _wait_for(lambda: _workers_of(build.pid), timeout=60)
    assert workers, build.communicate(timeout=120)
    build.kill()
    build.communicate(timeout=30)
    assert _wait_for(lambda: not _alive(workers), timeout=10), f"workers {_alive(workers)} outlived their parent"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_stops_the_workers_and_leaves_the_live_index(big_corpus, tmp_path):
    root = tmp_path / "index"
    build_index(CORPUS, root)
    live = store.pointer(root)
    build = _tracuu("index", big_corpus, "--index-dir", root, start_new_session=True)
    workers = _wait_for(lambda: _workers_of(build.pid), timeout=60)
    assert workers, build.communicate(timeout=120)
    os.killpg(build.pid, signal.SIGINT)  # what the terminal sends to the whole group
    _, err = build.communicate(timeout=30)
    assert build.returncode == 130, err
    assert "Đã dừng lập chỉ mục; chỉ mục đang dùng không thay đổi." in err
    assert "Traceback" not in err
    assert _wait_for(lambda: not _alive(workers), timeout=10)
    assert store.pointer(root) == live and [p.name for p in root.glob("gen-*")] == [live]


def test_ctrl_c_while_the_workers_start_is_not_lost(tmp_path, monkeypatch):
    """The workers start deaf to Ctrl+C; one pressed just then still stops the build."""
    started = []

    class Pool(workers.ProcessPoolExecutor):
        def submit(self, *args, **kwargs):
            future = super().submit(*args, **kwargs)
            started.extend(self._processes)
            if len(started) == 1:
                os.kill(os.getpid(), signal.SIGINT)  # between the first worker and the second
            return future

    monkeypatch.setattr(workers, "ProcessPoolExecutor", Pool)
    with pytest.raises(KeyboardInterrupt):
        workers.run_chunks(tmp_path, [[], []], 2, False, progress=None)
    assert len(set(started)) == 2, "the Ctrl+C must wait until the workers are started"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert _wait_for(lambda: not _alive(set(started)), timeout=10)


# ------------------------------------------------------------ serve


class _Server:
    served = 0

    def run(self):
        _Server.served += 1

    def close(self):
        pass


def test_serve_keeps_the_folder_the_index_was_built_from(tmp_path, make_corpus, monkeypatch, capsys):
    import waitress

    archive = make_corpus({"a.txt": SAMPLE.read_text(encoding="utf-8")})
    root = tmp_path / "index"
    assert main(["index", str(archive), "--index-dir", str(root)]) == 0
    live = store.pointer(root)
    monkeypatch.setattr(waitress, "create_server", lambda app, **options: _Server())
    assert main(["serve", "--index-dir", str(root), "--port", "5999"]) == 0
    assert store.pointer(root) == live  # not rebuilt from ./corpus
    assert set(open_current(root).documents) == {"a"}
    # That folder is the one watched: a change there is indexed.
    (archive / "b.txt").write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    capsys.readouterr()
    assert main(["serve", "--index-dir", str(root), "--port", "5999"]) == 0
    assert f"Lập chỉ mục từ {archive}" in capsys.readouterr().err
    assert set(open_current(root).documents) == {"a", "b"}


def test_serve_from_another_folder_only_when_told_and_says_it_is_smaller(tmp_path, make_corpus, monkeypatch, capsys):
    import waitress

    root = tmp_path / "index"
    assert main(["index", str(CORPUS), "--index-dir", str(root)]) == 0
    monkeypatch.setattr(waitress, "create_server", lambda app, **options: _Server())
    smaller = make_corpus({"a.txt": SAMPLE.read_text(encoding="utf-8")})
    capsys.readouterr()
    assert main(["serve", "--index-dir", str(root), "--corpus-dir", str(smaller), "--port", "5999"]) == 0
    err = capsys.readouterr().err
    assert "chỉ mục mới có 1 văn bản, ít hơn 5 văn bản của chỉ mục cũ" in err
    assert str(CORPUS.resolve()) in err


def test_serve_of_an_index_whose_folder_is_gone_serves_it(tmp_path, make_corpus, monkeypatch, capsys):
    import waitress

    archive = make_corpus({"a.txt": SAMPLE.read_text(encoding="utf-8")})
    root = tmp_path / "index"
    build_index(archive, root)
    live = store.pointer(root)
    shutil.rmtree(archive)
    monkeypatch.setattr(waitress, "create_server", lambda app, **options: _Server())
    assert main(["serve", "--index-dir", str(root), "--port", "5999"]) == 0
    assert "không còn thư mục văn bản" in capsys.readouterr().err
    assert store.pointer(root) == live and set(open_current(root).documents) == {"a"}


def test_a_build_killed_between_listing_and_switching_never_costs_the_rollback(corpus, tmp_path):
    root = tmp_path / "index"
    build_index(corpus, root)
    build_index(corpus, root, full=True)
    live = store.pointer(root)
    # A build killed after listing its generation as published, before
    # making it live: listed, whole, never live.
    never = root / "gen-99999999T999999-listed"
    shutil.copytree(root / live, never)
    (root / store.PUBLISHED).write_text("".join(f"{n}\n" for n in _published(root) + [never.name]))
    build_index(corpus, root, full=True)
    new = store.pointer(root)
    assert _published(root) == [live, new]  # the one live before is the rollback target
    assert sorted(p.name for p in root.glob("gen-*")) == sorted([live, new])
