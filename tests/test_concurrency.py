"""Searching while the index is rebuilt: every answer is complete and right
for the old index or the new one, never an error or a mix."""

import shutil
import threading
import time
from pathlib import Path

from indexer.build import build_index
from search_app import create_app

ROOT = Path(__file__).resolve().parents[1]
ADDED = """TỈNH ỦY LAI CHÂU
Số 901-TB/TU
Lai Châu, ngày 02 tháng 6 năm 2026

THÔNG BÁO
về thí điểm zqxprobe

I. NỘI DUNG
Thí điểm zqxprobe tại các xã vùng cao, bảo vệ rừng đầu nguồn.
"""


def test_searches_during_a_rebuild_see_the_old_or_the_new_index(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    root = tmp_path / "index"
    build_index(corpus, root)
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    before = client.get("/api/search?q=bảo vệ rừng").get_json()["total"]
    assert client.get("/api/search?q=zqxprobe").get_json()["total"] == 0

    errors, answers = [], []
    stop = threading.Event()

    def search(thread: int):
        own = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client() if thread % 2 else client
        while not stop.is_set():
            for text in ("zqxprobe", "bảo vệ rừng", "dan van"):
                response = own.get("/api/search", query_string={"q": text, "per_page": 5})
                if response.status_code != 200:
                    errors.append((text, response.status_code, response.get_data(as_text=True)[:200]))
                    continue
                body = response.get_json()
                answers.append((thread, text, body["total"], len(body["results"])))

    threads = [threading.Thread(target=search, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        (corpus / "zz_added.txt").write_text(ADDED, encoding="utf-8")
        build_index(corpus, root)
        # The new generation is warmed beside the old, which answers meanwhile.
        deadline = time.monotonic() + 60
        while not (after := client.get("/api/search?q=zqxprobe").get_json()["total"]):
            assert time.monotonic() < deadline, "the new index was never switched to"
            time.sleep(0.05)
        while {t for t, text, total, _ in answers if text == "zqxprobe" and total == after} != {0, 1, 2, 3}:
            assert time.monotonic() < deadline, "a thread never saw the new index"
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    assert not errors
    assert after >= 1
    new_forest = client.get("/api/search?q=bảo vệ rừng").get_json()["total"]
    assert new_forest == before + 1
    for thread in range(4):
        seen = [total for t, text, total, _ in answers if t == thread and text == "zqxprobe"]
        assert set(seen) <= {0, after}
        # Once a thread has seen the new index, it never sees the old one again.
        assert 0 not in seen[seen.index(after) :]
    forest = {total for _, text, total, _ in answers if text == "bảo vệ rừng"}
    assert forest <= {before, new_forest}
