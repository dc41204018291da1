"""Recognising a person's own company, so that it is never recommended to them, nor they to it.

A registration says "HUAWEI Technologies Co., Ltd." where the catalogue says "Huawei", and
"华为技术有限公司" where it says "华为". Names are compared as keys (`company_key`: case-folded
words, punctuation and legal forms out) and two keys name one company when one is the other's
leading words ("huawei" and "huawei technologies"), or, in Chinese, its leading characters
("华为" and "华为技术"). `CompanyIndex` finds them without comparing every pair.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

_WORDS = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# Legal forms and filler, in both languages: they say nothing about who the company is.
LEGAL_EN = frozenset(
    [
        "co",
        "ltd",
        "limited",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "company",
        "group",
        "holdings",
        "plc",
        "llc",
        "gmbh",
        "ag",
        "sa",
        "the",
    ]
)
LEGAL_ZH = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "股份")
# A Chinese key shorter than this is too common a start to name a company alone.
CJK_MIN = 2


def _strip_zh(word: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in LEGAL_ZH:
            if word.endswith(suffix) and len(word) > len(suffix):
                word = word[: -len(suffix)]
                changed = True
    return word


def company_key(name: str) -> str:
    """The comparable form of a company name: its words, case-folded, legal forms out, joined
    by single spaces ("" for no name)."""
    words = [w for w in _WORDS.findall((name or "").casefold()) if w not in LEGAL_EN]
    return " ".join(_strip_zh(w) if _CJK.match(w) else w for w in words)


def same_company(a: str, b: str) -> bool:
    """Whether two keys name one company (see the module's rule)."""
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    if long == short or long.startswith(short + " "):
        return True
    return bool(_CJK.match(short)) and len(short) >= CJK_MIN and long.startswith(short)


def _bucket(key: str) -> str:
    first = key.split(" ", 1)[0]
    return first[:CJK_MIN] if _CJK.match(first) else first


class CompanyIndex:
    """Keys → the ids that carry them, to find every id of the same company as a key."""

    def __init__(self, pairs: Iterable[tuple[str, int]]):
        self._buckets: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for key, pk in pairs:
            if key:
                self._buckets[_bucket(key)][key].add(pk)

    def matching(self, key: str) -> frozenset[int]:
        """The ids whose key names the same company as `key`."""
        if not key:
            return frozenset()
        found: set[int] = set()
        for other, ids in self._buckets.get(_bucket(key), {}).items():
            if same_company(key, other):
                found |= ids
        return frozenset(found)
