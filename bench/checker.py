"""How well the citation checker flags what is wrong (search_app.checker).

1. Real text: every citation in the sample documents of a document the
   corpus holds, as the documents themselves write them, should come out
   "ok" (anything else is a false flag on real phrasing).
2. Planted errors: "Căn cứ …" lines for documents of a generated corpus
   (bench/generate_corpus.py), written as drafts write them (the issuer
   sometimes without its province, the title sometimes cut short, the date
   sometimes left out); a share of them corrupted in one field: the date,
   the issuer, the type, the title, or the number (which then names no
   document: expected "unknown"). Precision and recall of the flags, per
   field and overall.

    .venv/bin/python bench/checker.py [--documents 400] [--share 0.4]
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIELDS = ("date", "issuer", "doc_type", "title", "number")


def real_text(work: Path) -> Counter:
    from indexer.build import build_index
    from indexer.reader import read_text
    from indexer.store import open_current
    from search_app.checker import check_text

    build_index(ROOT / "corpus", work / "sample")
    index = open_current(work / "sample")
    statuses = Counter()
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        for c in check_text(index, read_text(path)):
            if c.doc_id and c.doc_id != path.stem:
                statuses[c.status] += 1
                if c.status != "ok":
                    print(f"  {path.stem[:3]} {c.number}: {c.status} {c.differences}")
    return statuses


def _line(meta: dict, rng: random.Random) -> str:
    from indexer.metadata import display_date

    issuer = meta["issuer"]
    if meta.get("province") and rng.random() < 0.5:
        issuer = issuer.replace(meta["province"], "").strip()  # "của Ban Thường vụ Tỉnh ủy"
    words = meta["title"].split()
    title = " ".join(words[: max(4, int(len(words) * rng.choice((1, 1, 0.6))))])
    date = f", ngày {display_date(meta['date'])}" if meta.get("date") and rng.random() < 0.85 else ""
    about = title[0].lower() + title[1:]
    about = about if about.startswith("về ") else f"về {about}"
    return f"Căn cứ {meta['doc_type']} số {meta['number']}{date} của {issuer} {about};"


def _corrupt(meta: dict, field: str, others: list[dict], rng: random.Random) -> dict:
    from analyzers.normalize import fold_key

    bad = dict(meta)
    if field == "date":
        day = datetime.date.fromisoformat(meta["date"])
        bad["date"] = (day + datetime.timedelta(days=rng.choice((-40, -9, -1, 1, 3, 31)))).isoformat()
    elif field == "issuer":
        words = set(fold_key(meta["issuer"]).split())
        bad["issuer"] = next(o["issuer"] for o in others if not set(fold_key(o["issuer"]).split()) <= words)
        bad["province"] = ""
    elif field == "doc_type":
        bad["doc_type"] = next(o["doc_type"] for o in others if o["doc_type"] != meta["doc_type"])
    elif field == "title":
        mine = set(fold_key(meta["title"]).split())
        bad["title"] = next(o["title"] for o in others if len(mine & set(fold_key(o["title"]).split())) < 3)
    else:
        head, _, tail = meta["number"].partition("-")
        bad["number"] = f"{int(head) + 7000}-{tail}"
    return bad


def planted(work: Path, documents: int, share: float, seed: int) -> None:
    from bench.generate_corpus import generate

    from indexer.build import build_index
    from indexer.store import open_current
    from search_app.checker import check_text

    corpus = work / "generated"
    generate(corpus, documents * 13, seed)
    build_index(corpus, work / "generated-index")
    index = open_current(work / "generated-index")
    metas = [m for m in index.catalog.documents if m["number"] and m["date"] and m["issuer"] and m["title"]]
    rng = random.Random(seed)
    rng.shuffle(metas)
    lines, truth = [], []
    for meta in metas[:documents]:
        field = rng.choice(FIELDS) if rng.random() < share else ""
        others = rng.sample(metas, min(40, len(metas)))
        written = _corrupt(meta, field, others, rng) if field else meta
        if field == "date" and written is not meta:
            written = dict(written)
        line = _line(written, rng)
        if field == "date" and ", ngày" not in line:
            field = ""  # the corrupted date was left out of the line
        lines.append(line)
        truth.append(field)
    text = "\n".join(lines) + "\n"
    checked = check_text(index, text)
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    first = {}
    for c in checked:  # a line's own citation is its first; its title may cite others
        at = max(i for i, s in enumerate(starts) if s <= c.start)
        first.setdefault(at, c)
    counts = {f: Counter() for f in FIELDS}
    for i, field in enumerate(truth):
        c = first.get(i)
        flagged = set()
        if c is None or c.status == "unknown":
            flagged = {"number"}
        else:
            flagged = set(c.differences)
        for f in FIELDS:
            counts[f]["tp" if f in flagged and f == field else "fp" if f in flagged else "fn" if f == field else "tn"] += 1
    print(f"\n{len(lines)} draft lines, {sum(bool(t) for t in truth)} corrupted (one field each)")
    print(f"{'field':10} {'planted':>8} {'flagged':>8} {'precision':>10} {'recall':>8}")
    total = Counter()
    for f in FIELDS:
        tp, fp, fn = counts[f]["tp"], counts[f]["fp"], counts[f]["fn"]
        total.update(counts[f])
        print(f"{f:10} {tp + fn:8} {tp + fp:8} {_ratio(tp, tp + fp):>10} {_ratio(tp, tp + fn):>8}")
    tp, fp, fn = total["tp"], total["fp"], total["fn"]
    print(f"{'all':10} {tp + fn:8} {tp + fp:8} {_ratio(tp, tp + fp):>10} {_ratio(tp, tp + fn):>8}")


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "-"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=400)
    ap.add_argument("--share", type=float, default=0.4, help="share of lines with one corrupted field")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        statuses = real_text(work)
        print(f"real citations of corpus documents in the samples: {dict(statuses)}")
        planted(work, args.documents, args.share, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
