"""The pure parts of workers.translation_index: keys, their weights and their lock order."""

import random

from workers import translation_index
from workers.pipeline.process import process_file
from workers.translation_index import _high, _low


def test_each_key_splits_into_two_int4_halves_that_give_it_back_and_keep_its_order():
    rng = random.Random(5)
    keys = sorted({-(2**63), 2**63 - 1, -1, 0, 1, 2**31, -(2**31)} | {rng.randrange(-(2**63), 2**63) for _ in range(2000)})
    halves = [(_high(k), _low(k)) for k in keys]
    assert all(-(2**31) <= h < 2**31 and -(2**31) <= lo < 2**31 for h, lo in halves)
    assert [(h << 32) | (lo & 0xFFFF_FFFF) for h, lo in halves] == keys  # one lock per key, no two keys share one
    assert halves == sorted(halves, key=lambda pair: (pair[0], pair[1] & 0xFFFF_FFFF))  # ascending key order


def test_prepared_keys_are_distinct_ascending_and_weighted_by_kind():
    text = (
        "In a statement, minister Pilozamo Pugosute said that 61,696 households in Pozanera would receive "
        "support worth 88.3 million, and 12,918 more after 72,328 inspections.\n\nphoto-1234abcd.jpg\n"
        "The minister at the ceremony.\n\nSource: https://news.example/story-1\n"
    )
    material = translation_index.prepare(process_file(text.encode()))
    assert list(material.keys) == sorted(set(material.keys)) and len(material.weights) == len(material.keys)
    weights = sorted(material.weights, reverse=True)
    assert weights[:2] == [translation_index.KEY_KIND_WEIGHTS["url"], translation_index.KEY_KIND_WEIGHTS["img"]]
    assert material.signals.source_url == "https://news.example/story-1"
