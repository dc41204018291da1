"""The recommendation engine: hybrid scores of people and items (exhibitors, sessions), pure.

No ORM here: the runtime (the rest of this app) turns rows into `Item` and `Person`, builds a
`Model` with `build`, stores `Model.dumps()` and serves `Model.loads(...)`. The evaluation
(`evaluation.py`) drives the very same code over a synthetic world.

A pair (person p, item i) gets six components, each in [0, 1], all of them *absolute* (never
relative to p's other candidates), so the same pair scores the same from either side:

- ``text``: cosine of TF-IDF vectors (jieba + Latin words, `text.tokens`). An item's vector is
  its text; a person's is their company/title plus the names of their declared sectors and tags,
  blended with the centroid of the items in their history;
- ``category``: sector and tag overlap, with the declared profile and with the sectors and tags
  of the items the person visited;
- ``intent``: 1 when an intent fits the item (a buyer and a seller of a declared sector; a
  partner or investor and a firm of their sector or tags; a learner and a session on them);
- ``behaviour``: item-item co-visitation (cosine of the columns of the person × item matrix of
  histories), averaged over the person's history and scaled by the model's typical similarity;
- ``hall``: the item stands in a hall the person visited;
- ``popularity``: log of how many people visited the item, over the busiest item's.

The forward score (what the person gains) mixes them with `WEIGHTS[mode]`; the reverse score
(what the exhibitor gains) values overlap, text and the person's intents (a buyer more than a
learner); the reciprocal score of a pair is the harmonic mean of the two.
"""

from __future__ import annotations

import io
import json
import math
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from smartexpo.recommend.text import tokens

KINDS = ("exhibitor", "session")
MODES = ("hybrid", "content", "behaviour", "popularity")
INTENTS = ("buy", "partner", "invest", "learn", "recruit")
COMPONENTS = ("text", "category", "intent", "behaviour", "hall", "popularity")

# Forward weights per mode, over COMPONENTS. Set by hand from what each signal means, not fitted
# to the evaluation's world: content and category carry a profile, behaviour (when a history
# exists) what people with the same visits went on to see, popularity is a small prior and the
# tie-break. The tiny popularity weight of the single-signal modes only orders ties.
WEIGHTS: dict[str, tuple[float, ...]] = {
    "hybrid": (0.30, 0.30, 0.10, 0.45, 0.05, 0.10),
    "content": (0.40, 0.45, 0.15, 0.0, 0.0, 0.001),
    "behaviour": (0.0, 0.0, 0.0, 1.0, 0.0, 0.001),
    "popularity": (0.0, 0.0, 0.0, 0.0, 0.0, 1.0),
}
_WEIGHTS_BY_NAME = {
    mode: dict(zip(COMPONENTS, weights, strict=True)) for mode, weights in WEIGHTS.items()
}
# What a visitor's intent is worth to an exhibitor meeting them (the reverse side).
INTENT_VALUE = {"buy": 1.0, "invest": 0.9, "partner": 0.8, "recruit": 0.5, "learn": 0.4}
NO_INTENT_VALUE = 0.3
REVERSE_WEIGHTS = (0.25, 0.45, 0.30)  # text, category, intent value

# Thresholds above which a component is named as a reason.
TEXT_REASON = 0.10
BEHAVIOUR_REASON = 0.25
POPULAR_REASON = 0.75


@dataclass(frozen=True)
class Item:
    key: int
    kind: str  # "exhibitor" | "session"
    sectors: tuple[str, ...]
    tags: tuple[str, ...]
    text: str  # all its text, English and Chinese
    company: str = ""  # normalised name; a person of the same company is never matched with it
    hall: str = ""
    sells: bool = True


@dataclass(frozen=True)
class Person:
    key: int
    sectors: tuple[str, ...]
    tags: tuple[str, ...]
    intents: tuple[str, ...]
    text: str = ""
    company: str = ""
    history: Mapping[int, float] = field(default_factory=dict)  # item key → weight
    opted_in: bool = False


@dataclass
class Reason:
    code: str  # same_sector, shared_tags, intent_match, similar_text, visited_hall, ...
    params: dict[str, str]


@dataclass
class Scored:
    key: int
    score: float
    reasons: list[Reason]


def normalise_company(name: str) -> str:
    """The comparable form of a company name: case and spacing do not tell two firms apart."""
    return " ".join((name or "").casefold().split())


@dataclass
class People:
    """Many persons encoded for vectorised scoring (`Model.encode`); reusable across items."""

    keys: np.ndarray
    text: sparse.csr_matrix  # n × vocabulary, rows L2-normalised
    sectors: np.ndarray  # n × sectors: declared ∨ visited affinity, in [0, 1]
    tags: np.ndarray  # n × tags, likewise
    declared_sectors: np.ndarray  # n × sectors, 0/1
    declared_tags: np.ndarray  # n × tags, 0/1
    intents: np.ndarray  # n × INTENTS, 0/1
    history: sparse.csr_matrix  # n × items, weights
    halls: np.ndarray  # n × halls, 0/1
    companies: list[str]
    opted_in: np.ndarray


class Model:
    """A built model: item vectors, item-item co-visitation, popularity; see the module doc."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict) -> None:
        self.meta = meta
        self.keys = arrays["keys"].astype(np.int64)
        self.index = {int(k): n for n, k in enumerate(self.keys)}
        self.kind = arrays["kind"].astype(np.int8)
        self.sells = arrays["sells"].astype(bool)
        self.item_sectors = np.ascontiguousarray(arrays["item_sectors"], dtype=np.float32)
        self.item_tags = np.ascontiguousarray(arrays["item_tags"], dtype=np.float32)
        self.hall = arrays["hall"].astype(np.int32)
        self.X = sparse.csr_matrix(
            (arrays["x_data"], arrays["x_indices"], arrays["x_indptr"]),
            shape=tuple(int(v) for v in arrays["x_shape"]),
        )
        self.idf = arrays["idf"].astype(np.float32)
        # C order: a sparse history times this matrix would otherwise copy it on every call.
        self.sim = np.ascontiguousarray(arrays["sim"], dtype=np.float32)
        self.popularity = arrays["popularity"].astype(np.float32)
        self.vocab = {term: n for n, term in enumerate(meta["vocab"])}
        self.sectors: list[str] = meta["sectors"]
        self.tags: list[str] = meta["tags"]
        self.halls: list[str] = meta["halls"]
        self.companies: list[str] = meta["companies"]
        self.labels: dict[str, str] = meta["labels"]
        self.scale = float(meta["scale"])
        self._companies = np.asarray(self.companies, dtype=str)
        self.XT = sparse.csr_matrix(self.X.T)
        self._sector_ix = {s: n for n, s in enumerate(self.sectors)}
        self._tag_ix = {t: n for n, t in enumerate(self.tags)}
        self._hall_ix = {h: n for n, h in enumerate(self.halls)}
        # Tags per item summing to one: an item with one matching tag of two scores 0.5.
        per_item = self.item_tags.sum(axis=1, keepdims=True)
        self._tags_share = np.divide(
            self.item_tags, per_item, out=np.zeros_like(self.item_tags), where=per_item > 0
        )
        # Each item's sector and tag codes, in the model's order: what `_reasons` names, read
        # here once rather than from the 0/1 rows for every explained item.
        self._item_sector_codes = [
            [self.sectors[k] for k in np.flatnonzero(row)] for row in self.item_sectors
        ]
        self._hall_of = self.hall.tolist()
        self._label_tokens: dict[str, list[str]] = {}
        self._item_tag_codes = [
            [self.tags[k] for k in np.flatnonzero(row)] for row in self.item_tags
        ]

    # --- encoding ---------------------------------------------------------------------------
    def vectorise(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """TF-IDF rows for `texts` in the items' vocabulary (sublinear tf × idf, L2), as built."""
        return self._vectorise_words([tokens(text) for text in texts])

    def _vectorise_words(self, words: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """`vectorise` of texts already cut into words. Each row's columns are written sorted,
        the canonical form the COO route gave (and thus the same sums, in the same order)."""
        indptr, cols, vals = [0], [], []
        for these in words:
            counts = Counter(self.vocab[t] for t in these if t in self.vocab)
            for col in sorted(counts):
                cols.append(col)
                vals.append((1.0 + math.log(counts[col])) * self.idf[col])
            indptr.append(len(cols))
        m = sparse.csr_matrix(
            (
                np.asarray(vals, dtype=np.float32),
                np.asarray(cols, dtype=np.int32),
                np.asarray(indptr, dtype=np.int32),
            ),
            shape=(len(words), len(self.vocab)),
        )
        return _l2_rows(m)

    def _label_words(self, code: str) -> list[str]:
        """The words of a sector's or tag's label, cut once per model."""
        found = self._label_tokens.get(code)
        if found is None:
            found = tokens(self.labels.get(code, ""))
            self._label_tokens[code] = found
        return found

    def encode(self, people: Sequence[Person]) -> People:
        """Encode persons once for `rank_people` over many items (and for `recommend`)."""
        n, n_items = len(people), len(self.keys)
        # Written in canonical form (each row's columns sorted, each once), as the COO route
        # summed and sorted it, without that route's conversions.
        hist_ptr, hist_cols, hist_vals = [0], [], []
        for p in people:
            found: dict[int, float] = {}
            for key, weight in p.history.items():
                col = self.index.get(int(key))
                if col is not None and weight > 0:
                    found[col] = found.get(col, 0.0) + float(weight)
            for col in sorted(found):
                hist_cols.append(col)
                hist_vals.append(found[col])
            hist_ptr.append(len(hist_cols))
        history = sparse.csr_matrix(
            (
                np.asarray(hist_vals, dtype=np.float32),
                np.asarray(hist_cols, dtype=np.int32),
                np.asarray(hist_ptr, dtype=np.int32),
            ),
            shape=(n, n_items),
        )
        history.sum_duplicates()
        declared_s = self._onehot([p.sectors for p in people], self._sector_ix)
        declared_t = self._onehot([p.tags for p in people], self._tag_ix)
        # What the visits say: the share of the history's weight by sector and tag, scaled so
        # that the person's main sector counts as much as a declared one.
        visited_s = _max_scaled(history @ self.item_sectors)
        visited_t = _max_scaled(history @ self._tags_share)
        # The words of the person's text and of their sectors' and tags' labels: what
        # `vectorise` of those joined by spaces would cut (no word spans a space), the labels'
        # cut once per model.
        own = self._vectorise_words(
            [
                [*tokens(p.text), *(w for c in (*p.sectors, *p.tags) for w in self._label_words(c))]
                for p in people
            ]
        )
        visited_text = _l2_rows(sparse.csr_matrix(history @ self.X))
        text = _l2_rows(sparse.csr_matrix(own + visited_text))
        hall_rows, hall_cols = history.nonzero()
        halls = np.zeros((n, len(self.halls)), dtype=np.float32)
        item_halls = self.hall[hall_cols]
        known = item_halls >= 0
        halls[hall_rows[known], item_halls[known]] = 1.0
        intents = self._onehot([p.intents for p in people], {c: k for k, c in enumerate(INTENTS)})
        return People(
            keys=np.asarray([p.key for p in people], dtype=np.int64),
            text=text,
            sectors=np.maximum(declared_s, visited_s),
            tags=np.maximum(declared_t, visited_t),
            declared_sectors=declared_s,
            declared_tags=declared_t,
            intents=intents,
            history=history,
            halls=halls,
            companies=[normalise_company(p.company) for p in people],
            opted_in=np.asarray([p.opted_in for p in people], dtype=bool),
        )

    def _onehot(self, codes: Sequence[Iterable[str]], index: Mapping[str, int]) -> np.ndarray:
        out = np.zeros((len(codes), len(index)), dtype=np.float32)
        for row, these in enumerate(codes):
            for code in these:
                col = index.get(code)
                if col is not None:
                    out[row, col] = 1.0
        return out

    # --- components -------------------------------------------------------------------------
    def components(self, people: People, cols: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Every component for every (person, item) of `people` × `cols` (item indexes; None:
        every item, without copying the model's arrays)."""

        def pick(a: np.ndarray) -> np.ndarray:
            return a if cols is None else a[cols]

        if cols is None:
            text = (people.text @ self.XT).toarray()
        else:
            text = (people.text @ self.X[cols].T).toarray()
        s_items = pick(self.item_sectors)
        sector = np.minimum(people.sectors @ s_items.T, 1.0)
        tag = people.tags @ pick(self._tags_share).T
        category = 0.6 * sector + 0.4 * tag
        same_sector = (people.declared_sectors @ s_items.T) > 0
        shared_tags = (people.declared_tags @ pick(self.item_tags).T) > 0
        is_session = pick(self.kind) == KINDS.index("session")
        sells = pick(self.sells) & ~is_session
        it = {c: people.intents[:, k : k + 1] > 0 for k, c in enumerate(INTENTS)}
        intent = (
            (it["buy"] & same_sector & sells)
            | ((it["partner"] | it["invest"]) & (same_sector | shared_tags) & ~is_session)
            | (it["learn"] & (same_sector | shared_tags) & is_session)
        ).astype(np.float32)
        wsum = np.asarray(people.history.sum(axis=1), dtype=np.float32)
        sim = self.sim if cols is None else self.sim[:, cols]
        co = np.asarray(people.history @ sim, dtype=np.float32)
        behaviour = np.minimum(
            np.divide(co, wsum * self.scale, out=np.zeros_like(co), where=wsum > 0), 1.0
        )
        item_halls = pick(self.hall)
        hall = np.zeros((people.halls.shape[0], len(item_halls)), dtype=np.float32)
        known = item_halls >= 0
        hall[:, known] = people.halls[:, item_halls[known]]
        popularity = np.broadcast_to(pick(self.popularity), hall.shape)
        return {
            "text": text.astype(np.float32),
            "category": category.astype(np.float32),
            "intent": intent,
            "behaviour": behaviour,
            "hall": hall,
            "popularity": popularity,
        }

    def _forward(self, comp: Mapping[str, np.ndarray], mode: str) -> np.ndarray:
        weights = WEIGHTS[mode]
        total = sum(weights)
        return sum(w * comp[c] for w, c in zip(weights, COMPONENTS, strict=True) if w) / total

    def _reverse(self, comp: Mapping[str, np.ndarray], people: People) -> np.ndarray:
        values = np.asarray([INTENT_VALUE[c] for c in INTENTS], dtype=np.float32)
        wanted = (people.intents * values).max(axis=1, initial=0.0)
        wanted = np.where(wanted > 0, wanted, NO_INTENT_VALUE)[:, None]
        wt, wc, wi = REVERSE_WEIGHTS
        return (wt * comp["text"] + wc * comp["category"] + wi * wanted) / sum(REVERSE_WEIGHTS)

    @staticmethod
    def _harmonic(forward: np.ndarray, reverse: np.ndarray) -> np.ndarray:
        total = forward + reverse
        return np.divide(2 * forward * reverse, total, out=np.zeros_like(total), where=total > 0)

    # --- the public side --------------------------------------------------------------------
    def recommend(
        self,
        person: Person,
        *,
        kind: str = "exhibitor",
        mode: str = "hybrid",
        limit: int = 10,
        exclude: frozenset[int] = frozenset(),
        exclude_seen: bool = True,
    ) -> list[Scored]:
        """The best `limit` items of `kind` for `person`, by the forward score of `mode`.

        Never the items in `exclude` nor those of the person's own company; with `exclude_seen`
        (the default) not the items already in their history either."""
        if mode not in WEIGHTS:
            raise ValueError(f"unknown mode {mode!r}")
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        mask = self.kind == KINDS.index(kind)
        company = normalise_company(person.company)
        if company:
            mask &= self._companies != company
        banned = set(exclude) | (set(person.history) if exclude_seen else set())
        for key in banned:
            n = self.index.get(int(key))
            if n is not None:
                mask[n] = False
        cols = np.flatnonzero(mask)
        if not len(cols) or limit <= 0:
            return []
        people = self.encode([person])
        # Every item at once (no copies of the model's arrays), then the candidates.
        comp = self.components(people)
        full = self._forward(comp, mode)[0]
        score = full[cols]
        # Highest score first; ties by the item key, so a ranking never depends on memory order.
        order = cols[np.lexsort((self.keys[cols], -score))[:limit]]
        declared = self._declared(people, 0)
        # The explained items' values as Python floats, read in one go per component.
        values = {c: comp[c][0, order].tolist() for c in COMPONENTS}
        return [
            Scored(
                key,
                score,
                self._explain({c: values[c][n] for c in COMPONENTS}, j, mode, declared),
            )
            for n, (j, key, score) in enumerate(
                zip(order.tolist(), self.keys[order].tolist(), full[order].tolist(), strict=True)
            )
        ]

    def rank_people(
        self,
        item_key: int,
        people: Sequence[Person] | People,
        *,
        limit: int = 20,
        exclude: frozenset[int] = frozenset(),
    ) -> list[Scored]:
        """The persons most worth meeting for the item (an exhibitor), by the reciprocal score.

        Only persons who opted in; never those in `exclude` nor the item's own company's staff.
        Reasons are the person's side of the match (what they share with the item)."""
        col = self.index.get(int(item_key))
        if col is None or limit <= 0:
            return []
        enc = people if isinstance(people, People) else self.encode(people)
        cols = np.asarray([col])
        comp = self.components(enc, cols)
        score = self._harmonic(self._forward(comp, "hybrid"), self._reverse(comp, enc))[:, 0]
        keep = enc.opted_in.copy()
        if exclude:
            keep &= ~np.isin(enc.keys, np.fromiter(exclude, dtype=np.int64))
        company = self.companies[col]
        if company:
            keep &= np.asarray([c != company for c in enc.companies], dtype=bool)
        rows = np.flatnonzero(keep)
        order = rows[np.lexsort((enc.keys[rows], -score[rows]))][:limit]
        return [
            Scored(
                int(enc.keys[r]),
                float(score[r]),
                self._reasons(comp, enc, int(r), 0, col, "hybrid"),
            )
            for r in order
        ]

    def reciprocal(self, person: Person, item_key: int) -> float:
        """The pair's symmetric score: the harmonic mean of the person's and the item's side."""
        col = self.index.get(int(item_key))
        if col is None:
            return 0.0
        people = self.encode([person])
        comp = self.components(people, np.asarray([col]))
        both = self._harmonic(self._forward(comp, "hybrid"), self._reverse(comp, people))
        return float(both[0, 0])

    def _declared(self, people: People, row: int) -> tuple[set[str], set[str], list[str]]:
        """The person's declared sectors, tags and intents (codes): what `_reasons` compares."""
        return (
            {self.sectors[k] for k in np.flatnonzero(people.declared_sectors[row])},
            {self.tags[k] for k in np.flatnonzero(people.declared_tags[row])},
            [c for k, c in enumerate(INTENTS) if people.intents[row, k]],
        )

    def _reasons(
        self,
        comp: Mapping[str, np.ndarray],
        people: People,
        row: int,
        j: int,
        col: int,
        mode: str,
        declared: tuple[set[str], set[str], list[str]] | None = None,
    ) -> list[Reason]:
        """Why the pair scores, strongest contribution first, as codes for the runtime to name.

        `declared` is `_declared(people, row)`, when the caller explains many items for one row."""
        values = {c: float(comp[c][row, j]) for c in COMPONENTS}
        if declared is None:
            declared = self._declared(people, row)
        return self._explain(values, col, mode, declared)

    def _explain(
        self,
        values: Mapping[str, float],
        col: int,
        mode: str,
        declared: tuple[set[str], set[str], list[str]],
    ) -> list[Reason]:
        """`_reasons` of one pair from its components' values (Python floats, each read from
        the float32 arrays: every comparison below is exact in either width)."""
        weights = _WEIGHTS_BY_NAME[mode]
        found: list[tuple[float, Reason]] = []
        item_s = self._item_sector_codes[col]
        item_t = self._item_tag_codes[col]
        dec_s, dec_t, intents = declared
        if weights["category"]:
            shared_s = [s for s in item_s if s in dec_s]
            shared_t = [t for t in item_t if t in dec_t]
            value = weights["category"] * values["category"]
            if shared_s:
                found.append((value, Reason("same_sector", {"sector": shared_s[0]})))
            if shared_t:
                found.append((value * 0.9, Reason("shared_tags", {"tags": ",".join(shared_t)})))
        if weights["intent"] and values["intent"] > 0:
            found.append(
                (
                    weights["intent"],
                    Reason(
                        "intent_match",
                        {"intent": intents[0], "sector": item_s[0] if item_s else ""},
                    ),
                )
            )
        if weights["text"] and values["text"] >= TEXT_REASON:
            found.append((weights["text"] * values["text"], Reason("similar_text", {})))
        if weights["behaviour"] and values["behaviour"] >= BEHAVIOUR_REASON:
            value = weights["behaviour"] * values["behaviour"]
            found.append((value, Reason("visitors_like_you", {})))
        hall = self._hall_of[col]
        if weights["hall"] and hall >= 0 and values["hall"] > 0:
            found.append((weights["hall"], Reason("visited_hall", {"hall": self.halls[hall]})))
        popularity = values["popularity"]
        if popularity >= POPULAR_REASON or not found:
            found.append((weights["popularity"] * popularity, Reason("popular", {})))
        found.sort(key=lambda pair: -pair[0])
        return [reason for _value, reason in found]

    # --- storage ----------------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "keys": self.keys,
            "kind": self.kind,
            "sells": self.sells,
            "item_sectors": self.item_sectors.astype(np.uint8),
            "item_tags": self.item_tags.astype(np.uint8),
            "hall": self.hall,
            "x_data": self.X.data.astype(np.float32),
            "x_indices": self.X.indices.astype(np.int32),
            "x_indptr": self.X.indptr.astype(np.int64),
            "x_shape": np.asarray(self.X.shape, dtype=np.int64),
            "idf": self.idf,
            "sim": self.sim,
            "popularity": self.popularity,
        }

    def dumps(self) -> bytes:
        """The model as bytes: numpy arrays and a JSON header in an .npz, no pickled objects."""
        buffer = io.BytesIO()
        meta = np.frombuffer(json.dumps(self.meta, ensure_ascii=False).encode(), dtype=np.uint8)
        np.savez_compressed(buffer, meta=meta, **self.arrays())
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> Model:
        """The model `dumps` wrote (pickle refused: the bytes carry data only)."""
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
        return cls(arrays, meta)


def _l2_rows(m: sparse.spmatrix) -> sparse.csr_matrix:
    m = sparse.csr_matrix(m, dtype=np.float32, copy=True)
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    norms = np.sqrt(np.bincount(rows, weights=m.data.astype(np.float64) ** 2, minlength=m.shape[0]))
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    m.data *= scale[rows].astype(np.float32)
    return m


def _max_scaled(m) -> np.ndarray:
    """Rows scaled so their largest value is 1 (rows of zeros stay zero)."""
    m = np.asarray(m, dtype=np.float32)
    top = m.max(axis=1, keepdims=True) if m.shape[1] else np.zeros((m.shape[0], 1), np.float32)
    return np.divide(m, top, out=np.zeros_like(m), where=top > 0)


def _histories_matrix(
    histories: Iterable[Mapping[int, float]], index: Mapping[int, int]
) -> sparse.csr_matrix:
    """The person × item matrix of weights. Typed arrays, not lists: 700,000 persons' visits
    stay a few bytes each while the histories stream in."""
    indptr = array("q", [0])
    cols = array("i")
    vals = array("f")
    for history in histories:
        for key, weight in history.items():
            col = index.get(key)
            if col is not None and weight > 0:
                cols.append(col)
                vals.append(weight)
        indptr.append(len(cols))
    m = sparse.csr_matrix(
        (
            np.frombuffer(vals, dtype=np.float32),
            np.frombuffer(cols, dtype=np.int32),
            np.frombuffer(indptr, dtype=np.int64),
        ),
        shape=(len(indptr) - 1, len(index)),
    )
    m.sum_duplicates()
    return m


def build(
    items: Sequence[Item],
    histories: Iterable[Mapping[int, float]],
    *,
    seed: int = 0,
    labels: Mapping[str, str] | None = None,
) -> Model:
    """Build a model from the items and everybody's histories (item key → weight).

    `labels` names sector and tag codes (English and Chinese), so that a person's declared
    sectors and tags reach the text model too. The build is deterministic; `seed` is recorded
    with the model for builds that sample."""
    items = sorted(items, key=lambda it: it.key)
    keys = np.asarray([it.key for it in items], dtype=np.int64)
    index = {int(k): n for n, k in enumerate(keys)}
    if len(index) != len(items):
        raise ValueError("item keys must be unique")
    sectors = sorted({s for it in items for s in it.sectors})
    tags = sorted({t for it in items for t in it.tags})
    halls = sorted({it.hall for it in items if it.hall})
    s_ix = {s: n for n, s in enumerate(sectors)}
    t_ix = {t: n for n, t in enumerate(tags)}
    h_ix = {h: n for n, h in enumerate(halls)}
    item_sectors = np.zeros((len(items), len(sectors)), dtype=np.uint8)
    item_tags = np.zeros((len(items), len(tags)), dtype=np.uint8)
    for n, it in enumerate(items):
        item_sectors[n, [s_ix[s] for s in it.sectors]] = 1
        item_tags[n, [t_ix[t] for t in it.tags]] = 1
    # Imported by a build only: serving a model needs numpy and scipy, not scikit-learn, and
    # the import cost every Django start (server, worker, CLI) about a second.
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        tokenizer=tokens, lowercase=False, token_pattern=None, sublinear_tf=True, dtype=np.float32
    )
    try:
        X = sparse.csr_matrix(vectorizer.fit_transform([it.text for it in items]))
        vocab = [""] * len(vectorizer.vocabulary_)
        for term, col in vectorizer.vocabulary_.items():
            vocab[col] = term
        idf = vectorizer.idf_.astype(np.float32)
    except ValueError:  # no item has any word: the text component is zero throughout
        X = sparse.csr_matrix((len(items), 0), dtype=np.float32)
        vocab, idf = [], np.zeros(0, dtype=np.float32)

    H = _histories_matrix(histories, index)
    binary = H.copy()
    binary.data[:] = 1.0
    visitors = np.asarray(binary.sum(axis=0), dtype=np.float32).ravel()
    top = float(visitors.max()) if len(visitors) else 0.0
    popularity = np.log1p(visitors) / math.log1p(top) if top > 0 else np.zeros_like(visitors)
    norms = np.sqrt(np.asarray(H.multiply(H).sum(axis=0), dtype=np.float64)).ravel()
    inv = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0).astype(np.float32)
    Hn = sparse.csr_matrix(H @ sparse.diags(inv))
    sim = np.asarray((Hn.T @ Hn).todense(), dtype=np.float32)
    np.fill_diagonal(sim, 0.0)
    off = sim[sim > 0]
    # The behaviour component is the history's mean similarity over this typical high value:
    # a candidate as close to the history as the closest tenth of pairs scores about 1.
    scale = float(np.percentile(off, 90)) if len(off) else 1.0
    arrays = {
        "keys": keys,
        "kind": np.asarray([KINDS.index(it.kind) for it in items], dtype=np.int8),
        "sells": np.asarray([it.sells for it in items], dtype=bool),
        "item_sectors": item_sectors,
        "item_tags": item_tags,
        "hall": np.asarray([h_ix.get(it.hall, -1) for it in items], dtype=np.int32),
        "x_data": X.data.astype(np.float32),
        "x_indices": X.indices.astype(np.int32),
        "x_indptr": X.indptr.astype(np.int64),
        "x_shape": np.asarray(X.shape, dtype=np.int64),
        "idf": idf,
        "sim": sim,
        "popularity": popularity.astype(np.float32),
    }
    meta = {
        "version": 1,
        "seed": seed,
        "vocab": vocab,
        "sectors": sectors,
        "tags": tags,
        "halls": halls,
        "companies": [normalise_company(it.company) for it in items],
        "labels": dict(labels or {}),
        "scale": scale if scale > 0 else 1.0,
        "persons": int(H.shape[0]),
    }
    return Model(arrays, meta)
