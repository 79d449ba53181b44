"""Load run: concurrent clients against `tracuu serve`, with a re-index
while they run.

Starts `tracuu serve` on a generated corpus (bench/generate_corpus.py),
then for ``--duration`` seconds ``--clients`` threads send the realistic
queries of bench/speed.py to /api/search (keep-alive connections, one at a
time per client) and record status and latency. At ``--reindex-at`` seconds a
probe document (holding a word no other document has) is added to the
corpus and `tracuu index` runs; every client also asks for that word now and
then. A right answer is the old index's (0 sections) or the new one's, and a
client that has seen the new index never sees the old one again. At the end
the probe document is removed and the index updated again.

    .venv/bin/python bench/load.py --corpus var/bench/corpus-100000 --index-dir var/bench/index-100000

Prints requests/s, p50/p95 latency, errors and the probe checks.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROBE_WORD = "zqxprobe"  # a word no generated text holds
PROBE_FILE = "zz_probe_load.txt"
PROBE_TEXT = """TỈNH ỦY LAI CHÂU
*
Số 999-TB/TU
ĐẢNG CỘNG SẢN VIỆT NAM
Lai Châu, ngày 01 tháng 6 năm 2026

THÔNG BÁO
về kiểm tra zqxprobe của hệ thống tra cứu

I. NỘI DUNG
Văn bản này chỉ dùng để kiểm tra zqxprobe khi lập lại chỉ mục trong lúc
hệ thống đang phục vụ người dùng.
"""


def _path(text: str, filters: dict) -> str:
    params = {"q": text, **{k: str(v) for k, v in filters.items()}}
    return "/api/search?" + urllib.parse.urlencode(params)


class Client(threading.Thread):
    def __init__(self, host, port, queries, stop_at, probe_every, seed):
        super().__init__(daemon=True)
        self.host, self.port = host, port
        self.queries = list(queries)
        random.Random(seed).shuffle(self.queries)
        self.stop_at, self.probe_every = stop_at, probe_every
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.probes: list[tuple[float, int]] = []  # (time, total)

    def _get(self, conn, path):
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        return response.status, body, elapsed

    def run(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        i = 0
        while time.monotonic() < self.stop_at:
            probe = i % self.probe_every == 0
            q = {"text": PROBE_WORD, "filters": {}} if probe else self.queries[i % len(self.queries)]
            i += 1
            try:
                status, body, elapsed = self._get(conn, _path(q["text"], q["filters"]))
            except (OSError, http.client.HTTPException) as error:
                self.errors.append(f"{type(error).__name__}: {error}")
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                continue
            if status != 200:
                self.errors.append(f"HTTP {status} for {q['text']!r}: {body[:200]!r}")
                continue
            self.latencies.append(elapsed * 1000)
            if probe:
                self.probes.append((time.monotonic(), json.loads(body)["total"]))
        conn.close()


def wait_for_server(host, port, process, timeout=3600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"tracuu serve exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection(host, port, timeout=5)
            conn.request("GET", "/api/search?q=test")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit("the server did not answer")


def probe_total(host, port) -> int:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    conn.request("GET", _path(PROBE_WORD, {}))
    return json.loads(conn.getresponse().read())["total"]


def reindex(corpus: Path, index_dir: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(ROOT / ".venv/bin/tracuu"), "index", str(corpus), "--index-dir", str(index_dir)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - started


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv=None) -> int:
    from bench import PUBLIC_SERVER_ENV
    from bench.speed import make_queries

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--index-dir", type=Path, required=True)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--reindex-at", type=float, default=15, help="seconds into the run; negative: no re-index")
    ap.add_argument("--threads", type=int, default=8, help="server threads")
    ap.add_argument("--port", type=int, default=5057)
    ap.add_argument("--probe-every", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    host = "127.0.0.1"
    probe_path = args.corpus / PROBE_FILE
    probe_path.unlink(missing_ok=True)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/tracuu"), "serve", "--corpus-dir", str(args.corpus), "--index-dir", str(args.index_dir),
         "--host", host, "--port", str(args.port), "--threads", str(args.threads)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=os.environ | PUBLIC_SERVER_ENV,
    )  # fmt: skip
    report = {}
    try:
        wait_for_server(host, args.port, server)
        assert probe_total(host, args.port) == 0, "the probe word is already indexed"
        queries = make_queries(args.corpus, 200, args.seed)
        warm = http.client.HTTPConnection(host, args.port, timeout=600)
        for q in queries[:20]:  # first-use costs: pyvi's load, the per-generation arrays
            warm.request("GET", _path(q["text"], q["filters"]))
            warm.getresponse().read()
        warm.close()
        started = time.monotonic()
        stop_at = started + args.duration
        clients = [
            Client(host, args.port, queries, stop_at, args.probe_every, args.seed + i) for i in range(args.clients)
        ]
        for client in clients:
            client.start()
        reindex_seconds = None
        published_at = None
        if args.reindex_at >= 0:
            time.sleep(args.reindex_at)
            probe_path.write_text(PROBE_TEXT, encoding="utf-8")
            reindex_seconds = reindex(args.corpus, args.index_dir)
            published_at = time.monotonic()
        for client in clients:
            client.join()
        elapsed = time.monotonic() - started
        after = probe_total(host, args.port)
        latencies = [ms for c in clients for ms in c.latencies]
        errors = [e for c in clients for e in c.errors]
        wrong, went_back, saw_new = 0, 0, 0
        for client in clients:
            seen_new = False
            for _, total in client.probes:
                if total not in (0, after):
                    wrong += 1
                if total == after and after:
                    seen_new = True
                    saw_new += 1
                elif seen_new:
                    went_back += 1
        report = {
            "clients": args.clients,
            "server_threads": args.threads,
            "seconds": round(elapsed, 1),
            "requests": len(latencies) + len(errors),
            "errors": len(errors),
            "requests_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p95_ms": round(pct(latencies, 0.95), 1) if latencies else None,
            "reindex_s": round(reindex_seconds, 1) if reindex_seconds is not None else None,
            "reindex_done_at_s": round(published_at - started, 1) if published_at else None,
            "probe_sections_after": after,
            "probe_answers": sum(len(c.probes) for c in clients),
            "probe_answers_new": saw_new,
            "probe_wrong_totals": wrong,
            "probe_went_back_to_old": went_back,
            "first_errors": errors[:5],
        }
    finally:
        if probe_path.exists():
            probe_path.unlink()
            if server.poll() is None:
                reindex(args.corpus, args.index_dir)  # leave the index as the corpus is
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 1 if not report or report["errors"] or report["probe_wrong_totals"] or report["probe_went_back_to_old"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
