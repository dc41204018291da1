"""A company's name as a key, so that "Huawei Technologies Co., Ltd." on a registration and
"Huawei Technologies" in the catalogue are recognised as one (a person's own company is never
recommended to them, nor they to it)."""

from __future__ import annotations

import re

_WORDS = re.compile(r"[^\W_]+")
# Legal forms and filler, in both languages: they say nothing about who the company is.
LEGAL_EN = frozenset(
    "co ltd limited inc incorporated corp corporation company group holdings plc llc gmbh ag sa "
    "the".split()
)
LEGAL_ZH = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "股份")


def company_key(name: str) -> str:
    """The comparable form of a company name: case-folded, punctuation and legal forms out
    ("" for no name)."""
    words = [w for w in _WORDS.findall((name or "").casefold()) if w not in LEGAL_EN]
    key = "".join(words)
    changed = True
    while changed and key:
        changed = False
        for suffix in LEGAL_ZH:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                changed = True
    return key
