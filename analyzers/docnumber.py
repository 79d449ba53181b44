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

NUMBER_PATTERN = rf"(?<![\w/])(?:{_PARTY}|{_STATE})(?![\w/])"
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
