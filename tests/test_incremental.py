"""Incremental indexing (`tracuu index` without --full): after files are added,
changed or removed, the index and the catalog equal a full rebuild's, and
what depends on other documents (a number inferred from a citer, the links
between documents) follows the change."""

import shutil
import threading
import time

import pytest

from indexer import store
from indexer.build import build_index
from indexer.store import open_current
from search_app.cli import main
from search_app import indexes
from search_app.indexes import IndexHolder
from search_app.search import search_page

from .conftest import CORPUS
from .index_digest import index_digest

QUERIES = ("dân vận", "dan van kheo", "69-KL/TU", "kết luận 69", "giao lưu kết nghĩa", "DTTS", "công tác")
NUMBERED = "000_8b1cbe83c3de1fbc"  # takes its number, 69-KL/TU, from its citer
CITER = "001_b7d788ee9d07cfc0"


def _results(root):
    opened = open_current(root)
    found = {}
    for text in QUERIES:
        page = search_page(opened, text, per_page=100)
        found[text] = (
            page.total,
            sorted((p.doc_id, p.section_id) for p in page.passages),
            {name: sorted(values, key=str) for name, values in page.facets.items()},
        )
    return found


def _assert_equals_full_rebuild(corpus, root, tmp_path):
    full = tmp_path / "full"
    shutil.rmtree(full, ignore_errors=True)
    build_index(corpus, full, full=True)
    assert index_digest(root) == index_digest(full)
    assert _results(root) == _results(full)


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_added_file(corpus, tmp_path):
    root = tmp_path / "index"
    moved = tmp_path / "004.txt"
    shutil.move(corpus / "004_18f6aac5861878d1.txt", moved)
    build_index(corpus, root)
    shutil.move(moved, corpus / "004_18f6aac5861878d1.txt")
    report = build_index(corpus, root)
    assert (report.full_reason, report.added, report.changed, report.removed, report.unchanged) == ("", 1, 0, 0, 4)
    _assert_equals_full_rebuild(corpus, root, tmp_path)


def test_changed_and_removed_files(corpus, tmp_path):
    root = tmp_path / "index"
    build_index(corpus, root)
    _edit(corpus / "003_064c99f8bc1e6bb7.txt", "giao lưu", "hợp tác")
    (corpus / "002_47ca4eed93e62be1.txt").unlink()
    report = build_index(corpus, root)
    assert (report.added, report.changed, report.removed, report.unchanged) == (0, 1, 1, 3)
    assert report.documents == 4
    _assert_equals_full_rebuild(corpus, root, tmp_path)
    with store.open_current(root).index.searcher() as searcher:
        assert searcher.doc_count() == store.open_catalog(root).fact("sections")


def test_a_changed_sidecar_counts_as_a_changed_document(corpus, tmp_path):
    root = tmp_path / "index"
    build_index(corpus, root)
    (corpus / "003_064c99f8bc1e6bb7.meta.toml").write_text('province = "Lai Châu"\n', encoding="utf-8")
    report = build_index(corpus, root)
    assert (report.changed, report.unchanged) == (1, 4)
    assert open_current(root).documents["003_064c99f8bc1e6bb7"]["sources"]["province"] == "sidecar"
    _assert_equals_full_rebuild(corpus, root, tmp_path)


def test_the_citer_giving_a_number_changes_then_comes_back(corpus, tmp_path):
    root = tmp_path / "index"
    build_index(corpus, root)
    assert open_current(root).documents[NUMBERED]["number"] == "69-KL/TU"
    citer = corpus / f"{CITER}.txt"
    original = citer.read_text(encoding="utf-8")
    # The citer now gives another number: the unchanged file takes it and is
    # indexed again.
    citer.write_text(original.replace("69-KL/TU", "96-KL/TU").replace("69 -KL/TU", "96-KL/TU"), encoding="utf-8")
    report = build_index(corpus, root)
    assert (report.changed, report.reinferred) == (1, 1)
    assert open_current(root).documents[NUMBERED]["number"] == "96-KL/TU"
    assert search_page(open_current(root), "96-KL/TU").passages[0].doc_id == NUMBERED
    _assert_equals_full_rebuild(corpus, root, tmp_path)
    citer.write_text(original, encoding="utf-8")
    report = build_index(corpus, root)
    assert (report.changed, report.reinferred) == (1, 1)
    assert open_current(root).documents[NUMBERED]["number"] == "69-KL/TU"
    assert search_page(open_current(root), "69-KL/TU").passages[0].doc_id == NUMBERED
    _assert_equals_full_rebuild(corpus, root, tmp_path)


def test_removing_the_citer(corpus, tmp_path):
    root = tmp_path / "index"
    build_index(corpus, root)
    (corpus / f"{CITER}.txt").unlink()
    report = build_index(corpus, root)
    assert (report.removed, report.reinferred) == (1, 1)
    assert open_current(root).catalog.cited_by(NUMBERED) == []
    _assert_equals_full_rebuild(corpus, root, tmp_path)


def test_counts_are_printed(corpus, tmp_path, capsys):
    root = tmp_path / "index"
    assert main(["index", str(corpus), "--index-dir", str(root)]) == 0
    assert "Lập chỉ mục lần đầu." in capsys.readouterr().out  # not "again": there was none
    (corpus / "new.txt").write_text((CORPUS / "003_064c99f8bc1e6bb7.txt").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["index", str(corpus), "--index-dir", str(root)]) == 0
    assert "Thêm 1, sửa 0, xoá 0, giữ nguyên 5 văn bản." in capsys.readouterr().out
    assert main(["index", str(corpus), "--index-dir", str(root), "--full"]) == 0
    assert "Lập lại toàn bộ chỉ mục (yêu cầu lập lại toàn bộ)" in capsys.readouterr().out


def test_a_changed_data_file_means_a_full_rebuild(corpus, tmp_path, monkeypatch):
    root = tmp_path / "index"
    build_index(corpus, root)
    real = __import__("indexer.build", fromlist=["data_state"]).data_state
    monkeypatch.setattr("indexer.build.data_state", lambda: {**real(), "topics.toml": "edited"})
    assert build_index(corpus, root).full_reason == "topics.toml đã thay đổi"


def test_broken_files_stay_reported_and_are_read_again_once_fixed(corpus, tmp_path):
    root = tmp_path / "index"
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    build_index(corpus, root)
    report = build_index(corpus, root)
    assert {s.file for s in report.skipped} == {"empty.txt"} and report.unchanged == 6
    (corpus / "empty.txt").write_text((CORPUS / "003_064c99f8bc1e6bb7.txt").read_text(encoding="utf-8"), encoding="utf-8")
    report = build_index(corpus, root)
    assert (report.skipped, report.changed, report.documents) == ([], 1, 6)
    _assert_equals_full_rebuild(corpus, root, tmp_path)


def test_broken_files_are_reported_in_the_parallel_path(corpus, tmp_path):
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    (corpus / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (corpus / "legacy.txt").write_bytes("Th\xf4ng b\xe1o k\xea\xb8t lu\xb9n".encode("latin-1"))
    report = build_index(corpus, tmp_path / "index", workers=2)
    assert {s.file for s in report.skipped} == {"empty.txt", "picture.txt", "legacy.txt"}
    assert all(s.reason for s in report.skipped)
    assert report.documents == 5
    serial = build_index(corpus, tmp_path / "serial", workers=1)
    assert index_digest(tmp_path / "index") == index_digest(tmp_path / "serial")
    assert serial.skipped == report.skipped


def test_an_update_is_a_new_generation_readers_notice(corpus, tmp_path):
    root = tmp_path / "index"
    build_index(corpus, root)
    holder = IndexHolder(root)
    before = holder.get()
    search_page(before, "dân vận")  # fills the generation's caches (section rows)
    assert before.cache
    (corpus / "002_47ca4eed93e62be1.txt").unlink()
    build_index(corpus, root)
    after = holder.get()
    assert after is not before and after.generation != before.generation and not after.cache
    assert "002_47ca4eed93e62be1" not in after.documents
    assert all(p.doc_id != "002_47ca4eed93e62be1" for p in search_page(after, "dân vận", per_page=100).passages)
    # The old generation is untouched for a reader that still holds it.
    assert "002_47ca4eed93e62be1" in {p.doc_id for p in search_page(before, "dân vận", per_page=100).passages}


def test_a_full_rebuild_is_atomic(corpus, tmp_path, monkeypatch):
    root = tmp_path / "index"
    build_index(corpus, root)
    (corpus / "002_47ca4eed93e62be1.txt").unlink()
    seen = {}
    real_publish = store.publish

    def observed_publish(index_root, generation, *args, **kwargs):
        seen["before"] = len(open_current(index_root).catalog.documents)
        real_publish(index_root, generation, *args, **kwargs)
        seen["after"] = len(open_current(index_root).catalog.documents)

    monkeypatch.setattr(store, "publish", observed_publish)
    build_index(corpus, root, full=True)
    assert seen == {"before": 5, "after": 4}


def test_a_server_answers_from_the_old_generation_while_the_new_one_warms(corpus, tmp_path):
    root = tmp_path / "index"
    build_index(corpus, root)
    warming, release = threading.Event(), threading.Event()
    prepared = []

    def prepare(index):
        warming.set()
        assert release.wait(30)
        prepared.append(index.generation)

    holder = IndexHolder(root, prepare=prepare)
    before = holder.get()  # the first open does not wait for a warm-up
    (corpus / "002_47ca4eed93e62be1.txt").unlink()
    build_index(corpus, root)
    assert holder.get() is before  # notices the new generation, starts warming it
    assert warming.wait(30)
    assert holder.get() is before and "002_47ca4eed93e62be1" in holder.get().documents
    release.set()
    deadline = time.monotonic() + 30
    while holder.get() is before:
        assert time.monotonic() < deadline, "never switched to the new generation"
        time.sleep(0.01)
    after = holder.get()
    assert prepared == [after.generation] != [before.generation]
    assert "002_47ca4eed93e62be1" not in after.documents


def test_a_generation_that_cannot_be_opened_leaves_the_old_one_serving(corpus, tmp_path, caplog, monkeypatch):
    root = tmp_path / "index"
    build_index(corpus, root)
    tried = []

    def prepare(index):
        tried.append(index.generation)
        raise OSError("đĩa hỏng")

    holder = IndexHolder(root, prepare=prepare)
    before = holder.get()
    (corpus / "002_47ca4eed93e62be1.txt").unlink()
    build_index(corpus, root)
    assert holder.get() is before
    deadline = time.monotonic() + 30
    while "Could not open the index generation" not in caplog.text:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    for _ in range(3):
        assert holder.get() is before
    assert len(tried) == 1  # not tried again on every request
    assert search_page(holder.get(), "dân vận").total > 0
    monkeypatch.setattr(indexes, "RETRY_S", 0.0)
    while len(tried) < 2:  # but again after a while
        assert holder.get() is before
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_slow_warm_up_never_switches_back_to_an_older_generation(corpus, tmp_path):
    root = tmp_path / "index"
    build_index(corpus, root)
    release_first, started = threading.Event(), []

    def prepare(index):
        started.append(index.generation)
        if len(started) == 1:  # the first rebuild's warm-up is the slow one
            assert release_first.wait(30)

    holder = IndexHolder(root, prepare=prepare)
    before = holder.get()
    (corpus / "002_47ca4eed93e62be1.txt").unlink()
    build_index(corpus, root)
    holder.get()  # starts warming the first rebuild, which waits
    deadline = time.monotonic() + 30
    while not started:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    (corpus / "001_b7d788ee9d07cfc0.txt").unlink()
    build_index(corpus, root)
    newest = store.current_generation(root).name
    while holder.get().generation != newest:  # the second rebuild's warm-up is quick
        assert time.monotonic() < deadline, "never switched to the newest generation"
        time.sleep(0.01)
    release_first.set()
    while len(started) < 2 or any(t.name.startswith("open ") for t in threading.enumerate()):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert holder.get().generation == newest != before.generation
