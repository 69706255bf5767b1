"""Near-duplicate quality on the labelled pairs of bench/neardup_set.py.

(a) the service's decision path: every left article's band keys go into a dict standing in for
    the PostgreSQL band-key table; each right article looks its band keys up, and decide() verifies
    the candidates on their texts, as the worker does.
(b) the reference: datasketch's MinHashLSH at the same threshold over the same shingles (its own
    MinHash, default hash and permutations); a pair is a duplicate if the left comes back.

    .venv/bin/python bench/dedup_quality.py [--threshold 0.7] [--seed N]
"""

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datasketch import MinHash, MinHashLSH  # noqa: E402

from bench.neardup_set import RANDOM_SEED, LabelledPair, build_pairs, load_sources  # noqa: E402
from workers.pipeline.neardup import (  # noqa: E402
    Candidate,
    NearDupConfig,
    band_keys,
    decide,
    shingles,
    signature,
    similarity,
)


@dataclass
class Scores:
    predictions: list[bool]
    candidates_per_query: list[int]
    wrong_canonical: int = 0  # queries whose best candidate over the whole store is another story


def service_decisions(pairs: Sequence[LabelledPair], config: NearDupConfig) -> Scores:
    table: dict[int, set[int]] = defaultdict(set)  # band key -> left article ids
    for pair in pairs:
        for key in band_keys(signature(pair.left, config), config):
            table[key].add(pair.pair_id)
    predictions: list[bool] = []
    counts: list[int] = []
    wrong = 0
    for pair in pairs:
        found: set[int] = set()
        for key in band_keys(signature(pair.right, config), config):
            found |= table.get(key, set())
        counts.append(len(found))
        # The pair's verdict: did its own left come back, and does decide() accept it?
        own = [Candidate(pair.pair_id, pair.left)] if pair.pair_id in found else []
        predictions.append(decide(pair.right, own, config).duplicate_of == pair.pair_id)
        # The store's verdict: the best candidate among all lefts must be the same story, if any.
        everyone = [Candidate(left_id, pairs[left_id].left) for left_id in sorted(found)]
        chosen = decide(pair.right, everyone, config).duplicate_of
        if chosen is not None and pairs[chosen].left_source != pair.right_source:
            wrong += 1
    return Scores(predictions, counts, wrong)


def reference_decisions(pairs: Sequence[LabelledPair], threshold: float, num_perm: int) -> Scores:
    def minhash(text: str) -> MinHash:
        sketch = MinHash(num_perm=num_perm)
        sketch.update_batch([shingle.encode("utf-8") for shingle in shingles(text)])
        return sketch

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for pair in pairs:
        lsh.insert(pair.pair_id, minhash(pair.left))
    predictions: list[bool] = []
    counts: list[int] = []
    for pair in pairs:
        found = lsh.query(minhash(pair.right))
        counts.append(len(found))
        predictions.append(pair.pair_id in found)
    return Scores(predictions, counts)


def report(title: str, pairs: Sequence[LabelledPair], scores: Scores) -> None:
    truth = [pair.duplicate for pair in pairs]
    true_pos = sum(1 for t, p in zip(truth, scores.predictions) if t and p)
    false_pos = sum(1 for t, p in zip(truth, scores.predictions) if not t and p)
    false_neg = sum(1 for t, p in zip(truth, scores.predictions) if t and not p)
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"\n{title}")
    print(f"  precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  "
          f"(TP {true_pos}, FP {false_pos}, FN {false_neg}, TN {len(pairs) - true_pos - false_pos - false_neg})")
    print(f"  candidates per query: mean {statistics.mean(scores.candidates_per_query):.2f}, "
          f"max {max(scores.candidates_per_query)}")
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for pair, predicted in zip(pairs, scores.predictions):
        by_kind[pair.kind].append(predicted == pair.duplicate)
    print("  per kind (recall for pos:, true-negative rate for neg:):")
    for kind, correct in sorted(by_kind.items()):
        print(f"    {kind:28} {sum(correct):4}/{len(correct):<4} {sum(correct) / len(correct):.3f}")
    if title.startswith("(a)"):
        print(f"  store-level: best candidate over all stored lefts was another story in "
              f"{scores.wrong_canonical} queries")
    wrong = [(pair, predicted) for pair, predicted in zip(pairs, scores.predictions) if predicted != pair.duplicate]
    print(f"  misclassified pairs: {len(wrong)}")
    for pair, predicted in wrong:
        print(f"    #{pair.pair_id:<4} {pair.kind:26} {pair.left_source}->{pair.right_source} "
              f"[{pair.language}] similarity {similarity(pair.left, pair.right):.3f} "
              f"predicted {'duplicate' if predicted else 'distinct'}")


def similarity_ranges(pairs: Sequence[LabelledPair]) -> None:
    by_kind: dict[str, list[float]] = defaultdict(list)
    for pair in pairs:
        by_kind[pair.kind].append(similarity(pair.left, pair.right))
    print("\nverified similarity per kind (min / median / max):")
    for kind, values in sorted(by_kind.items()):
        print(f"  {kind:28} {min(values):.3f} / {statistics.median(values):.3f} / {max(values):.3f}")


def throughput(texts: Sequence[str], config: NearDupConfig, work: Callable[[str], object], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            work(text)
    return rounds * len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=NearDupConfig().threshold)
    parser.add_argument("--seed", type=int, default=RANDOM_SEED, help="seed of the edits and pairings")
    parser.add_argument("--reference-perm", type=int, default=128, help="num_perm of the reference MinHash")
    args = parser.parse_args()
    config = NearDupConfig(threshold=args.threshold)
    pairs = build_pairs(args.seed)
    positives = sum(pair.duplicate for pair in pairs)
    print(f"{len(pairs)} labelled pairs: {positives} near duplicates, {len(pairs) - positives} distinct")
    print(f"config: threshold {config.threshold}, num_perm {config.num_perm}, "
          f"bands {config.bands} x rows {config.rows}")
    report("(a) service decision path: band-key lookup + decide()", pairs, service_decisions(pairs, config))
    report(f"(b) reference: datasketch MinHashLSH(threshold={config.threshold}, num_perm={args.reference_perm})",
           pairs, reference_decisions(pairs, config.threshold, args.reference_perm))
    similarity_ranges(pairs)

    seeds = [source.body for source in load_sources() if source.key.startswith("seed_")]
    mean_kb = statistics.mean(len(text.encode("utf-8")) for text in seeds) / 1024
    rate = throughput(seeds, config, lambda text: band_keys(signature(text, config), config), rounds=200)
    print(f"\nsignature + band keys: {rate:,.0f} articles/s on the 5 seed bodies "
          f"(mean {mean_kb:.1f} KB UTF-8), {1000 / rate:.2f} ms per article")
    # A 10 KB article (UTF-8 bytes, Bengali and Hindi: about 3,600 characters).
    long_text = ("\n\n".join(seeds) * 2).encode("utf-8")[: 10 * 1024].decode("utf-8", errors="ignore")
    rate = throughput([long_text], config, lambda text: signature(text, config), rounds=500)
    print(f"signature of a 10 KB article: {1000 / rate:.2f} ms")
    rate = throughput([long_text], config, lambda text: similarity(text, text), rounds=200)
    print(f"similarity() of two 10 KB articles: {1000 / rate:.2f} ms")


if __name__ == "__main__":
    main()
