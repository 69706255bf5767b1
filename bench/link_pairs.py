"""Pair scores on NTREX: how many translations `story_links.score` links, how many other stories
it links by mistake, and what it costs (bench/README.md, "Pair scores").

    .venv/bin/python bench/link_pairs.py                      # this checkout against main
    .venv/bin/python bench/link_pairs.py --baseline none      # this checkout only
    .venv/bin/python bench/link_pairs.py --refresh            # re-run process_file on every file

Every NTREX file (each top-level language folder and each variants/ folder) goes through the
service's path: `process_file(content, name)` -> ArticleDraft -> `story_links.signals(draft)`,
the language being the one the service detects (draft.language, cut to its link language).
Drafts are cached in /tmp (--refresh redoes them); signals and scores are cached per version of
the code (a hash of workers/pipeline/story_*.py), so a re-run with unchanged code takes seconds.

Pairs scored:
- true pairs: every two files of one story whose link languages are known and differ;
- false pairs: every two files of different stories, link languages known and different, that
  share at least one link key (`described_keys`), however many articles hold the key. Retrieval
  reads at most 2,000 postings per key and scores the top 50, so this is a superset of what the
  service would score: a false link counted here may never be scored there.

Splits: TRAIN = even-numbered stories (by sorted file name) x the first half of the folders
(top-level folders sorted, then variants/ sorted); HELD-OUT = odd stories x the second half;
ALL = every file. A pair belongs to a split when both its files do.

--baseline REF (default main) extracts REF's workers/ package with `git archive` into /tmp and
runs this script there in a subprocess (its scores cached by commit), then prints both
versions side by side.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NTREX = ROOT.parent / "shared" / "data" / "ntrex"
CACHE = Path("/tmp/link_pairs")
LINK, MERGE = 0.55, 0.65  # link_plan.LINK_THRESHOLD / MERGE_THRESHOLD (main's values)
SPLITS = ("TRAIN", "HELD-OUT", "ALL")


@dataclass(frozen=True)
class File:
    folder: str  # "eng", "variants/eng-GB"
    story: str
    path: Path


def ntrex_files() -> list[File]:
    folders = [p for p in sorted(NTREX.iterdir()) if p.is_dir() and p.name != "variants"]
    folders += sorted(p for p in (NTREX / "variants").iterdir() if p.is_dir())
    return [File(str(folder.relative_to(NTREX)), p.name, p)
            for folder in folders for p in sorted(folder.glob("*.txt"))]


def split_of(files: list[File]) -> list[set[str]]:
    """Per file index, the splits it belongs to."""
    stories = sorted({f.story for f in files})
    folders = list(dict.fromkeys(f.folder for f in files))
    first_half = set(folders[: len(folders) // 2])
    out = []
    for f in files:
        even = stories.index(f.story) % 2 == 0
        splits = {"ALL"}
        if even and f.folder in first_half:
            splits.add("TRAIN")
        if not even and f.folder not in first_half:
            splits.add("HELD-OUT")
        out.append(splits)
    return out


def drafts(files: list[File], refresh: bool) -> list:
    """ArticleDrafts as the service makes them (None for a file the pipeline refuses)."""
    path = CACHE / "drafts.pkl"
    if path.exists() and not refresh:
        return pickle.loads(path.read_bytes())
    from workers.pipeline.process import process_file

    out = []
    for f in files:
        try:
            out.append(process_file(f.path.read_bytes(), f.story))
        except Exception as error:  # noqa: BLE001 (a refused file is no pair; counted below)
            print(f"  refused {f.folder}/{f.story}: {error}", file=sys.stderr)
            out.append(None)
    CACHE.mkdir(exist_ok=True)
    path.write_bytes(pickle.dumps(out))
    return out


def code_version() -> str:
    import workers.pipeline as package

    here = Path(package.__file__).parent
    digest = hashlib.sha1()
    for name in sorted(here.glob("story_*.py")) + [here / "link_plan.py", here / "language.py"]:
        digest.update(name.read_bytes())
    return digest.hexdigest()[:12]


# Each lever of the score and its "off" setting (main's behaviour), for --ablate: the figures
# with one lever off at a time show what each brings.
LEVERS = [
    ("lowercase forms are common words", "story_names", "LOWERCASE_MEANS_COMMON", False),
    ("title-case lines", "story_names", "TITLE_CASE_LINES", False),
    ("runs left out of names v names", "story_links", "COMPARE_RUNS", True),
    ("inflected names by stem", "story_links", "STEM_MATCH", False),
    ("lone words weigh by their share", "story_links", "WEAK_SHARE_POWER", 0.0),
    ("names Dice^1 (main: ^2)", "story_links", "NAME_AGREEMENT_POWER", 2.0),
    ("caseless side's Latin tokens", "story_links", "MIXED_TO_WORDS", False),
    ("names-in-words confidence x agreement", "story_links", "IN_WORDS_BY_AGREEMENT", False),
]


def scored(files: list[File], refresh: bool, lever: tuple | None = None) -> dict:
    """Signals, keys and pair scores of the code on sys.path, cached by its version; `lever`
    (an entry of LEVERS) is switched off for the run."""
    version = code_version()
    if lever is not None:
        import importlib

        module = importlib.import_module(f"workers.pipeline.{lever[1]}")
        saved = getattr(module, lever[2])
        setattr(module, lever[2], lever[3])
        try:
            version += "-" + hashlib.sha1(repr(lever).encode()).hexdigest()[:8]
            path = CACHE / f"scores-{version}.pkl"
            if path.exists() and not refresh:
                return pickle.loads(path.read_bytes())
            result = _scored(files, refresh, version)
        finally:
            setattr(module, lever[2], saved)
        # The names module caches skeletons per word, never per lever: nothing else to reset.
        path.write_bytes(pickle.dumps(result))
        return result
    path = CACHE / f"scores-{version}.pkl"
    if path.exists() and not refresh:
        return pickle.loads(path.read_bytes())
    result = _scored(files, refresh, version)
    CACHE.mkdir(exist_ok=True)
    path.write_bytes(pickle.dumps(result))
    return result


def _scored(files: list[File], refresh: bool, version: str) -> dict:
    from workers.pipeline import story_links

    made = drafts(files, refresh)
    cpu = time.process_time()
    signals = [story_links.signals(d) if d is not None else None for d in made]
    signals_ms = (time.process_time() - cpu) * 1000 / sum(d is not None for d in made)
    languages = [s.language if s is not None else None for s in signals]
    postings: dict[int, list[int]] = defaultdict(list)
    for index, s in enumerate(signals):
        if s is not None and s.language:
            for key in story_links.link_keys(s):
                postings[key].append(index)
    pairs: set[tuple[int, int]] = set()
    for holders in postings.values():
        for i, first in enumerate(holders):
            for second in holders[i + 1:]:
                if files[first].story != files[second].story and languages[first] != languages[second]:
                    pairs.add((first, second))
    by_story: dict[str, list[int]] = defaultdict(list)
    for index, f in enumerate(files):
        if languages[index]:
            by_story[f.story].append(index)
    for members in by_story.values():
        for i, first in enumerate(members):
            for second in members[i + 1:]:
                if languages[first] != languages[second]:
                    pairs.add((first, second))
    ordered = sorted(pairs)
    cpu = time.process_time()
    scores = [story_links.score(signals[a], signals[b]).score for a, b in ordered]
    score_us = (time.process_time() - cpu) * 1e6 / max(1, len(ordered))
    result = {
        "version": version,
        "languages": languages,
        "scripts": [s.script if s is not None else None for s in signals],
        "pairs": dict(zip(ordered, scores)),
        "signals_ms": signals_ms,
        "score_us": score_us,
    }
    return result


def baseline_scores(ref: str, files: list[File], refresh: bool) -> dict:
    """The scores of another commit's workers/ package, computed by this script run there."""
    commit = subprocess.run(["git", "rev-parse", ref], cwd=ROOT, check=True, capture_output=True,
                            text=True).stdout.strip()
    tree = CACHE / f"tree-{commit[:12]}"
    out = CACHE / f"baseline-{commit[:12]}.pkl"
    if not out.exists() or refresh:
        if not tree.exists():
            tree.mkdir(parents=True)
            archive = subprocess.run(["git", "archive", commit, "workers"], cwd=ROOT, check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        env = {**os.environ, "PYTHONPATH": str(tree)}
        subprocess.run([sys.executable, __file__, "--emit", str(out)]
                       + (["--refresh"] if refresh else []), env=env, check=True)
    return pickle.loads(out.read_bytes())


# ---------------------------------------------------------------------------------- figures


def script_class(first: str | None, second: str | None) -> str:
    latin = (first == "Latn") + (second == "Latn")
    return {2: "Latin-Latin", 1: "Latin-other", 0: "other-other"}[latin]


def figures(files: list[File], splits: list[set[str]], result: dict, split: str) -> dict:
    languages, scripts = result["languages"], result["scripts"]
    true_n: Counter[str] = Counter()
    true_link: Counter[str] = Counter()
    true_merge: Counter[str] = Counter()
    false_n: Counter[str] = Counter()
    false_link: Counter[str] = Counter()
    false_merge: Counter[str] = Counter()
    per_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    false_articles: set[int] = set()
    examples: Counter[tuple[str, str]] = Counter()
    for (a, b), value in result["pairs"].items():
        if split not in splits[a] or split not in splits[b]:
            continue
        cls = script_class(scripts[a], scripts[b])
        if files[a].story == files[b].story:
            for key in ("all", cls):
                true_n[key] += 1
                true_link[key] += value >= LINK
                true_merge[key] += value >= MERGE
            for language in {languages[a], languages[b]}:
                per_language[language][0] += 1
                per_language[language][1] += value >= LINK
        else:
            for key in ("all", cls):
                false_n[key] += 1
                false_link[key] += value >= LINK
                false_merge[key] += value >= MERGE
            if value >= LINK:
                false_articles.update((a, b))
                examples[tuple(sorted((files[a].story, files[b].story)))] += 1
    return {"true_n": true_n, "true_link": true_link, "true_merge": true_merge, "false_n": false_n,
            "false_link": false_link, "false_merge": false_merge, "per_language": per_language,
            "false_articles": len(false_articles), "examples": examples}


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.4f}" if whole else "   -  "


def report(files: list[File], versions: list[tuple[str, dict]]) -> None:
    splits = split_of(files)
    counts = Counter(s for per in splits for s in per)
    print(f"{len(files)} files; TRAIN {counts['TRAIN']}, HELD-OUT {counts['HELD-OUT']}")
    for name, result in versions:
        refused = sum(language is None for language in result["languages"])
        print(f"  {name:9} code {result['version']}: signals_of {result['signals_ms']:.3f} ms/article "
              f"(CPU), score {result['score_us']:.2f} us/pair (CPU), {len(result['pairs'])} pairs scored, "
              f"{refused} files without a known language")
    for split in SPLITS:
        print(f"\n== {split}")
        made = [(name, figures(files, splits, result, split)) for name, result in versions]
        print(f"  {'':9} {'class':12} {'true':>7} {'>=.55':>7} {'>=.65':>7}  {'false':>8} "
              f"{'>=.55':>5} {'rate':>9} {'>=.65':>5}")
        for cls in ("all", "Latin-Latin", "Latin-other", "other-other"):
            for name, f in made:
                print(f"  {name:9} {cls:12} {f['true_n'][cls]:7d} "
                      f"{_share(f['true_link'][cls], f['true_n'][cls]):>7} "
                      f"{_share(f['true_merge'][cls], f['true_n'][cls]):>7}  {f['false_n'][cls]:8d} "
                      f"{f['false_link'][cls]:5d} {f['false_link'][cls] / max(1, f['false_n'][cls]):9.2e} "
                      f"{f['false_merge'][cls]:5d}")
        for name, f in made:
            print(f"  {name:9} articles with a false link >= .55: {f['false_articles']}; "
                  f"story pairs: {', '.join(f'{a}~{b} {n}' for (a, b), n in f['examples'].most_common(6))}")
        last = made[-1][1]["per_language"]
        worst = sorted(last, key=lambda language: (last[language][1] / last[language][0], language))[:15]
        print("  worst 15 languages (share of their true pairs >= .55): "
              + "  ".join(f"{language} " + "/".join(_share(f["per_language"][language][1],
                                                           f["per_language"][language][0])
                                                    for _, f in made) for language in worst))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--refresh", action="store_true", help="redo drafts, signals and scores")
    parser.add_argument("--baseline", default="main", help="git ref to compare with, or 'none'")
    parser.add_argument("--ablate", action="store_true",
                        help="also score with each lever of LEVERS off, one at a time (~1 min each)")
    parser.add_argument("--emit", help=argparse.SUPPRESS)  # internal: scores of this code -> file
    args = parser.parse_args()
    if not os.environ.get("PYTHONPATH"):  # the baseline's subprocess sets it to its tree
        sys.path.insert(0, str(ROOT))
    files = ntrex_files()
    if args.emit:
        Path(args.emit).write_bytes(pickle.dumps(scored(files, args.refresh)))
        return
    versions = []
    if args.baseline != "none":
        versions.append((args.baseline[:9], baseline_scores(args.baseline, files, args.refresh)))
    versions.append(("this", scored(files, args.refresh)))
    report(files, versions)
    if args.ablate:
        ablate(files, versions, args.refresh)


def ablate(files: list[File], versions: list[tuple[str, dict]], refresh: bool) -> None:
    splits = split_of(files)
    print("\n== levers: this code with one lever off at a time (share of true pairs >= .55; "
          "false pairs >= .55 and articles with one, ALL)")
    print(f"  {'':36} {'TRAIN':>7} {'HELD-OUT':>8} {'ALL':>7} {'false':>6} {'articles':>8}")
    rows = [(name, result) for name, result in versions]
    rows += [(f"off: {lever[0]}", scored(files, refresh, lever)) for lever in LEVERS]
    for name, result in rows:
        made = {split: figures(files, splits, result, split) for split in SPLITS}
        shares = [_share(made[s]["true_link"]["all"], made[s]["true_n"]["all"]) for s in SPLITS]
        print(f"  {name:36} {shares[0]:>7} {shares[1]:>8} {shares[2]:>7} "
              f"{made['ALL']['false_link']['all']:6d} {made['ALL']['false_articles']:8d}")


if __name__ == "__main__":
    main()
