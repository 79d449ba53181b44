"""Document numbers (số ký hiệu): finding them in text and normalising them.

Party style ``69-KL/TU``, ``08-CTr/BDVTU-BDT``; state style ``1219/QĐ-TTg``,
``162/2017/NĐ-CP``, ``88/2019/QH14``. OCR and typing noise (``69 -KL/TU``,
``310- QĐ/TU``, en-dashes, ``QD`` for ``QĐ``, lower case) must give one key.

>>> number_key("69 -kl/tu") == number_key("69-KL/TU") == "69-KL/TU"
True
>>> number_key("68-KH/ĐU"), number_key("1219/QĐ-TTg")
('68-KH/DU', '1219/QD-TTG')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzers.normalize import fold, nfc

_DASH = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_D = f"[{_DASH}]"
_CODE = r"[A-ZĐÐ][A-Za-zĐđÐ]*"
_CODE_NUM = r"[A-ZĐÐ][A-Za-zĐđÐ0-9]*"

# <number>-<type>/<issuer>[-<issuer>...]   e.g. 69-KL/TU, 08-CTr/BDVTU-BDT
_PARTY = rf"\d{{1,5}}\s*{_D}\s*{_CODE}\s*/\s*{_CODE}(?:{_D}{_CODE})*"
# <number>[/<year>]/<type>[-<issuer>...]   e.g. 1219/QĐ-TTg, 162/2017/NĐ-CP
_STATE = rf"\d{{1,5}}(?:/\d{{4}})?/{_CODE_NUM}(?:{_D}{_CODE_NUM})*"

# Both forms start with a digit: said first, so that re tries the rest only
# where there is one.
NUMBER_PATTERN = rf"(?=\d)(?<![\w/])(?:{_PARTY}|{_STATE})(?![\w/])"
# In documents the codes are capitalised; requiring it avoids "4%/năm"-like
# false hits. Queries are typed in any case.
NUMBER_RE = re.compile(NUMBER_PATTERN)
QUERY_NUMBER_RE = re.compile(NUMBER_PATTERN, re.IGNORECASE)


def number_key(number: str) -> str:
    """The normalised form used in the exact ``number``/``cites`` fields."""
    text = fold(nfc(number)).upper()
    text = re.sub(_D, "-", text)
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class NumberMatch:
    text: str  # as written, e.g. "69 -KL/TU"
    key: str  # normalised, e.g. "69-KL/TU"
    start: int
    end: int


def type_code(key: str) -> str:
    """The type code of a normalised number: "69-KL/TU" → "KL", "1219/QD-TTG" → "QD"."""
    return next((part for part in re.split(r"[-/]", key) if part and not part.isdigit()), "")


def find_numbers(text: str, *, query: bool = False) -> list[NumberMatch]:
    pattern = QUERY_NUMBER_RE if query else NUMBER_RE
    found = []
    for m in pattern.finditer(text):
        raw = m.group(0)
        # A state-style hit made only of digits and a year is a date, not a number.
        if not re.search(r"[A-Za-zĐđÐ]", raw):
            continue
        found.append(NumberMatch(raw, number_key(raw), m.start(), m.end()))
    return found


# Numbers typed loosely in a query: the type code and the number without the
# issuer ("kl 69", "KL69", "69 KL"), or with it but spaced ("69 KL TU").
_CODES = r"(?:KL|BC|KH|TB|NQ|CT|CTR|QĐ|QD|QĐI|QDI|QC|HD|ĐA|DA|TTR|CV|NĐ|ND|TT)"
# The issuer code counts only when typed in capitals ("69 KL TU"): in
# lower case it is as likely a word ("kl 69 tu tuong").
_ISSUER = r"(?:\s*[/\s]\s*(?P<issuer>(?-i:[A-ZĐ]{1,8})))?"
_LOOSE_RES = (
    # code then number: "KL69", "kl 69", "KL-69", "NQ 25 TW"
    re.compile(rf"(?<![\w/])(?P<code>{_CODES})\s*-?\s*(?P<n>\d{{1,5}}){_ISSUER}(?![\w/])", re.IGNORECASE),
    # number then code: "69 KL TU", "69 KL/TU", "69 kl"
    re.compile(rf"(?<![\w/])(?P<n>\d{{1,5}})\s*[-\s]\s*(?P<code>{_CODES}){_ISSUER}(?![\w/])", re.IGNORECASE),
)
# Years are not document numbers ("TB 2015" is a year, not Thông báo số 2015).
_YEARS = range(1945, 2101)


@dataclass(frozen=True)
class LooseNumber:
    digits: str
    code: str  # folded upper case: "KL", "QD"
    key: str  # the full key when the issuer was typed, else ""
    start: int
    end: int

    def matches(self, key: str) -> bool:
        """Whether a full number key is one this loose form may mean."""
        if self.key:
            return key == self.key
        return bool(re.match(rf"{self.digits}(?:-{self.code}/|/(?:\d{{4}}/)?{self.code}-)", key))


def find_loose_numbers(text: str) -> list[LooseNumber]:
    """Loose number forms in a query, in text order, without overlaps."""
    found: list[LooseNumber] = []
    for pattern in _LOOSE_RES:
        for m in pattern.finditer(text):
            digits = m.group("n").lstrip("0") or "0"
            if int(digits) in _YEARS or any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            code = fold(m.group("code")).upper()
            issuer = m.groupdict().get("issuer")
            key = number_key(f"{digits}-{code}/{issuer}") if issuer else ""
            found.append(LooseNumber(digits, code, key, m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)
