"""Near-duplicate detection, pure: MinHash signatures with LSH band keys to find candidates, and a
verification measure on the actual texts to decide.

The worker stores `band_keys(signature(text))` for every accepted article (one bigint per band in
PostgreSQL), looks a new article's band keys up by equality to get candidates, loads their texts and
calls `decide`. MinHash only has to bring the right candidates back (its bands are tuned to catch
pairs well below the decision threshold); the decision itself is made on exact shingle sets, so a
lucky MinHash collision can never make two articles duplicates.
"""

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from workers.pipeline.matching import match_key

# Scripts written without spaces between words (Thai, Lao, Myanmar, Khmer, kana, CJK ideographs):
# their shingles are runs of characters. Hangul is written with spaces and, like Latin, Cyrillic,
# Arabic or the Indic scripts, is shingled by words.
_UNSPACED_RANGES = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\U00020000-\U0003134f"  # CJK extensions B-H
)
# A run of unspaced-script characters, with any spaces inside it (Thai puts spaces between
# phrases; re-publishers add or drop them).
_UNSPACED_RUN = re.compile(f"((?:[{_UNSPACED_RANGES}] ?)+)")

# Measured on bench/neardup_set.py (bench/README.md): word 3-grams separate edited copies from
# hard negatives better than character n-grams in spaced scripts, and 5 characters do better than
# 3 or 4 in unspaced ones (fewer shared short runs between different Thai or Chinese stories).
WORD_SHINGLE = 3
CHAR_SHINGLE = 5

# Containment of the shorter text in the longer one counts fully only while the shorter keeps at
# least this share of the longer's shingles: a copy truncated to 70% is a near duplicate, a
# one-paragraph excerpt of a long article is not.
MIN_LENGTH_RATIO = 0.7

_SIGNATURE_FORMAT = 1
_MINHASH_SEED = 1
# Bump whenever shingling, hashing or band keys change in a way `NearDupConfig` does not show:
# every stored band key then needs rebuilding (`babelwire reindex-near-duplicates`).
KEY_SCHEME_VERSION = 1


def _punctuation_table() -> dict[int, str | None]:
    # Punctuation and symbols carry no content and change with typesetting (quotes, dashes,
    # danda, CJK full stops); they separate words. Format characters (zero-width joiners, soft
    # hyphens) sit inside words and come and go between copies; they are dropped.
    # (str.translate measured faster here than re.sub over the same ~800 ranges.)
    table: dict[int, str | None] = {}
    for code_point in range(0x110000):
        category = unicodedata.category(chr(code_point))
        if category[0] in "PS" or category == "Cc":
            table[code_point] = " "
        elif category == "Cf":
            table[code_point] = None
    return table


_PUNCTUATION = _punctuation_table()


@dataclass(frozen=True)
class NearDupConfig:
    """`threshold` applies to `similarity` (the verified measure). `bands * rows` MinHash values
    make the band keys. The bands are deliberately sensitive (a pair at Jaccard 0.5 becomes a
    candidate with probability 0.986, at 0.05 with probability 0.004): truncated or trimmed copies
    have a Jaccard similarity well below the threshold while their containment is near 1."""

    threshold: float = 0.7
    num_perm: int = 96
    bands: int = 32
    rows: int = 3

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {self.threshold}")
        if self.bands < 1 or self.rows < 1 or self.bands * self.rows > self.num_perm:
            raise ValueError(
                f"bands * rows ({self.bands} * {self.rows}) must be at most num_perm ({self.num_perm})"
            )

    @property
    def key_scheme(self) -> str:
        """What the band keys depend on (the threshold is not part of it): an index built under
        another scheme cannot answer for this one."""
        return (
            f"v{KEY_SCHEME_VERSION} words {WORD_SHINGLE} chars {CHAR_SHINGLE} "
            f"minhash {self.num_perm} seed {_MINHASH_SEED} bands {self.bands}x{self.rows}"
        )


@dataclass(frozen=True)
class Signature:
    """MinHash values (uint32 each) of one text's shingle set. `empty` texts have no shingles and
    no band keys: they are never near duplicates of anything."""

    values: tuple[int, ...]
    empty: bool = False

    def to_bytes(self) -> bytes:
        """1 byte format, 1 byte flags, 2 bytes count, then 4 bytes per value, little-endian."""
        flags = 1 if self.empty else 0
        header = bytes([_SIGNATURE_FORMAT, flags]) + len(self.values).to_bytes(2, "little")
        return header + np.asarray(self.values, dtype="<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Signature":
        if len(data) < 4 or data[0] != _SIGNATURE_FORMAT:
            raise ValueError("not a near-duplicate signature (unknown format)")
        count = int.from_bytes(data[2:4], "little")
        if len(data) != 4 + 4 * count:
            raise ValueError(f"signature of {count} values must be {4 + 4 * count} bytes, got {len(data)}")
        values = np.frombuffer(data, dtype="<u4", offset=4, count=count)
        return cls(values=tuple(int(value) for value in values), empty=bool(data[1] & 1))


@dataclass(frozen=True)
class Candidate:
    article_id: int
    text: str


@dataclass(frozen=True)
class Decision:
    duplicate_of: int | None  # the canonical article's id, or None when the article is new
    similarity: float | None  # the verified similarity to `duplicate_of` (None when new)


def _comparable(text: str) -> str:
    """The match key (case, compatibility forms, digit scripts and spacing folded) without
    punctuation, which changes with typesetting (quotes, dashes, danda, CJK full stops)."""
    return " ".join(match_key(text).translate(_PUNCTUATION).split())


def _word_ngrams(words: list[str], size: int) -> list[str]:
    if len(words) <= size:
        return [" ".join(words)] if words else []
    return [" ".join(words[start : start + size]) for start in range(len(words) - size + 1)]


def _char_ngrams(chars: str, size: int) -> list[str]:
    if len(chars) <= size:
        return [chars] if chars else []
    return [chars[start : start + size] for start in range(len(chars) - size + 1)]


def shingles(text: str) -> set[str]:
    """Word 3-grams of spaced-script runs and character 5-grams of unspaced-script runs (Chinese,
    Japanese, Thai…), so a mixed text gets both; a run shorter than its n-gram is one shingle."""
    result: set[str] = set()
    for index, run in enumerate(_UNSPACED_RUN.split(_comparable(text))):
        if index % 2:  # the split keeps the unspaced runs at odd positions
            result.update(_char_ngrams(run.replace(" ", ""), CHAR_SHINGLE))
        else:
            result.update(_word_ngrams(run.split(), WORD_SHINGLE))
    return result


@lru_cache(maxsize=8)
def _permutations(num_perm: int) -> np.ndarray:
    # Generating the permutations costs more than hashing an article; every signature of one
    # config shares them.
    return MinHash(num_perm=num_perm, seed=_MINHASH_SEED).permutations


def _minhash(shingle_set: Iterable[str], num_perm: int) -> MinHash:
    minhash = MinHash(
        num_perm=num_perm,
        seed=_MINHASH_SEED,
        # CRC-32 is deterministic across processes (unlike hash()) and runs in C; datasketch
        # premixes it with MurmurHash3's finaliser, so its linearity does not bias the permutations.
        hashfunc=zlib.crc32,
        permutations=_permutations(num_perm),
        scheme="affine32",
    )
    encoded = [shingle.encode("utf-8") for shingle in shingle_set]
    if encoded:
        minhash.update_batch(encoded)
    return minhash


def signature(text: str, config: NearDupConfig = NearDupConfig()) -> Signature:
    shingle_set = shingles(text)
    minhash = _minhash(shingle_set, config.num_perm)
    return Signature(values=tuple(minhash.hashvalues.tolist()), empty=not shingle_set)


def band_keys(sig: Signature, config: NearDupConfig = NearDupConfig()) -> list[int]:
    """One signed 64-bit key per band: a keyed BLAKE2b of the band's index and values, so equal
    values in different bands give different keys. Empty texts have no keys."""
    if sig.empty:
        return []
    if len(sig.values) < config.bands * config.rows:
        raise ValueError(f"signature has {len(sig.values)} values, config needs {config.bands * config.rows}")
    packed = np.asarray(sig.values, dtype="<u4").tobytes()
    band_bytes = 4 * config.rows
    keys: list[int] = []
    for band in range(config.bands):
        digest = hashlib.blake2b(
            band.to_bytes(2, "little") + packed[band * band_bytes : (band + 1) * band_bytes],
            digest_size=8,
            person=b"bw-lsh-band",
        ).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def estimated_similarity(a: Signature, b: Signature) -> float:
    """The share of equal MinHash values: estimates the Jaccard similarity of the shingle sets."""
    if a.empty or b.empty:
        return 0.0
    if len(a.values) != len(b.values):
        raise ValueError(f"signatures of different sizes ({len(a.values)} and {len(b.values)})")
    equal = np.count_nonzero(np.asarray(a.values) == np.asarray(b.values))
    return float(equal) / len(a.values)


def shingle_similarity(a: set[str], b: set[str]) -> float:
    """Containment of the smaller shingle set in the larger, with the smaller's size floored at
    MIN_LENGTH_RATIO of the larger's: 1.0 for a copy, still ~1.0 for a copy that lost up to 30% of
    its end or gained a paragraph, and shared boilerplate counts only in proportion to the text."""
    if not a or not b:
        return 0.0
    smaller, larger = (a, b) if len(a) <= len(b) else (b, a)
    shared = len(smaller & larger)
    return shared / max(len(smaller), MIN_LENGTH_RATIO * len(larger))


def similarity(text_a: str, text_b: str) -> float:
    """The verified similarity of two texts, in [0, 1]; see shingle_similarity."""
    return shingle_similarity(shingles(text_a), shingles(text_b))


def decide(
    new_text: str, candidates: Sequence[Candidate], config: NearDupConfig = NearDupConfig()
) -> Decision:
    """The new article is a near duplicate of the most similar candidate at or above the threshold;
    on a tie the lowest id wins, because the earliest stored article is the canonical one."""
    new_shingles = shingles(new_text)
    best: tuple[float, int] | None = None
    for candidate in candidates:
        score = shingle_similarity(new_shingles, shingles(candidate.text))
        if score < config.threshold:
            continue
        if best is None or score > best[0] or (score == best[0] and candidate.article_id < best[1]):
            best = (score, candidate.article_id)
    if best is None:
        return Decision(duplicate_of=None, similarity=None)
    return Decision(duplicate_of=best[1], similarity=best[0])
