"""Translation linking quality: pairwise precision, recall and F1 of content links.

    .venv/bin/python bench/linking_eval.py                 # figures at LINK_THRESHOLD
    .venv/bin/python bench/linking_eval.py --sweep         # and a threshold sweep
    .venv/bin/python bench/linking_eval.py --pairs         # and every scored pair above 0.2
    .venv/bin/python bench/linking_eval.py --ntrex-stack   # ../shared/data/ntrex through the real
        stack in three orders (bench/ntrex_linking.py; --limit-stories N --languages a,b for less)

Documents (each run through the pipeline: process_file -> signals):
- the five seeds: {000, 001} and {002, 004} are stories in bn+hi, 003 is alone;
- tests/data/articles/*: twenty stories, one language each (negatives for every other story);
- bench/data/articles/*: en_event_a + fr_event_a are one story; the others (including en_event_b,
  the same event written separately) are stories of their own;
- bench/data/translations/*: development translations written for this project (see its README).
- the human-translated multilingual data under ../shared/data, once it is there (see
  `human_translated_documents`); until then the figures are on development data only.

Two ways of turning scores into links, both reported content-only (no source URL, no image names)
and with source URLs:
- pairs: every pair of different languages scoring >= threshold is a link;
- groups: documents arrive one by one (in name order, then in reverse) at the in-memory copy of
  the service's index (bench/link_simulation.py): candidates and group representatives through
  the link keys, scores, `plan_links`, then reconciliation; two documents are linked when they
  end in one group.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import ntrex_linking  # noqa: E402
from bench.link_simulation import MemoryIndex, settle  # noqa: E402
from workers.pipeline.process import process_file  # noqa: E402
from workers.pipeline.story_links import LINK_THRESHOLD, StorySignals, score, signals  # noqa: E402
from workers.translation_index import material_of  # noqa: E402

SHARED_DATA = ROOT.parent / "shared" / "data"
SEEDS = SHARED_DATA / "seeds"
SEED_STORIES = {"000": "seed-a", "001": "seed-a", "002": "seed-b", "004": "seed-b", "003": "seed-c"}


@dataclass(frozen=True)
class Document:
    name: str
    story: str
    language: str
    with_url: StorySignals  # source URL (the story's) and image names kept
    content_only: StorySignals  # neither


def _document(name: str, story: str, content: bytes, language: str | None,
              url: str | None) -> Document:
    draft = process_file(content, name)
    found = signals(draft)
    lang = language or found.language or "und"
    found = replace(found, language=lang)
    return Document(
        name=name,
        story=story,
        language=lang,
        with_url=replace(found, source_url=url or found.source_url),
        content_only=replace(found, source_url=None, images=()),
    )


def development_documents() -> list[Document]:
    documents: list[Document] = []
    for path in sorted(SEEDS.glob("*.txt")):
        number = path.name[:3]
        documents.append(_document(f"seed/{path.name}", SEED_STORIES.get(number, number),
                                   path.read_bytes(), None, None))
    index = json.loads((ROOT / "tests/data/articles/index.json").read_text())
    urls: dict[str, str] = {}
    for path in sorted((ROOT / "tests/data/articles").glob("*.txt")):
        meta = index[path.name]
        urls[path.stem] = meta["url"]
        documents.append(_document(f"articles/{path.name}", path.stem, path.read_bytes(),
                                   meta["language"], meta["url"]))
    for path in sorted((ROOT / "bench/data/articles").glob("*.txt")):
        story = "event_a" if path.stem in ("en_event_a", "fr_event_a") else path.stem
        documents.append(_document(f"bench/{path.name}", story, path.read_bytes(),
                                   path.stem.split("_")[0], f"https://dev.example/{story}"))
    for path in sorted((ROOT / "bench/data/translations").glob("*.txt")):
        story, language = path.stem.split(".")
        documents.append(_document(f"translations/{path.name}", story, path.read_bytes(),
                                   language, urls[story]))
    return documents


def human_translated_documents() -> list[Document] | None:
    """The issue's human-translated multilingual data, once it is under ../shared/data (anything
    there besides the seeds and the README). Its format is described by the README that will come
    with it; until then this only detects it."""
    if not SHARED_DATA.is_dir():
        return None
    extra = [p for p in SHARED_DATA.iterdir() if p.name not in ("seeds", "README.md")]
    if not extra:
        return None
    print(f"found under {SHARED_DATA}: {', '.join(sorted(p.name for p in extra))}")
    print("no loader for its format yet: write one here from its README (sentences grouped back "
          "into their source articles, one document per article and language)")
    return None


# --- links -----------------------------------------------------------------------------------


def _pair(a: Document, b: Document) -> tuple[str, str]:
    return (a.name, b.name) if a.name < b.name else (b.name, a.name)


def pair_links(documents: list[Document], attribute: str, threshold: float
               ) -> tuple[set[tuple[str, str]], dict[tuple[str, str], float]]:
    scores: dict[tuple[str, str], float] = {}
    for a, b in itertools.combinations(documents, 2):
        if a.language != b.language:
            scores[_pair(a, b)] = score(getattr(a, attribute), getattr(b, attribute)).score
    return {pair for pair, value in scores.items() if value >= threshold}, scores


def group_links(documents: list[Document], attribute: str,
                threshold: float = LINK_THRESHOLD) -> set[tuple[str, str]]:
    """The service's path (bench/link_simulation.py's in-memory index: keys -> candidates and
    group representatives -> scores -> plan_links), one arrival at a time, then reconciliation."""
    index = MemoryIndex(threshold)
    for position, document in enumerate(documents):
        index.add(position, material_of(replace(getattr(document, attribute), language=_link_language(document))))
        index.apply(position, index.plan(position))
    settle(index, passes=3)
    links: set[tuple[str, str]] = set()
    for group in index.members.values():
        for a, b in itertools.combinations(sorted(group), 2):
            links.add(_pair(documents[a], documents[b]))
    return links


def _link_language(document: Document) -> str | None:
    return None if document.language == "und" else document.language


# --- figures ---------------------------------------------------------------------------------


def truth(documents: list[Document]) -> set[tuple[str, str]]:
    return {_pair(a, b) for a, b in itertools.combinations(documents, 2)
            if a.story == b.story and a.language != b.language}


def prf(predicted: set, expected: set) -> tuple[float, float, float, int, int, int]:
    tp = len(predicted & expected)
    fp = len(predicted - expected)
    fn = len(expected - predicted)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, tp, fp, fn


def _language_pair(documents: dict[str, Document], pair: tuple[str, str]) -> str:
    return "-".join(sorted((documents[pair[0]].language, documents[pair[1]].language)))


def report(title: str, documents: list[Document], predicted: set, expected: set,
           per_pair: bool) -> None:
    p, r, f, tp, fp, fn = prf(predicted, expected)
    print(f"{title}: precision {p:.3f} recall {r:.3f} F1 {f:.3f} (tp {tp}, fp {fp}, fn {fn})")
    if not per_pair:
        return
    by_name = {d.name: d for d in documents}
    pairs = sorted({_language_pair(by_name, x) for x in predicted | expected})
    for language_pair in pairs:
        pred = {x for x in predicted if _language_pair(by_name, x) == language_pair}
        exp = {x for x in expected if _language_pair(by_name, x) == language_pair}
        p, r, f, tp, fp, fn = prf(pred, exp)
        print(f"    {language_pair:6} P {p:.3f} R {r:.3f} F1 {f:.3f} (tp {tp}, fp {fp}, fn {fn})")


def seed_groups(documents: list[Document], attribute: str) -> str:
    seeds = [d for d in documents if d.name.startswith("seed/")]
    links = group_links(seeds, attribute)
    parent = {d.name: d.name for d in seeds}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in links:
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for d in seeds:
        groups[find(d.name)].append(d.name.split("/")[1][:3])
    return " ".join("{" + ",".join(sorted(g)) + "}" for g in sorted(groups.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threshold", type=float, default=LINK_THRESHOLD)
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--pairs", action="store_true")
    ntrex_linking.add_arguments(parser)
    args = parser.parse_args()
    if args.ntrex_stack:
        ntrex_linking.main(args)
        return

    human = human_translated_documents()
    if human is None:
        print("no human-translated multilingual data under ../shared/data: "
              "measured on development data only")
    documents = development_documents() + (human or [])
    expected = truth(documents)
    languages = sorted({d.language for d in documents})
    print(f"{len(documents)} documents, {len(set(d.story for d in documents))} stories, "
          f"{len(languages)} languages ({' '.join(languages)}), {len(expected)} true links; "
          f"threshold {args.threshold}")
    print(f"seed groups, content only: {seed_groups(documents, 'content_only')}")
    print(f"seed groups, with source URLs: {seed_groups(documents, 'with_url')}")

    for attribute, label in (("content_only", "content only"), ("with_url", "with source URLs")):
        predicted, scores = pair_links(documents, attribute, args.threshold)
        report(f"{label}, pairs", documents, predicted, expected, per_pair=True)
        for order, ordered in (("name order", documents), ("reverse order", documents[::-1])):
            report(f"{label}, groups ({order})", documents,
                   group_links(ordered, attribute), expected, per_pair=order == "name order")
        if args.sweep and attribute == "content_only":
            for threshold in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8):
                chosen = {pair for pair, value in scores.items() if value >= threshold}
                p, r, f, *_ = prf(chosen, expected)
                grouped = group_links(documents, attribute, threshold)
                gp, gr, gf, *_ = prf(grouped, expected)
                print(f"    sweep {threshold:.2f}: pairs P {p:.3f} R {r:.3f} F1 {f:.3f}; "
                      f"groups P {gp:.3f} R {gr:.3f} F1 {gf:.3f}")
        if args.pairs and attribute == "content_only":
            for pair, value in sorted(scores.items(), key=lambda item: -item[1]):
                if value >= 0.2 or pair in expected:
                    mark = "TRUE " if pair in expected else "     "
                    print(f"    {mark}{value:.3f} {pair[0]} {pair[1]}")


if __name__ == "__main__":
    main()
