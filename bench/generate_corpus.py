"""Generate a realistic corpus of N sections for the speed benchmark.

Sentences, headings and table rows of the five sample documents in
``corpus/`` are recombined into new documents with the same structure as the
real ones: a header block naming the issuing body, ``Số: <number>``, a
place-date line, the type word and a title, an opening paragraph, Roman and
Arabic numbered headings (or numbered paragraphs), footnotes, a table
sometimes, ``Nơi nhận:`` and a signature block. Years run 2010–2026; issuers
and provinces come from ``indexer/data/gazetteer.toml``; each document has a
unique number; some documents cite earlier generated ones by type, number,
date, issuer and subject, so citations resolve inside the corpus.

The number of *indexed* sections (what ``tracuu index`` reports: the opening
of every document plus every numbered section with text of its own) is
exactly ``--sections``. Output is deterministic for a given ``--seed``.

    .venv/bin/python bench/generate_corpus.py var/bench/corpus-10k --sections 10000
    .venv/bin/tracuu index var/bench/corpus-10k --index-dir var/bench/index-10k
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzers.docnumber import find_numbers, number_key  # noqa: E402
from indexer.gazetteer import load_gazetteer  # noqa: E402
from indexer.parser import parse_document  # noqa: E402
from indexer.reader import read_text  # noqa: E402
from indexer.topics import load_topics  # noqa: E402

SAMPLES = ROOT / "corpus"
YEARS = range(2010, 2027)
MANIFEST = "manifest.jsonl"  # what each file is meant to be: the tests compare it with the index

# Subjects of titles, by topic; each carries cue phrases of its topic so the
# topic facet has something to find in the title as well as the body.
SUBJECTS = {
    "Kinh tế và giảm nghèo": [
        "vận động nhân dân phát triển kinh tế, giảm nghèo bền vững",
        "xây dựng nông thôn mới gắn với phát triển sản xuất hàng hóa tập trung",
        "thực hiện các chương trình mục tiêu quốc gia vùng đồng bào dân tộc thiểu số",
    ],
    "Rừng và môi trường": [
        "tăng cường công tác quản lý, bảo vệ rừng và phát triển rừng",
        "phòng cháy, chữa cháy rừng và bảo vệ môi trường",
    ],
    "Văn hóa và hủ tục": [
        "xóa bỏ hủ tục, tập quán lạc hậu, xây dựng nếp sống văn minh",
        "bảo tồn, phát huy bản sắc văn hóa truyền thống các dân tộc",
    ],
    "An ninh, quốc phòng, biên giới": [
        "bảo đảm quốc phòng, an ninh và chủ quyền biên giới quốc gia",
        "phòng, chống di cư tự do và xuất nhập cảnh trái phép khu vực biên giới",
    ],
    "Tôn giáo, tín ngưỡng": [
        "công tác tôn giáo và quản lý hoạt động tín ngưỡng, tôn giáo",
        "vận động chức sắc, tín đồ các tôn giáo sống tốt đời, đẹp đạo",
    ],
    "Dân vận khéo": ["đẩy mạnh phong trào thi đua “Dân vận khéo”"],
    "Dân chủ ở cơ sở": [
        "thực hiện Quy chế dân chủ ở cơ sở",
        "phát huy quyền làm chủ của Nhân dân, thực hiện dân chủ ở cơ sở",
    ],
    "Mặt trận và đoàn thể": [
        "nâng cao chất lượng hoạt động của Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội",
    ],
    "Xây dựng Đảng, cán bộ": [
        "xây dựng Đảng, xây dựng hệ thống chính trị và đội ngũ cán bộ",
        "đào tạo, bồi dưỡng đội ngũ cán bộ là người dân tộc thiểu số",
    ],
    "Người có uy tín": ["phát huy vai trò người có uy tín trong đồng bào dân tộc thiểu số"],
    "Chuyển đổi số": [
        "đẩy mạnh chuyển đổi số và phong trào “Bình dân học vụ số”",
        "hướng dẫn Nhân dân sử dụng dịch vụ công trực tuyến",
    ],
    "Giáo dục, y tế, an sinh": [
        "nâng cao chất lượng giáo dục, y tế và bảo đảm an sinh xã hội",
    ],
}
GENERAL_SUBJECTS = [
    "tăng cường và đổi mới công tác dân vận ở vùng đồng bào dân tộc thiểu số",
    "công tác dân vận của cơ quan nhà nước, chính quyền các cấp",
    "nâng cao hiệu quả công tác dân vận trong tình hình mới",
]

# (label, type code, title template); {s} is the subject, {y} the year.
TYPES = {
    "KL": ("Kết luận", "về {s}"),
    "BC": ("Báo cáo", "kết quả thực hiện {s} năm {y}"),
    "KH": ("Kế hoạch", "triển khai thực hiện {s} năm {y}"),
    "TB": ("Thông báo", "kết luận của Thường trực Tỉnh ủy về {s}"),
    "NQ": ("Nghị quyết", "về {s}"),
    "CT": ("Chỉ thị", "về tăng cường sự lãnh đạo của Đảng đối với {s}"),
    "HD": ("Hướng dẫn", "thực hiện {s}"),
    "CTr": ("Chương trình", "phối hợp thực hiện {s}"),
}


@dataclass(frozen=True)
class IssuerKind:
    name: str  # "{p}": province, "{d}": district
    header: tuple[str, ...]  # header block lines (upper-cased with the place)
    code: str  # issuer part of the number
    types: tuple[str, ...]
    capacity: tuple[str, ...]  # signature lines above "(đã ký)"
    district: bool = False  # needs a district of the province (gazetteer places)


ISSUERS = (
    IssuerKind("Ban Thường vụ Tỉnh ủy {p}", ("TỈNH ỦY {P}",), "TU", ("KL", "NQ", "CT", "KH"), ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ")),
    IssuerKind("Văn phòng Tỉnh ủy {p}", ("TỈNH ỦY {P}", "VĂN PHÒNG"), "VPTU", ("TB", "BC", "HD"), ("K/T CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG")),
    IssuerKind("Ban Dân vận Tỉnh ủy {p}", ("TỈNH ỦY {P}", "BAN DÂN VẬN"), "BDVTU", ("BC", "KH", "HD", "CTr"), ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN")),
    IssuerKind("Ban Tuyên giáo Tỉnh ủy {p}", ("TỈNH ỦY {P}", "BAN TUYÊN GIÁO"), "BTGTU", ("BC", "KH", "HD"), ("TRƯỞNG BAN",)),
    IssuerKind("Huyện ủy {d}", ("HUYỆN ỦY {D}",), "HU", ("BC", "KH", "NQ"), ("T/M HUYỆN ỦY", "BÍ THƯ"), True),
    IssuerKind("Ban Thường vụ Huyện ủy {d}", ("HUYỆN ỦY {D}",), "HU", ("KL", "CT", "KH"), ("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ"), True),
    IssuerKind("Ban Dân vận Huyện ủy {d}", ("HUYỆN ỦY {D}", "BAN DÂN VẬN"), "BDVHU", ("BC", "KH"), ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"), True),
)

ROMAN = ("I", "II", "III", "IV", "V", "VI")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Lò", "Giàng", "Tao", "Lường", "Đỗ", "Hà")
MIDDLES = ("Văn", "Thị", "Đức", "Minh", "Thanh", "Quốc", "A", "Seo")
GIVEN = ("An", "Bình", "Chung", "Dũng", "Hải", "Hùng", "Lan", "Long", "Mai", "Nam", "Sơn", "Thảo", "Tuấn", "Xuân")
RECIPIENTS = (
    "Ban Thường vụ Tỉnh ủy;", "Thường trực HĐND, UBND tỉnh;", "Ủy ban MTTQ và các đoàn thể tỉnh;",
    "Các ban đảng, Văn phòng Tỉnh ủy;", "Các huyện, thành ủy, đảng ủy trực thuộc;",
    "Ban Dân vận Tỉnh ủy;", "Các sở, ban, ngành liên quan;",
)  # fmt: skip
TABLE_HEADER = "Stt\tNội dung\tĐơn vị tính\tChỉ tiêu\tGhi chú"


# ---------------------------------------------------------------- pools


@dataclass
class Pools:
    sentences: list[str]
    by_topic: dict[str, list[str]]
    romans: list[str]  # ALL-CAPS titles of outer headings, without numbering
    titles: list[str]  # titles of Arabic headings, without numbering
    rows: list[str]  # table row contents
    places: set[str]  # sample place names that sentences are rewritten for
    reserved: set[str]  # number keys the sample sentences cite: never given to a generated document


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ“\"])")
_NUMBERING = re.compile(r"^(?:[IVX]+\s*[.\-–]|\d+(?:\.\d+)*\s*[.\-–)]?|\(\d+\)|[a-z]\))\s*")


def _clean_sentence(text: str) -> str | None:
    text = re.sub("[¹²³⁴⁵⁶⁷⁸⁹⁰]+", "", text).strip()
    if not (30 <= len(text) <= 700) or not text.endswith("."):
        return None
    if any(ch in text for ch in "|\n\t") or text.startswith(("-", "(", "+")) or text[0].isdigit():
        return None
    return text


def _clauses(sentences: list[str]) -> list[str]:
    """The "; "-separated parts of the sample sentences: recombined into new
    sentences they give far more variety than the 300-odd sentences alone."""
    found = set()
    for s in sentences:
        for part in s.rstrip(".").split("; "):
            part = part.strip()
            if 25 <= len(part) <= 300 and not part.startswith(("-", "(")) and not part[0].isdigit():
                found.add(part[0].lower() + part[1:] if not part[:2].isupper() else part)
    return sorted(found)


def _combine(clauses: list[str]) -> list[str]:
    rng = random.Random(1)  # fixed: the pools do not depend on --seed
    return ["; ".join(rng.sample(clauses, rng.choice((2, 2, 3)))) for _ in range(4 * len(clauses))]


@functools.lru_cache(maxsize=1)
def build_pools(samples: Path = SAMPLES) -> Pools:
    sentences: list[str] = []
    romans: list[str] = []
    titles: list[str] = []
    rows: list[str] = []
    reserved: set[str] = set()
    for path in sorted(samples.glob("*.txt")):
        text = read_text(path)
        reserved.update(m.key for m in find_numbers(text))
        parsed = parse_document(path.stem, text, path)
        for section in parsed.sections:
            heading = _NUMBERING.sub("", section.heading).strip()
            if heading and len(heading) <= 90 and not heading.endswith((".", "…", ":")) and not find_numbers(heading):
                if re.match(r"^[IVX]+\s*[.\-–]", section.heading) and heading.isupper():
                    romans.append(heading)
                elif re.match(r"^\d+(?:\.\d+)*\s*[.\-–]?\s", section.heading) and not heading.isupper():
                    titles.append(heading)
            for para in section.text.split("\n"):
                if para.count(" | ") >= 2:
                    cell = max(para.split(" | "), key=len).strip().rstrip(".")
                    if 20 <= len(cell) <= 160:
                        rows.append(cell)
                    continue
                for sentence in _SENTENCE_SPLIT.split(para):
                    cleaned = _clean_sentence(sentence)
                    if cleaned:
                        sentences.append(cleaned)
    sentences = sorted(set(sentences))
    sentences += [
        # Two or three clauses from anywhere: a new sentence in the same style.
        c[0].upper() + c[1:] + "."
        for c in _combine(_clauses(sentences))
    ]
    # Plain substring matching of the cues: close enough to pick sentences
    # of a topic, and fast (the indexer's cue matcher takes ~10 ms a sentence).
    topics = [(t.label, [c.lower() for c in t.cues]) for t in load_topics()]
    by_topic: dict[str, list[str]] = {label: [] for label, _ in topics}
    for s in sentences:
        lower = s.lower()
        for label, cues in topics:
            if any(c in lower for c in cues):
                by_topic[label].append(s)
    places = {name for p in load_gazetteer() for name in (p.name, *p.places) if p.places}
    return Pools(sentences, by_topic, sorted(set(romans)), sorted(set(titles)), sorted(set(rows)), places, reserved)


# ---------------------------------------------------------------- documents


@dataclass
class Planned:
    index: int
    file: str
    doc_type: str
    code: str
    number: str
    date: tuple[int, int, int]  # y, m, d
    issuer: str
    province: str
    district: str
    kind: IssuerKind
    topic: str
    subject: str
    title: str
    sections: int  # indexed sections: opening + leaves
    cites: list[int] = field(default_factory=list)  # indexes of earlier documents


def _place_rewriter(pools: Pools, province: str, places: list[str], rng: random.Random):
    """Sample sentences name Lai Châu / Thái Nguyên and their districts:
    rewrite them for the document's own province, so a province's documents
    talk about it. Returns None for a sentence it cannot rewrite (a district
    name in a province whose districts the gazetteer does not list)."""
    names = sorted(pools.places, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(n) for n in names))
    provinces = {p.name for p in load_gazetteer()}

    def rewrite(sentence: str) -> str | None:
        out, pos = [], 0
        for m in pattern.finditer(sentence):
            name = m.group(0)
            if name in provinces:
                new = province
            elif places:
                new = rng.choice(places)
            else:
                return None
            out.append(sentence[pos : m.start()])
            out.append(new)
            pos = m.end()
        out.append(sentence[pos:])
        return "".join(out)

    return rewrite


def plan_documents(n_sections: int, rng: random.Random, pools: Pools) -> list[Planned]:
    provinces = load_gazetteer()
    counters: dict[tuple[str, str], int] = {}
    plans: list[Planned] = []
    left = n_sections
    dates = []
    while left > 0:
        # 4–22 sections a document (opening included), like the samples.
        size = min(left, rng.randint(4, 22))
        if left - size in (1, 2, 3):  # no tiny last document
            size = left
        left -= size
        dates.append(size)
    sizes = dates
    # Dates first, sorted, so that citations point to earlier documents.
    days = sorted((rng.choice(YEARS), rng.randint(1, 12), rng.randint(1, 28)) for _ in sizes)
    topics = list(SUBJECTS)
    for i, (size, date) in enumerate(zip(sizes, days)):
        # Lai Châu and Thái Nguyên (the provinces with districts) weigh more,
        # like an archive of one or two provinces with a few others.
        province = rng.choice(provinces[:2]) if rng.random() < 0.5 else rng.choice(provinces)
        kinds = [k for k in ISSUERS if province.places or not k.district]
        kind = rng.choice(kinds)
        district = rng.choice([p for p in province.places if p != province.name]) if kind.district else ""
        code = rng.choice(kind.types)
        label, template = TYPES[code]
        while True:  # unique number, never one the sample sentences cite
            counters[(code, kind.code)] = counters.get((code, kind.code), 0) + 1
            number = f"{counters[(code, kind.code)]}-{code}/{kind.code}"
            if number_key(number) not in pools.reserved:
                break
        topic = rng.choice(topics)
        subject = rng.choice(SUBJECTS[topic] + (GENERAL_SUBJECTS if rng.random() < 0.2 else []))
        title = template.format(s=subject, y=date[0])
        title = title[0].upper() + title[1:]
        issuer = kind.name.format(p=province.name, d=district)
        earlier = [j for j in range(max(0, i - 400), i) if plans[j].date < date]
        cites = rng.sample(earlier, k=min(len(earlier), rng.choice((0, 0, 1, 1, 2)))) if earlier else []
        plans.append(
            Planned(i, f"gen{i:07d}.txt", label, code, number, date, issuer, province.name, district,
                    kind, topic, subject, title, size, sorted(cites))
        )  # fmt: skip
    return plans


def _date_words(date: tuple[int, int, int], rng: random.Random) -> str:
    y, m, d = date
    day = f"{d:02d}" if d < 10 and rng.random() < 0.5 else str(d)
    month = f"{m:02d}" if m < 3 else str(m)  # "tháng 01", "tháng 02" as written
    return f"ngày {day} tháng {month} năm {y}"


def _citation(p: Planned, rng: random.Random) -> str:
    y, m, d = p.date
    return f"{p.doc_type} số {p.number}, ngày {d:02d}/{m}/{y} của {p.issuer} về {p.subject}"


def _signer(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"


def render(p: Planned, plans: list[Planned], pools: Pools, rng: random.Random) -> str:
    province_places = next((x.places for x in load_gazetteer() if x.name == p.province), ())
    rewrite = _place_rewriter(pools, p.province, [x for x in province_places if x != p.province], rng)
    topic_pool = pools.by_topic.get(p.topic) or pools.sentences

    used: set[str] = set()

    def sentence() -> str:
        # A third from the document's topic; no sentence twice in a document
        # while the pool lasts (the pool is a few hundred sentences).
        for attempt in range(50):
            s = rng.choice(topic_pool if rng.random() < 0.35 else pools.sentences)
            if s in used and attempt < 49:
                continue
            s2 = rewrite(s)
            if s2:
                used.add(s)
                return s2
        return rng.choice(pools.sentences)  # practically unreachable: a sentence without place names

    footnotes: list[str] = []

    def paragraph(k: int) -> str:
        parts = [sentence() for _ in range(k)]
        if rng.random() < 0.12:  # a footnote marker at the end of a sentence
            footnotes.append(sentence())
            parts[-1] = parts[-1][:-1] + str(len(footnotes)).translate(SUPERSCRIPT) + "."
        return " ".join(parts)

    place = p.district or p.province
    lines = ["ĐẢNG CỘNG SẢN VIỆT NAM"]
    lines += [h.format(P=p.province.upper(), D=p.district.upper()) for h in p.kind.header]
    lines += ["*", "", f"Số{rng.choice((':', ''))} {p.number}", "", f"{place}, {_date_words(p.date, rng)}", ""]
    lines += [p.doc_type.upper(), rng.choice(("{}", "**{}**")).format(p.title), ""]

    cited = [plans[j] for j in p.cites]
    opening = []
    if cited:
        opening.append("Thực hiện " + "; ".join(_citation(c, rng) for c in cited) + ".")
    opening += [sentence() for _ in range(rng.randint(1, 3))]
    short = p.issuer.removesuffix(f" {p.district or p.province}")
    opening.append(f"{short} {p.doc_type.lower()} như sau:")
    lines += [" ".join(opening), ""]

    leaves = p.sections - 1
    numbered_paragraphs = p.code in ("KL", "TB") and rng.random() < 0.6
    # Split the leaves into 1–4 Roman parts; in a part, sometimes a "2." with
    # "2.1", "2.2" under it (the "2." has no text: not a section of its own).
    parts = min(leaves, rng.randint(1, 4)) if not numbered_paragraphs else 1
    shares = [leaves // parts + (1 if k < leaves % parts else 0) for k in range(parts)]
    cite_in_body = cited[0] if cited and rng.random() < 0.5 else None
    for k, share in enumerate(shares):
        if not numbered_paragraphs:
            lines += [f"{ROMAN[k]}. {rng.choice(pools.romans)}", ""]
        arabic, done = 0, 0
        while done < share:
            arabic += 1
            if numbered_paragraphs:
                lines += [f"{arabic}. {paragraph(rng.randint(2, 3))}", ""]
                if rng.random() < 0.3:
                    lines += [paragraph(rng.randint(1, 3)), ""]
                done += 1
                continue
            nested = share - done >= 2 and rng.random() < 0.2
            lines += [f"{arabic}. {rng.choice(pools.titles)}", ""]
            for sub in range(1, (min(share - done, rng.randint(2, 3)) if nested else 1) + 1):
                if nested:
                    lines += [f"{arabic}.{sub}. {rng.choice(pools.titles)}", ""]
                # About 1,000 characters a section, like the samples' sections.
                for _ in range(rng.choice((1, 1, 2))):
                    lines += [paragraph(rng.randint(1, 3)), ""]
                if cite_in_body is not None:
                    c, cite_in_body = cite_in_body, None
                    lines += [f"Tiếp tục quán triệt, triển khai thực hiện {c.doc_type} số {c.number} của {c.issuer}.", ""]
                if rng.random() < 0.15:
                    lines += ["- " + sentence() for _ in range(rng.randint(2, 4))] + [""]
                if rng.random() < 0.06:
                    lines += [TABLE_HEADER] + [
                        f"{r + 1}\t{rng.choice(pools.rows)}\t%\t{rng.choice((80, 90, 95, 100))}\t"
                        for r in range(rng.randint(2, 5))
                    ] + [""]  # fmt: skip
                done += 1
        # Footnote texts stand where the page ended: after this part.
        for n in range(len(footnotes)):
            if footnotes[n] is not None:
                lines += [f"{str(n + 1).translate(SUPERSCRIPT)} {footnotes[n]}", ""]
                footnotes[n] = None  # type: ignore[call-overload]

    lines += ["Nơi nhận:"] + [f"- {r}" for r in rng.sample(RECIPIENTS, 3)] + ["- Lưu VP.", ""]
    lines += list(p.kind.capacity) + ["", "(đã ký)", "", _signer(rng), ""]
    return "\n".join(lines)


def manifest_entry(p: Planned, plans: list[Planned]) -> dict:
    y, m, d = p.date
    return {
        "file": p.file,
        "doc_type": p.doc_type,
        "number": p.number,
        "date": f"{y:04d}-{m:02d}-{d:02d}",
        "issuer": p.issuer,
        "province": p.province,
        "topic": p.topic,
        "sections": p.sections,
        "cites": [plans[j].number for j in p.cites],
    }


def generate(out: Path, n_sections: int, seed: int = 0, clean: bool = False) -> list[dict]:
    if out.exists() and any(out.iterdir()):
        if not clean:
            raise SystemExit(f"{out} is not empty (use --clean to replace it)")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pools = build_pools()
    plans = plan_documents(n_sections, rng, pools)
    entries = []
    with (out / f".{MANIFEST}").open("w", encoding="utf-8") as manifest:
        for p in plans:
            # One generator per document: a document's text does not depend on
            # how the ones before it were drawn beyond the plan.
            text = render(p, plans, pools, random.Random(f"{seed}:{p.index}"))
            (out / p.file).write_text(text, encoding="utf-8")
            entry = manifest_entry(p, plans)
            manifest.write(json.dumps(entry, ensure_ascii=False) + "\n")
            entries.append(entry)
    return entries


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to write (e.g. var/bench/corpus-10k)")
    ap.add_argument("--sections", type=int, required=True, help="indexed sections in total")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--clean", action="store_true", help="replace the folder if it holds files")
    args = ap.parse_args(argv)
    entries = generate(args.out, args.sections, args.seed, args.clean)
    print(f"{len(entries)} documents, {sum(e['sections'] for e in entries)} sections → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
