"""A damaged index, and the generations a killed build leaves: the damage is
said in one line, an earlier sound generation is served, and the next build
is a full one by itself."""

import subprocess
import sys
import tempfile

import pytest

from indexer import store
from indexer.build import build_index
from indexer.catalog import CATALOG
from indexer.store import IndexDamaged, open_current
from search_app import create_app
from search_app.cli import main

from .conftest import CORPUS

SAMPLE = (CORPUS / "003_064c99f8bc1e6bb7.txt").read_text(encoding="utf-8")


def _truncate(path, keep=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def _segment(generation):
    """A segment of this generation alone: an incremental build hard-links
    the others to the previous generation's, and damage to one is to both."""
    return max(generation.glob("*.seg"), key=lambda p: (p.stat().st_nlink == 1, p.stat().st_size))


def _toc(generation):
    return next(generation.glob("_MAIN_*.toc"))


DAMAGE = {
    "truncated segment": lambda g: _truncate(_segment(g)),
    "truncated table of contents": lambda g: _truncate(_toc(g)),
    "truncated catalog": lambda g: _truncate(g / CATALOG),
    "missing catalog": lambda g: (g / CATALOG).unlink(),
    "overwritten catalog, same size": lambda g: _overwrite(g / CATALOG),
    "flipped byte": lambda g: _flip(_segment(g)),
}


def _overwrite(path, keep=100):
    """All but the first ``keep`` bytes (SQLite's header) overwritten: sizes still match."""
    data = path.read_bytes()
    path.write_bytes(data[:keep] + b"\xff" * (len(data) - keep))


def _flip(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _two_generations(corpus, root):
    """A previous published generation without extra.txt, a live one with it."""
    build_index(corpus, root)
    (corpus / "extra.txt").write_text(SAMPLE, encoding="utf-8")
    build_index(corpus, root)
    return store.current_generation(root)


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_live_generation_falls_back_to_the_previous_one(corpus, tmp_path, kind, capsys):
    root = tmp_path / "index"
    live = _two_generations(corpus, root)
    DAMAGE[kind](live)
    opened = open_current(root, deep=True)
    assert opened.generation != live.name and "extra" not in opened.documents
    assert "Chỉ mục mới nhất bị hỏng" in opened.warning
    # The server says so on its pages and answers from the sound one.
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    page = client.get("/?q=giao+lưu")
    assert page.status_code == 200
    assert "Chỉ mục mới nhất bị hỏng" in page.get_data(as_text=True)
    assert client.get("/api/search?q=giao+lưu").get_json()["total"] > 0
    # The command line too, in one line, without a traceback.
    capsys.readouterr()
    code = main(["search", "giao lưu", "--index-dir", str(root)])
    out, err = capsys.readouterr()
    if kind != "flipped byte":  # the command line checks sizes only: a flipped byte is the server's to find
        assert code == 0 and "kết quả" in out
        said = [line for line in err.splitlines() if line.strip()]
        if kind == "overwritten catalog, same size":  # found reading it, not by the SHA-256
            assert said == [f"Cảnh báo: {opened.warning}".replace(
                "tệp catalog.sqlite đã bị thay đổi (sai mã kiểm tra SHA-256)", "tệp catalog.sqlite hỏng, không đọc được"
            )]  # fmt: skip
        else:
            assert said == [f"Cảnh báo: {opened.warning}"]
    if kind == "truncated segment":  # as a process, where no test harness holds the log
        done = subprocess.run(
            [sys.executable, "-m", "search_app.cli", "search", "giao lưu", "--index-dir", str(root)],
            capture_output=True, text=True, timeout=300,
        )
        assert done.returncode == 0 and done.stderr.strip() == f"Cảnh báo: {opened.warning}"
    assert "Traceback" not in err
    # The next build reads every file, and the index is whole again.
    assert main(["index", str(corpus), "--index-dir", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Lập lại toàn bộ chỉ mục (chỉ mục hiện tại bị hỏng" in out
    again = open_current(root, deep=True)
    assert again.warning == "" and "extra" in again.documents


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_with_no_sound_generation_the_damage_is_said_not_a_500(corpus, tmp_path, kind, capsys):
    root = tmp_path / "index"
    build_index(corpus, root)
    DAMAGE[kind](store.current_generation(root))
    with pytest.raises(IndexDamaged):
        open_current(root, deep=True)
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    page = client.get("/?q=giao+lưu")
    assert page.status_code == 503 and "Dữ liệu tra cứu bị lỗi" in page.get_data(as_text=True)
    answer = client.get("/api/search?q=giao+lưu")
    assert answer.status_code == 503 and "bị hỏng" in answer.get_json()["error"]
    if kind != "flipped byte":
        code = main(["search", "giao lưu", "--index-dir", str(root)])
        err = capsys.readouterr().err
        assert code == 1 and err.count("\n") == 1 and "bị hỏng" in err


def test_serve_rebuilds_a_damaged_index_instead_of_a_traceback(corpus, tmp_path, monkeypatch, capsys):
    import waitress

    root = tmp_path / "index"
    build_index(corpus, root)
    (store.current_generation(root) / CATALOG).unlink()
    served = []

    class Server:
        def run(self):
            served.append(open_current(root, deep=True).warning)

        def close(self):
            pass

    monkeypatch.setattr(waitress, "create_server", lambda app, **options: Server())
    assert main(["serve", "--index-dir", str(root), "--corpus-dir", str(corpus), "--port", "5999"]) == 0
    assert served == [""]
    assert "chỉ mục bị hỏng" in capsys.readouterr().err


def test_cleanup_after_a_killed_build_keeps_the_published_previous_generation(corpus, tmp_path):
    root = tmp_path / "index"
    build_index(corpus, root)
    first = store.pointer(root)
    (corpus / "extra.txt").write_text(SAMPLE, encoding="utf-8")
    build_index(corpus, root)
    second = store.pointer(root)
    # What a build killed half-way leaves: a newer, unpublished generation.
    dead = tempfile.mkdtemp(prefix="gen-99999999T999999-", dir=root)
    (store.Path(dead) / "MAIN_half.seg").write_bytes(b"\0" * 100)
    (corpus / "extra.txt").unlink()
    build_index(corpus, root)
    third = store.pointer(root)
    kept = sorted(p.name for p in root.glob("gen-*"))
    assert kept == sorted([second, third])  # the rollback target, not the dead one
    assert first not in kept
    assert (root / store.PUBLISHED).read_text(encoding="utf-8").split() == [second, third]
