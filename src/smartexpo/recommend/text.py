"""Tokens for the content model: Chinese runs cut into words by jieba, Latin runs lower-cased.

Profiles, showcases and abstracts are bilingual (and a visitor may write a title in either
language), so one tokenizer feeds both languages into one TF-IDF vocabulary. Chinese has no
spaces: a run of CJK characters goes through jieba; everything else is split into words of
letters and digits ("5G", "iot", "ai").
"""

from __future__ import annotations

import logging
import re
import threading

# A run of CJK ideographs (the basic block and extension A), or a Latin/digit word.
_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# Words that say nothing about what a firm does; without them "co ltd" would make every
# company look alike.
STOP_EN = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "the",
        "their",
        "this",
        "to",
        "with",
        "we",
        "you",
        "your",
        "co",
        "ltd",
        "inc",
        "llc",
        "corp",
        "company",
        "group",
        "limited",
    ]
)
STOP_ZH = frozenset(
    [
        "的",
        "和",
        "与",
        "及",
        "是",
        "在",
        "为",
        "等",
        "了",
        "将",
        "并",
        "对",
        "以",
        "其",
        "中",
        "上",
        "有限公司",
        "公司",
        "集团",
        "股份",
    ]
)

_lock = threading.Lock()
_ready = False
# jieba, imported on the first text cut, not when Django starts: every server start, worker boot
# and CLI call loaded it for nothing.
_jieba = None


def _initialise() -> None:
    """Load jieba's dictionary once, quietly, and only once under concurrent first calls."""
    global _ready, _jieba
    with _lock:
        if not _ready:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
            _ready = True


def tokens(text: str) -> list[str]:
    """The words of `text`: jieba for Chinese runs, lower-cased words for Latin (stop words out)."""
    if not _ready:
        _initialise()
    out: list[str] = []
    for run in _RUNS.findall(text or ""):
        if _CJK.match(run):
            out.extend(w for w in _jieba.lcut(run, HMM=False) if w not in STOP_ZH)
        else:
            word = run.lower()
            if word not in STOP_EN and (len(word) > 1 or word.isdigit()):
                out.append(word)
    return out
