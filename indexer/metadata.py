"""Document metadata: type, number, date, issuer, province, signer, title.

Each value records where it came from in ``Metadata.sources``. The values
come from the parts the parser found (head lines, signature, recipients) and
from the text.

Then two corrections, applied by the indexer in this order:

* ``apply_sidecar``: ``<stem>.meta.toml`` next to the document overrides
  anything (staff corrections);
* ``resolve_from_citations``: a document whose own number was lost is given
  it by another document that cites it by type, issuer and title. It fills
  only empty fields and never one a sidecar set (even to "").
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from analyzers.datafiles import load_toml
from analyzers.docnumber import find_numbers, number_key, type_code
from analyzers.normalize import fold, fold_key, nfc, normalize_text
from indexer.citations import DOC_TYPES, Citation, extract_citations, type_codes, type_for_code
from indexer.gazetteer import find_mentions, is_province, load_gazetteer, province_of_place
from indexer.model import METADATA_FIELDS, SIDECAR, Metadata, ParsedDocument, cited_in

# --------------------------------------------------------------------------
# Lines and case

# Institution names as they are written in running text; used to re-case
# ALL-CAPS headings ("CỦA BAN THƯỜNG VỤ TỈNH ỦY" -> "của Ban Thường vụ Tỉnh ủy").
_PROPER_NAMES = (
    "Ban Thường vụ", "Ban Chấp hành", "Ban Bí thư", "Bộ Chính trị", "Trung ương", "Thường trực",
    "Tỉnh ủy", "Huyện ủy", "Thành ủy", "Đảng ủy", "Đảng bộ", "Đảng đoàn",
    "Ban Dân vận", "Ban Tuyên giáo", "Ban Tổ chức", "Ban Dân tộc", "Ban Chỉ đạo", "Văn phòng",
    "Mặt trận Tổ quốc", "Ủy ban nhân dân", "Hội đồng nhân dân", "Nhà nước", "Chính phủ",
    "Thủ tướng", "Quốc hội", "Đảng",
)
# Abbreviations that stay in capitals when a heading is re-cased.
_ACRONYMS = frozenset(
    "UBND HĐND MTTQ BTV BCH DTTS DTTS&MN QCDC CTTG KT-XH QP-AN ANTT CT-XH TTHC LĐLĐ LHPN CCB "
    "TNCS NTM HTCT OCOP VPTU".split()
)
_ROMAN_RE = re.compile(r"^[IVXLC]{1,6}$")


def _clean(line: str) -> str:
    """A parser line (already markup-free) in one tone style, single-spaced."""
    return " ".join(normalize_text(line).split())


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _recase(caps: str) -> str:
    """Re-case an ALL-CAPS phrase: lower case, then names and acronyms restored."""
    words = [w if w in _ACRONYMS or _ROMAN_RE.match(w) else w.lower() for w in caps.split()]
    text = " ".join(words)
    names = list(_PROPER_NAMES) + [n for p in load_gazetteer() for n in (p.name, *p.places)]
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name.lower())}(?!\w)", name, text)
    return text


def _lower_first(text: str) -> str:
    """Lower the first letter unless the first word is an acronym ("UBND …")."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and _is_caps(first):
        return text
    return text[:1].lower() + text[1:]


def _iso(day, month, year) -> str:
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return ""


# --------------------------------------------------------------------------
# Head: type line, number line, place-date line, title

_PLACE_DATE_RE = re.compile(
    r"^(?P<place>[^\W\d][^\d,:]{0,40}?)\s*,\s*ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})",
    re.IGNORECASE,
)
_NUMBER_LINE_RE = re.compile(r"^số(?!\s*đến)\s*:?\s*(?=\d)", re.IGNORECASE)
# Receiving office's stamp and similar boxes: never the document's own data.
_STAMP_RE = re.compile(r"^(?:số đến|ngày đến|lưu|chuyển|người nhận)\s*:", re.IGNORECASE)
# Issuing body in a header block (not "ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG BỘ TỈNH …").
_HEADER_BODY = r"^(?:BAN |VAN PHONG\b|UY BAN |(?:TINH|HUYEN|THANH|DANG) UY\b)"


def _type_prefix(line: str) -> tuple[str, str] | None:
    """("Kết luận", rest) when ``line`` starts with a document type in capitals."""
    for label, _ in sorted(DOC_TYPES, key=lambda t: -len(t[0])):
        word = label.upper()
        head = line[: len(word)]
        if fold(head) == fold(word) and head == head.upper() and not line[len(word) : len(word) + 1].isalnum():
            return label, line[len(word) :].strip(" :-")
    return None


@dataclass
class Head:
    """What the lines above the body say."""

    doc_type: str = ""
    number: str = ""
    date: str = ""  # ISO, from the place-date line
    place: str = ""
    issuer: str = ""  # from a "CỦA BAN THƯỜNG VỤ TỈNH ỦY" line under the type
    header_body: str = ""  # "HUYỆN ỦY SÌN HỒ" in the header block above the type
    title: str = ""


def read_head(lines: list[str]) -> Head:
    """One pass over the head's lines, each taken by the first step that knows
    its kind: stamp, number, place and date, type, issuer, header block; the
    rest up to the end of the title is the title."""
    reader = _HeadReader()
    for raw in lines:
        line = _clean(raw)
        if line:
            reader.take(line)
    return reader.finish()


class _HeadReader:
    def __init__(self):
        self.head = Head()
        self.title: list[str] = []
        self.after_type = self.title_done = False

    def take(self, line: str) -> None:
        if _STAMP_RE.match(line):
            self.title_done = self.title_done or bool(self.title)
            return
        if self._number(line) or self._place_date(line):
            return
        line = self._type(line)
        if not line or self._issuer(line) or self.title_done or self._header_block(line):
            return
        if self.after_type or not self.head.doc_type:
            self.title.append(line)

    def finish(self) -> Head:
        if self.title:
            self.head.title = _capitalize(_recase_leading_caps(" ".join(self.title)))
        return self.head

    def _number(self, line: str) -> bool:
        m = None if self.head.number else _NUMBER_LINE_RE.match(line)
        numbers = find_numbers(line) if m else []
        # The number must stand right after "Số": "Số 426-BC/HU", "Số: 12/KH-UBND".
        if numbers and numbers[0].start == m.end():
            self.head.number = numbers[0].text
            return True
        return False

    def _place_date(self, line: str) -> bool:
        m = _PLACE_DATE_RE.match(line)
        if m and not self.head.date:
            self.head.date = _iso(m["d"], m["m"], m["y"])
            self.head.place = m["place"].strip()
            return True
        return False

    def _type(self, line: str) -> str:
        """The line without its leading type ("BÁO CÁO …"), the type kept."""
        typed = None if self.head.doc_type else _type_prefix(line)
        if not typed:
            return line
        self.head.doc_type, rest = typed
        self.after_type = True
        return rest

    def _issuer(self, line: str) -> bool:
        if self.after_type and not self.title and _is_caps(line) and fold(line).upper().startswith("CUA "):
            self.head.issuer = _recase(line[4:])
            return True
        return False

    def _header_block(self, line: str) -> bool:
        """The header block above the type; after the title, a stamp ("TỈNH
        ỦY LAI CHÂU / BAN TUYÊN GIÁO" of the receiving office)."""
        if not (_is_caps(line) and (self.title or not self.after_type)):
            return False
        if not self.after_type and re.search(_HEADER_BODY, fold(line)):
            body = _recase(line)
            # "TỈNH ỦY THÁI NGUYÊN / BAN DÂN VẬN": the board of that committee.
            parent = self.head.header_body
            if parent and body.startswith(("Ban ", "Văn phòng")) and not parent.startswith(("Ban ", "Văn phòng")):
                body = f"{body} {parent}"
            self.head.header_body = body
        self.title_done = bool(self.title)
        return True


def _recase_leading_caps(text: str) -> str:
    """ "KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY tại Hội nghị…" -> "kết luận của Thường trực Tỉnh ủy tại…"."""
    words = text.split()
    n = 0
    while n < len(words) and _is_caps(words[n]) and words[n] not in _ACRONYMS:
        n += 1
    if n < 2 and n != len(words):  # one capitalised word ("UBND", "Về") is normal text
        return text
    return " ".join([_recase(" ".join(words[:n]))] + words[n:])


# --------------------------------------------------------------------------
# Signature and recipients

_CAPACITY_RE = re.compile(r"^(T/M|TM\.|K/T|KT\.|T/L|TL\.|TUQ\.|Q\.)\s*(.+)$", re.IGNORECASE)
# Head of a body -> the body's kind, to find it in the "Lưu …" line.
_ROLE_BODIES = (
    ("TRƯỞNG BAN", "Ban"),
    ("CHÁNH VĂN PHÒNG", "Văn phòng"),
    ("GIÁM ĐỐC", "Sở"),
    ("CHỦ NHIỆM", "Ủy ban"),
)


def _looks_like_name(line: str) -> bool:
    words = line.split()
    return 2 <= len(words) <= 6 and all(
        w.isalpha() and w[0].isupper() and w[1:] == w[1:].lower() for w in words
    )


# --------------------------------------------------------------------------
# Issuer

# Issuer part of a number ("426-BC/HU" -> HU) -> the body, as written in text.
_ISSUER_CODES = {
    "TW": "Trung ương", "TU": "Tỉnh ủy", "HU": "Huyện ủy", "THU": "Thành ủy", "DU": "Đảng ủy",
    "VPTU": "Văn phòng Tỉnh ủy", "BDVTU": "Ban Dân vận Tỉnh ủy", "BDVHU": "Ban Dân vận Huyện ủy",
    "BTGTU": "Ban Tuyên giáo Tỉnh ủy", "BCD": "Ban Chỉ đạo",
}
_COMMITTEE_CODES = ("TU", "HU", "THU", "DU")
_BODY_START = r"(?:Ban|Văn phòng|Đảng ủy|Tỉnh ủy|Huyện ủy|Thành ủy|Ủy ban|UBND|Sở|Thường trực)"
# "…, Đảng ủy UBND tỉnh ban hành kế hoạch…", "Văn phòng Tỉnh ủy thông báo ý kiến…"
_BODY_VERB_RE = re.compile(rf"(?:^|[,.;:\n]\s*)({_BODY_START}(?:\s+[\w&]+){{0,7}}?)\s+(ban hành|thông báo)\s+(\w+(?:\s+\w+)?)")


def _issuer_code(number: str) -> str:
    key = number_key(number)
    if re.match(r"^\d+-", key):  # Party style 69-KL/TU, 08-CTr/BDVTU-BDT
        tail = key.split("/", 1)[1] if "/" in key else ""
        return tail.split("-")[0]
    parts = key.split("/")[-1].split("-")  # state style 141/KH-UBND
    return parts[1] if len(parts) > 1 else ""


def _body_in_text(text: str, doc_type: str) -> str:
    """The body that "ban hành <this type>" / "thông báo" in the text, or ""."""
    for m in _BODY_VERB_RE.finditer(normalize_text(text)):
        body, verb, following = m.groups()
        if verb == "thông báo" and doc_type == "Thông báo":
            return body
        if verb == "ban hành" and doc_type and fold_key(following) == fold_key(doc_type):
            return body
    return ""


def _filing_body(recipients: list[str], kind: str) -> str:
    """"Lưu Ban Dân vận Tỉnh ủy." -> "Ban Dân vận Tỉnh ủy" when it is a ``kind``."""
    for entry in recipients:
        entry = _clean(entry).rstrip(" ,;.")
        m = re.match(r"^lưu\s*:?\s*(.+)$", entry, re.IGNORECASE)
        if m and fold_key(m.group(1)).startswith(fold_key(kind) + " "):
            return m.group(1).split(",")[0].strip()
    return ""


def _from_signature(capacity: str, number: str, body: str, recipients: list[str]) -> str:
    m = _CAPACITY_RE.match(capacity)
    if m and m.group(1).upper() in ("T/M", "TM."):
        collective = _recase(m.group(2)) if _is_caps(m.group(2)) else m.group(2)
        if fold_key(collective) != "ban thuong vu":
            return _capitalize(collective)
        # "On behalf of the Standing Committee" of which committee? The text's
        # own wording ("Đảng ủy UBND tỉnh") or the number suffix (ĐU, TU…).
        code = _issuer_code(number) if number else ""
        committee = _ISSUER_CODES.get(code, "") if code in _COMMITTEE_CODES else ""
        if body and (not committee or fold_key(body).startswith(fold_key(committee))):
            committee = body
        return f"Ban Thường vụ {committee}" if committee else ""
    role = m.group(2) if m else capacity
    for head, kind in _ROLE_BODIES:
        if fold(head) in fold(role.upper()):
            return _filing_body(recipients, kind)
    return ""


def _qualify(issuer: str, province: str, district: str) -> str:
    """Add the place a local body belongs to: "Tỉnh ủy" -> "Tỉnh ủy Lai Châu"."""
    key = fold_key(issuer)
    if province and (key.endswith("tinh uy") or key.endswith(" tinh")) and fold_key(province) not in key:
        return f"{issuer} {province}"
    if district and (key.endswith("huyen uy") or key.endswith(" huyen")) and fold_key(district) not in key:
        return f"{issuer} {district}"
    return issuer


# --------------------------------------------------------------------------
# Province and district

# A province named as the destination of a study trip is not the issuer's.
_TRIP_CUES = ("học tập kinh nghiệm", "trao đổi kinh nghiệm", "tham quan", "thăm quan", "đi học tập")


def _in_trip(text: str, start: int) -> bool:
    before = normalize_text(text[max(0, start - 120) : start]).lower()
    before = re.split(r"[.;\n]", before)[-1]  # same sentence only
    return any(cue in before for cue in _TRIP_CUES)


def _province(text: str, place: str) -> tuple[str, str]:
    if place and province_of_place(place):
        return province_of_place(place), "place-date line"
    counts: Counter[str] = Counter()
    explicit: set[str] = set()
    for mention in find_mentions(text):
        if _in_trip(text, mention.start):
            continue
        counts[mention.province] += 1
        if mention.explicit:
            explicit.add(mention.province)
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return "", ""  # silent or undecided: unknown
    best = ranked[0][0]
    return best, "text" if best in explicit else "inferred from place names"


def _district(text: str, place: str, province: str) -> str:
    if place and province_of_place(place) and not is_province(place):
        return place
    counts: Counter[str] = Counter()
    for m in re.finditer(r"(?<!\w)huyện\s+([A-ZĐ]\w*(?:\s+[A-ZĐ]\w*){0,2})", normalize_text(text)):
        if province_of_place(m.group(1)) == province:
            counts[m.group(1)] += 1
    return counts.most_common(1)[0][0] if counts else ""


# --------------------------------------------------------------------------
# Year when no date line

_TEXT_DATE_RE = re.compile(
    r"ngày\s+(?:(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})|(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4}))",
    re.IGNORECASE,
)


def _year_in_title(title: str) -> int | None:
    """ "… năm 2023" in a title; not "đến năm 2025" nor a period "năm 2021 - 2025"."""
    years = set()
    for m in re.finditer(r"(?<!\w)(\w+\s+)?năm\s+(\d{4})(?!\s*[-–]\s*\d)", normalize_text(title), re.IGNORECASE):
        if (m.group(1) or "").strip().lower() not in ("đến", "từ", "sau", "trước"):
            years.add(int(m.group(2)))
    return years.pop() if len(years) == 1 else None


def _year_in_opening(opening: str) -> int | None:
    """Year of the first date in the opening paragraph (a meeting, an event)
    that is not the date of a cited document."""
    paragraph = opening.strip().split("\n\n")[0][:1000]
    cited = [c.end for c in extract_citations(paragraph)]
    for m in _TEXT_DATE_RE.finditer(paragraph):
        if any(0 <= m.start() - end <= 6 for end in cited):
            continue
        day, month, year = m.group(1, 2, 3) if m.group(1) else m.group(4, 5, 6)
        if _iso(day, month, year):
            return int(year)
    return None


# --------------------------------------------------------------------------
# Extraction


# Circulation marks (Luật Bảo vệ bí mật nhà nước 2018; "Lưu hành nội bộ" by
# custom), as a stamp line of their own; the list is the law's, not staff's.
CIRCULATION_MARKS = ("Tuyệt mật", "Tối mật", "Mật", "Lưu hành nội bộ", "Hạn chế phát hành")
_MARK_OF = {fold_key(m): m for m in CIRCULATION_MARKS}
# Where a stamp sits: above the title block, or under the "Nơi nhận".
_MARK_LINES_HEAD, _MARK_LINES_FOOT = 15, 6


def circulation_mark(parsed: ParsedDocument) -> str:
    """The document's circulation mark when a line of its head or foot is
    only that ("MẬT", "- Lưu hành nội bộ -"); "" otherwise. A word in a
    sentence ("mối quan hệ mật thiết") is not a stamp."""
    lines = parsed.text.splitlines()
    lines = [line for line in lines if line.strip()]
    for line in lines[:_MARK_LINES_HEAD] + lines[-_MARK_LINES_FOOT:]:
        plain = re.sub(r"<[^>]*>", " ", line)  # the raw text keeps its <b>
        key = " ".join(re.sub(r"[^\w\s]", " ", fold_key(_clean(plain))).split())
        if key in _MARK_OF:
            return _MARK_OF[key]
    return ""


def extract_metadata(parsed: ParsedDocument) -> Metadata:
    text = nfc(parsed.text)
    meta = Metadata()
    opening = parsed.sections[0].text if parsed.sections else ""
    head = read_head(parsed.head_lines)

    # Type and number.
    if head.doc_type:
        meta.set("doc_type", head.doc_type, "header")
    if head.number:
        meta.set("number", head.number, "header")
    if not meta.doc_type and meta.number:
        code = type_code(number_key(meta.number))
        if type_for_code(code):
            meta.set("doc_type", type_for_code(code), "number suffix")
    if head.title:
        meta.set("title", head.title, "header")

    # Date, or at least the year.
    if head.date:
        meta.set("date", head.date, "place-date line")
        meta.set("year", int(head.date[:4]), "place-date line")
    elif meta.title and _year_in_title(meta.title):
        meta.set("year", _year_in_title(meta.title), "inferred from title")
    elif _year_in_opening(opening):
        meta.set("year", _year_in_opening(opening), "inferred from text")

    # Recipients and signature.
    if parsed.recipients:
        meta.set("recipients", list(parsed.recipients), "Nơi nhận")
    signature = [_clean(line) for line in parsed.signature_lines]
    signature = [line for line in signature if line]
    names = [line for line in signature if _looks_like_name(line)]
    if names:
        meta.set("signer", names[-1], "signature")
    mark = circulation_mark(parsed)
    if mark:
        meta.set("mark", mark, "text")

    # Province (the issuer's), then the issuer.
    province, source = _province(text, head.place)
    if province:
        meta.set("province", province, source)
    issuer, source = _issuer(parsed, text, meta, head, signature, parsed.recipients)
    if issuer:
        district = _district(text, head.place, province)
        meta.set("issuer", _qualify(issuer, province, district), source)
    return meta


def _issuer(parsed, text, meta, head, signature, recipients) -> tuple[str, str]:
    # 1. The document names itself: "(Kèm theo Kế hoạch số 68-KH/ĐU … của Ban Thường vụ …)".
    if meta.number:
        own = number_key(meta.number)
        for c in extract_citations(text):
            if c.key == own and c.issuer:
                return c.issuer, "text"
    # 2. "KẾT LUẬN / CỦA BAN THƯỜNG VỤ TỈNH ỦY".
    if head.issuer:
        return head.issuer, "header"
    capacities = [line for line in signature if not _looks_like_name(line) and not line.startswith("(")]
    # 3. Header block "HUYỆN ỦY SÌN HỒ", signed on behalf of its Standing Committee or not.
    if head.header_body:
        standing = any(fold_key(line) == "t/m ban thuong vu" for line in capacities)
        if standing and not head.header_body.startswith("Ban"):
            return f"Ban Thường vụ {head.header_body}", "header"
        return head.header_body, "header"
    # 4. Signature: "T/M HUYỆN ỦY"; "K/T TRƯỞNG BAN" + "Lưu Ban Dân vận Tỉnh ủy".
    body = _body_in_text(text, meta.doc_type)
    if capacities:
        issuer = _from_signature(capacities[0], meta.number, body, recipients)
        if issuer:
            return issuer, "signature"
    # 5. "Văn phòng Tỉnh ủy thông báo…", "Đảng ủy … ban hành kế hoạch…".
    if body:
        return body, "text"
    # 6. The number's issuer code.
    if meta.number and _issuer_code(meta.number) in _ISSUER_CODES:
        return _ISSUER_CODES[_issuer_code(meta.number)], "number suffix"
    return "", ""


# --------------------------------------------------------------------------
# Sidecar


def load_sidecar(path: Path) -> dict:
    """The sidecar's values; ValueError (DataFileError) naming the file if it is not TOML."""
    return load_toml(path)


def _sidecar_value(name: str, value, sidecar_name: str):
    def wrong(expected: str):
        return ValueError(f"{sidecar_name}: '{name}' phải là {expected}, không phải {value!r}")

    if name == "year":
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong("số nguyên (year = 2021)")
        return value
    if name == "recipients":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise wrong("danh sách chuỗi")
        return [nfc(v) for v in value]
    if name == "date":
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value.isoformat()  # TOML date: date = 2021-04-09
        if isinstance(value, str) and (value == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
            try:
                return value and datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        raise wrong("ngày dạng YYYY-MM-DD")
    if not isinstance(value, str):
        raise wrong("chuỗi")
    return nfc(value)


def apply_sidecar(meta: Metadata, values: dict, sidecar_name: str) -> None:
    """Sidecar values win. Everything is checked before anything is changed."""
    checked = {}
    for name, value in values.items():
        if name not in METADATA_FIELDS:
            raise ValueError(
                f"{sidecar_name}: không có khóa '{name}' (các khóa: {', '.join(METADATA_FIELDS)})"
            )
        checked[name] = _sidecar_value(name, value, sidecar_name)
    date, year = checked.get("date"), checked.get("year")
    if date and year is not None and int(date[:4]) != year:
        raise ValueError(f"{sidecar_name}: 'year' {year} mâu thuẫn với 'date' {date}")
    for name, value in checked.items():
        meta.set(name, value, SIDECAR)
    if date and year is None:
        meta.set("year", int(date[:4]), SIDECAR)


# --------------------------------------------------------------------------
# Numbers recovered from citations

# Issuer code of a number -> words the issuer's name must contain.
_CODE_ISSUER_WORDS = {
    "TU": "tinh uy", "HU": "huyen uy", "THU": "thanh uy", "DU": "dang uy",
    "VPTU": "van phong tinh uy", "BDVTU": "ban dan van tinh uy", "BDVHU": "ban dan van huyen uy",
    "BTGTU": "ban tuyen giao tinh uy",
}
_LOCAL_WORDS = ("tinh", "huyen", "thanh uy", "thanh pho", "dang uy", "xa")


def _words_key(text: str) -> str:
    """fold_key without punctuation: quotes and commas do not decide a match."""
    return " ".join(re.sub(r"[^\w\s]", " ", fold_key(text)).split())


def _subject_key(text: str) -> str:
    key = _words_key(text)
    return key[3:] if key.startswith("ve ") else key


def _subject_matches(subject: str, title: str) -> bool:
    s, t = _subject_key(subject), _subject_key(title)
    if not s or not t:
        return False
    # The end of a cited subject is found by a heuristic and may run on.
    return s == t or (s.startswith(t + " ") and len(t.split()) >= 8)


def _issuer_compatible(cited: str, meta: Metadata, citing: Metadata) -> bool:
    if not cited or not meta.issuer:
        return False
    a = _words_key(cited).replace("btv ", "ban thuong vu ")
    b = _words_key(meta.issuer)
    place = _words_key(meta.province)
    if place and b.endswith(" " + place):
        b = b[: -len(place) - 1]
    if place and a.endswith(" " + place):
        a = a[: -len(place) - 1]
    elif any(w in a.split() or w in a for w in _LOCAL_WORDS):
        # "Ban Thường vụ Tỉnh ủy" without a name: the citing document's province.
        if not meta.province or citing.province != meta.province:
            return False
    return a == b or b == "ban thuong vu " + a


def _matching_citations(target: Metadata, docs) -> list[tuple[str, Citation]]:
    codes = type_codes(target.doc_type)
    found = []
    for doc_id, meta, citations in docs:
        if meta is target:
            continue
        for c in citations:
            code = type_code(c.key)
            words = _CODE_ISSUER_WORDS.get(_issuer_code(c.key))
            if (
                c.doc_type == target.doc_type
                and code in codes
                and (words is None or words in _words_key(target.issuer))
                and _subject_matches(c.subject, target.title)
                and _issuer_compatible(c.issuer, target, meta)
            ):
                found.append((doc_id, c))
    return found


def may_take_number(meta: Metadata) -> bool:
    """Whether resolve_numbers may give this document a number: it has none
    (nor a sidecar saying so) and enough to be recognised by its citers."""
    if meta.number or meta.sources.get("number") == SIDECAR:
        return False
    return bool(meta.doc_type and meta.title and meta.issuer)


def resolve_numbers(docs: list[tuple[str, Metadata, list[Citation]]]) -> None:
    """Give a document without a number the number (and date) that other
    documents cite it by. ``docs`` holds each document's id, metadata and
    the citations of its whole text. Only empty fields are filled; an
    inferred year is replaced by the cited date's year. Nothing happens on
    doubt: several candidate numbers, or a number that is another
    document's own."""
    owners = {number_key(meta.number): doc_id for doc_id, meta, _ in docs if meta.number}
    for doc_id, meta, _ in docs:
        if not may_take_number(meta):
            continue
        matches = _matching_citations(meta, docs)
        keys = {c.key for _, c in matches}
        if len(keys) != 1:
            continue
        key = keys.pop()
        if owners.get(key, doc_id) != doc_id:
            continue
        citing_id, first = min(matches, key=lambda m: (" " in m[1].number, not m[1].date))
        source = cited_in(citing_id)
        meta.set("number", re.sub(r"\s+", "", first.number), source)
        owners[key] = doc_id
        dates = {c.date for _, c in matches if c.date}
        if len(dates) == 1 and not meta.date and meta.sources.get("date") != SIDECAR:
            date = dates.pop()
            dated_in = next(citing for citing, c in matches if c.date == date)
            meta.set("date", date, cited_in(dated_in))
            if meta.year is None or meta.sources.get("year", "").startswith("inferred"):
                meta.set("year", int(date[:4]), cited_in(dated_in))


def document_citations(parsed: ParsedDocument) -> list[Citation]:
    """The citations of a document's whole text, as resolve_numbers reads them."""
    return extract_citations(nfc(parsed.text))


def resolve_from_citations(docs: list[tuple[ParsedDocument, Metadata]]) -> None:
    """resolve_numbers for parsed documents."""
    resolve_numbers([(parsed.doc_id, meta, document_citations(parsed)) for parsed, meta in docs])


# --------------------------------------------------------------------------
# Citation form


def display_date(iso: str | None) -> str:
    """"2021-04-09" → "09/4/2021", as the documents write dates."""
    if not iso:
        return ""
    day = datetime.date.fromisoformat(iso)
    return f"{day.day:02d}/{day.month}/{day.year}"


def formal_citation(meta: Metadata) -> str:
    """ "Kết luận số 69-KL/TU, ngày 09/4/2021 của Ban Thường vụ Tỉnh ủy Lai Châu".

    Without a number the title names the document: "Báo cáo kết quả … năm 2023
    của Ban Dân vận Tỉnh ủy Thái Nguyên". Unknown parts are left out."""
    text = meta.doc_type or "Văn bản"
    if meta.number:
        text += f" số {meta.number}"
    elif meta.title:
        text += " " + _lower_first(meta.title)
    if meta.date:
        text += f", ngày {display_date(meta.date)}"
    elif meta.year and str(meta.year) not in text:
        text += f" năm {meta.year}"
    if meta.issuer:
        text += f" của {meta.issuer}"
    return text
