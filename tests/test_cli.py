import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from indexer.catalog import CATALOG
from search_app.cli import main

from .conftest import CORPUS


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_search_json_has_the_documented_shape(capsys, index_root):
    code, out, _ = run(capsys, "search", "công tác dân vận", "--json", "--limit", "3", "--index-dir", str(index_root))
    assert code == 0
    data = json.loads(out)
    assert data["query"] == "công tác dân vận"
    assert data["total"] >= 3 and len(data["results"]) == 3
    assert data["notes"] == []
    result = data["results"][0]
    assert set(result) == {
        "doc_id", "section_id", "heading", "heading_highlights", "path", "text", "score",
        "footnotes", "highlights", "snippet", "snippet_highlights", "document", "topics", "matched_in", "missing",
        "more", "more_count",
    }
    assert set(result["document"]) == {
        "doc_id", "title", "doc_type", "number", "date", "year", "issuer", "issuer_level", "province", "signer", "citation",
        "mark", "sources",
    }
    # Highlights are [start, end) spans of the matched words.
    for start, end in result["highlights"]:
        assert result["text"][start:end].lower() in ("công tác", "dân vận", "công tác dân vận")
    for start, end in result["snippet_highlights"]:
        assert result["snippet"][start:end].lower() in ("công tác", "dân vận", "công tác dân vận")


def test_search_prints_citation_path_and_marked_snippet(capsys, index_root):
    code, out, _ = run(capsys, "search", "69-KL/TU", "--limit", "3", "--index-dir", str(index_root))
    assert code == 0
    first = out.split("\n\n")[1]
    assert "Kết luận số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy Lai Châu" in first
    assert "[000_8b1cbe83c3de1fbc#mo-dau]" in first
    # The sections citing it show the number marked.
    assert "«69-KL/TU»" in out or "«69 -KL/TU»" in out


def test_filters_on_the_command_line(capsys, index_root):
    code, out, _ = run(
        capsys, "search", "dân vận", "--year-from", "2023", "--year-to", "2023",
        "--province", "Lai Châu", "--json", "--index-dir", str(index_root),
    )
    assert code == 0
    documents = {r["document"]["doc_id"] for r in json.loads(out)["results"]}
    assert documents == {"001_b7d788ee9d07cfc0"}


@pytest.mark.parametrize("query", ["AND", "!!!", "x" * 10_000])
def test_unusable_query_exits_2_with_one_line(capsys, index_root, query):
    code, out, err = run(capsys, "search", query, "--index-dir", str(index_root))
    assert code == 2
    assert out == ""
    assert err.startswith("Lỗi: ") and err.count("\n") == 1


def test_no_results_is_not_an_error(capsys, index_root):
    code, out, _ = run(capsys, "search", "tàu vũ trụ", "--index-dir", str(index_root))
    assert code == 0
    assert "Không tìm thấy" in out


@pytest.mark.parametrize("argv", [["search", "x", "--limit", "0"], ["search", "x", "--year", "abc"], ["search"], ["frobnicate"]])
def test_usage_mistakes_get_one_line_and_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    _, err = capsys.readouterr()
    assert exit_info.value.code == 2
    assert err.startswith("Lỗi: ") and err.count("\n") == 1


def test_an_index_dir_that_is_a_file_is_an_error_not_a_traceback(capsys, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    code, _, err = run(capsys, "search", "dân vận", "--index-dir", str(afile))
    assert code == 1 and err.startswith("Lỗi: ") and err.count("\n") == 1
    code, _, err = run(capsys, "index", str(CORPUS), "--index-dir", str(afile))
    assert code == 1 and err.startswith("Lỗi: ") and err.count("\n") == 1


def test_an_empty_corpus_keeps_the_old_index(capsys, make_corpus, tmp_path):
    root = tmp_path / "ix"
    good = make_corpus({"a.txt": (CORPUS / "003_064c99f8bc1e6bb7.txt").read_text(encoding="utf-8")})
    assert run(capsys, "index", str(good), "--index-dir", str(root))[0] == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(capsys, "index", str(empty), "--index-dir", str(root))
    assert code == 1 and "giữ nguyên" in err
    code, out, _ = run(capsys, "search", "giao lưu kết nghĩa", "--index-dir", str(root))
    assert code == 0 and "kết quả" in out


def test_output_cut_short_by_the_reader_is_no_error(index_root):
    script = Path(sys.executable).with_name("tracuu")
    completed = subprocess.run(
        # Over 200 kB of JSON: more than a pipe holds, so the writer meets the closed pipe.
        f"'{script}' search 'dân vận' --json --limit 200 --index-dir '{index_root}' | head -c 10",
        shell=True, capture_output=True, text=True, timeout=120,
    )
    assert "Traceback" not in completed.stderr


def test_a_broken_data_file_is_one_line_not_a_traceback(capsys, monkeypatch, index_root):
    from analyzers.datafiles import DataFileError

    def broken():
        raise DataFileError("indexer/data/topics.toml: mỗi [[topic]] cần label và danh sách cues")

    monkeypatch.setattr("search_app.facets.load_topics", broken)
    code, _, err = run(capsys, "search", "dân vận", "--topic", "Rừng", "--index-dir", str(index_root))
    assert code == 1
    assert err == "Lỗi: tệp dữ liệu hỏng: indexer/data/topics.toml: mỗi [[topic]] cần label và danh sách cues\n"


def test_missing_index_is_explained(capsys, tmp_path):
    code, _, err = run(capsys, "search", "dân vận", "--index-dir", str(tmp_path / "none"))
    assert code == 1
    assert "tracuu index" in err


def test_docs_lists_every_document_with_metadata(capsys, index_root):
    code, out, _ = run(capsys, "docs", "--json", "--index-dir", str(index_root))
    assert code == 0
    documents = json.loads(out)
    assert len(documents) == 5
    assert {"doc_id", "title", "doc_type", "number", "date", "year", "issuer", "province", "signer"} <= set(documents[0])


def test_index_command_reports_skipped_files(capsys, make_corpus, tmp_path):
    good = (CORPUS / "004_18f6aac5861878d1.txt").read_text(encoding="utf-8")
    # NUL bytes, yet no UTF-16 text in them.
    corpus = make_corpus({"good.txt": good, "bad.txt": b"\x00\x01\x02\x03"})
    code, out, err = run(capsys, "index", str(corpus), "--index-dir", str(tmp_path / "ix"))
    assert code == 0
    assert "1 văn bản" in out
    assert "bad.txt" in err


def test_index_dir_defaults_to_the_environment_variable(capsys, index_root, monkeypatch):
    monkeypatch.setenv("TRACUU_INDEX_DIR", str(index_root))
    code, out, _ = run(capsys, "docs")
    assert code == 0 and "5 văn bản" in out


def test_docs_says_where_each_value_came_from(capsys, index_root):
    code, out, _ = run(capsys, "docs", "--index-dir", str(index_root))
    block = out.split("\n\n")[0]
    assert "Số: 69-KL/TU (theo văn bản dẫn chiếu 001_b7d788ee9d07cfc0)" in block
    assert "Người ký: Lê Văn Lương (khối chữ ký)" in block
    assert "Được dẫn chiếu trong: 001_b7d788ee9d07cfc0" in block


def test_installed_console_script_runs(index_root):
    script = Path(sys.executable).with_name("tracuu")
    completed = subprocess.run(
        [str(script), "search", "dan van kheo", "--limit", "1", "--index-dir", str(index_root)],
        capture_output=True, text=True, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "kết quả" in completed.stdout


def test_serve_rebuilds_only_a_missing_or_stale_index(tmp_path, make_corpus):
    from indexer.build import build_index, stale_reason

    sample = (CORPUS / "000_8b1cbe83c3de1fbc.txt").read_text(encoding="utf-8")
    corpus = make_corpus({"a.txt": sample})
    root = tmp_path / "index"
    assert stale_reason(corpus, root) == "chưa có chỉ mục"
    build_index(corpus, root)
    assert stale_reason(corpus, root) == ""
    later = time.time() + 5
    os.utime(corpus / "a.txt", (later, later))
    assert stale_reason(corpus, root) == "thư mục văn bản đã thay đổi"
    build_index(corpus, root)
    # Replaced by a file of another size with an older time (cp -p, unzip).
    (corpus / "a.txt").write_text(sample + "\nThêm.", encoding="utf-8")
    os.utime(corpus / "a.txt", (1_000_000_000, 1_000_000_000))
    assert stale_reason(corpus, root) == "thư mục văn bản đã thay đổi"
    build_index(corpus, root)
    assert stale_reason(corpus, root) == ""
    (corpus / "b.txt").write_text(sample, encoding="utf-8")  # an added file
    assert stale_reason(corpus, root)
    other = tmp_path / "other"
    other.mkdir()
    assert stale_reason(other, root) == "chỉ mục được lập từ thư mục khác"
    assert stale_reason(tmp_path / "gone", root).startswith("không có thư mục văn bản")
    for catalog in root.glob(f"gen-*/{CATALOG}"):  # a format to come, or gone
        with closing(sqlite3.connect(catalog)) as db, db:
            db.execute("UPDATE facts SET value = '-1' WHERE name = 'format'")
    assert stale_reason(corpus, root) == "chỉ mục được lập bằng phiên bản cũ"
    for catalog in root.glob(f"gen-*/{CATALOG}"):  # as versions before the SQLite catalog left them
        catalog.unlink()
        (catalog.parent / "documents.json").write_text('{"format": 6, "documents": []}', encoding="utf-8")
        (catalog.parent / "MANIFEST.json").unlink()  # older versions wrote none
    assert stale_reason(corpus, root) == "chỉ mục được lập bằng phiên bản cũ"
    assert build_index(corpus, root).full_reason == "chỉ mục được lập bằng phiên bản cũ"
    assert stale_reason(corpus, root) == ""


def test_serve_keeps_the_old_index_when_the_corpus_is_gone(tmp_path, make_corpus, monkeypatch, capsys):
    import waitress

    from indexer.build import build_index

    corpus = make_corpus({"a.txt": (CORPUS / "000_8b1cbe83c3de1fbc.txt").read_text(encoding="utf-8")})
    root = tmp_path / "index"
    build_index(corpus, root)
    served = []

    class Server:
        def run(self):
            served.append(True)

        def close(self):
            pass

    monkeypatch.setattr(waitress, "create_server", lambda app, **options: Server())
    gone = tmp_path / "gone"
    code = main(["serve", "--corpus-dir", str(gone), "--index-dir", str(root), "--port", "5999"])
    err = capsys.readouterr().err
    assert code == 0 and served == [True]
    assert "không có thư mục văn bản" in err and "dùng chỉ mục cũ" in err


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_serve_refuses_a_bad_port(capsys, port):
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", port])
    assert exit_info.value.code == 2 and "cổng không hợp lệ" in capsys.readouterr().err
