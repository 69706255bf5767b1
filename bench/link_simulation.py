"""Translation grouping on NTREX in memory, in seconds: the service's linking rule without the
service, to weigh grouping designs before running the stack (bench/linking_eval.py --ntrex-stack
measures the service itself).

    .venv/bin/python bench/link_simulation.py                 # 3 orders, every file, the cache if present
    .venv/bin/python bench/link_simulation.py --refresh       # re-read every file (about 2 minutes on 2 cores)

Every NTREX file goes through `process_file` and `story_links.signals` (cached under /tmp, keyed by
the signals code's hash), then arrives in a shuffled order at an in-memory copy of
workers/translation_index.py: the same keys, key weights, posting and candidate limits, the same
retrieval of groups and their representatives, the same score and the same pure rule
(`link_plan.plan_links`); after the arrivals, reconciliation (`link_plan.plan_links` again, for
ungrouped articles and small groups) runs until nothing changes, as the beat task does. Same-language
near duplicates are not folded into their canonical here (the service does), so variants count as
versions. Figures: pairwise precision, recall and F1 over files; groups per story; stories in one
group; groups holding two stories; scores computed per article; the same on a held-out split
(odd stories x the second half of the language folders) as on a training split.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workers import translation_index  # noqa: E402
from workers.pipeline import link_plan, story_links, story_names, story_numbers  # noqa: E402
from workers.pipeline.decoding import RejectedFile  # noqa: E402
from workers.pipeline.process import process_file  # noqa: E402
from workers.pipeline.story_links import Candidate, StorySignals  # noqa: E402

NTREX = REPO.parent / "shared" / "data" / "ntrex"
VERBOSE = False
RECONCILE_EVERY = 500
"""Arrivals between reconciliation passes during arrival (over the articles that arrived at least
half that many arrivals before); 0: only after every arrival."""
PAIR_FOLDERS = {"ben": "bn", "hin": "hi", "vie": "vi", "eng": "en", "zho-CN": "zh", "arb": "ar", "rus": "ru",
                "jpn": "ja", "tam": "ta", "urd": "ur"}


@dataclass(frozen=True)
class File:
    folder: str
    story: str
    signals: StorySignals


def _code_hash() -> str:
    sources = [Path(m.__file__).read_bytes() for m in (story_links, story_names, story_numbers)]
    return hashlib.sha1(b"".join(sources)).hexdigest()[:12]


def _read(item: tuple[str, str, str]) -> tuple[str, str, dict | None]:
    folder, story, path = item
    try:
        draft = process_file(Path(path).read_bytes(), Path(path).name)
    except RejectedFile:
        return folder, story, None
    return folder, story, story_links.signals(draft).to_json()


def load_files(refresh: bool) -> list[File]:
    cache = Path(f"/tmp/babelwire_link_sim_{_code_hash()}.pkl")
    if cache.exists() and not refresh:
        return [File(f, s, StorySignals.from_json(j)) for f, s, j in pickle.loads(cache.read_bytes())]
    items = []
    folders = [p for p in sorted(NTREX.iterdir()) if p.is_dir() and p.name != "variants"]
    folders += sorted(p for p in (NTREX / "variants").iterdir() if p.is_dir())
    for folder in folders:
        label = str(folder.relative_to(NTREX))
        items += [(label, p.name, str(p)) for p in sorted(folder.glob("*.txt"))]
    started = time.monotonic()
    with ProcessPoolExecutor(2) as pool:
        read = list(pool.map(_read, items, chunksize=32))
    kept = [(f, s, j) for f, s, j in read if j is not None]
    print(f"read {len(kept)} files in {time.monotonic() - started:.0f}s", flush=True)
    cache.write_bytes(pickle.dumps(kept))  # plain data: readable whichever module loads it
    return [File(f, s, StorySignals.from_json(j)) for f, s, j in kept]


# ---------------------------------------------------------------- the index, in memory


class MemoryIndex:
    """translation_index.py's tables and queries over dicts: article ids are arrival order."""

    def __init__(self, threshold: float = link_plan.LINK_THRESHOLD) -> None:
        self.threshold = threshold
        self.postings: dict[int, list[int]] = defaultdict(list)
        self.material: dict[int, translation_index.LinkMaterial] = {}
        self.group_of: dict[int, int | None] = {}
        self.members: dict[int, list[int]] = {}
        self.links: set[frozenset[int]] = set()
        self.next_group = 1
        self.scores = 0

    def add(self, article_id: int, material: translation_index.LinkMaterial) -> None:
        self.material[article_id] = material
        self.group_of[article_id] = None
        for key in material.keys:
            self.postings[key].append(article_id)

    def retrieve(self, article_id: int) -> tuple[list[int], dict[int, list[int]]]:
        """(candidates, {group: representatives}) as translation_index.find_candidates."""
        material = self.material[article_id]
        language = material.signals.language
        strength: Counter[int] = Counter()
        for key, weight in zip(material.keys, material.weights):
            for other in self.postings[key][-translation_index.MAX_POSTINGS_PER_KEY:]:
                if other != article_id:
                    strength[other] += weight
        ranked = sorted(strength, key=lambda a: (-strength[a], -a))
        other_language = [a for a in ranked if link_plan.other_languages(self.material[a].signals.language, language)]
        candidates = other_language[:translation_index.MAX_CANDIDATES]
        group_strength: dict[int, int] = {}
        for a in ranked[:translation_index.MAX_GROUP_HITS]:
            g = self.group_of[a]
            if g is not None:
                group_strength[g] = group_strength.get(g, 0) + strength[a]
        top_groups = sorted(group_strength, key=lambda g: (-group_strength[g], g))[:translation_index.MAX_GROUPS]
        representatives = {}
        for g in top_groups:
            members = [m for m in self.members[g] if m != article_id
                       and link_plan.other_languages(self.material[m].signals.language, language)]
            members.sort(key=lambda m: (-strength.get(m, 0), m))
            representatives[g] = members[:translation_index.MAX_REPRESENTATIVES]
        return candidates, representatives

    def plan(self, article_id: int, exclude_group: int | None = None, aggregate: bool = False) -> link_plan.LinkPlan:
        signals = self.material[article_id].signals
        candidates, representatives = self.retrieve(article_id)
        scored_ids = set(candidates)
        for g, reps in representatives.items():
            if g != exclude_group:
                scored_ids.update(reps)
        scored_ids = {a for a in scored_ids if exclude_group is None or self.group_of[a] != exclude_group}
        found = []
        for other in sorted(scored_ids):
            result = story_links.score(signals, self.material[other].signals)
            self.scores += 1
            found.append(Candidate(other, self.material[other].signals.language, self.group_of[other],
                                   result.score))
        linked = [c for c in found if c.score >= self.threshold]
        groups = {
            g: link_plan.GroupView(g, len(self.members[g]), frozenset(
                self.material[m].signals.language for m in self.members[g]))
            for g in {c.group_id for c in linked if c.group_id is not None}
        }
        signals_of = {c.article_id: self.material[c.article_id].signals for c in found}
        self.scores += len(story_links.partner_pairs(linked))
        partner_links = story_links.triangle_links(linked, signals_of, self.threshold)
        versions = story_links.group_versions(found, signals_of, self.threshold)
        return link_plan.plan_links(signals.language, found, groups, partner_links, aggregate=aggregate,
                                    versions=versions,
                                    threshold=self.threshold, strong=max(self.threshold, link_plan.MERGE_THRESHOLD))

    def apply(self, article_id: int, plan: link_plan.LinkPlan) -> bool:
        if not plan.changes:
            return False
        if plan.join_group is not None:
            group = plan.join_group
        else:
            group = self.next_group
            self.next_group += 1
            self.members[group] = []
        for merged in plan.merge_groups:
            for m in self.members.pop(merged):
                self.group_of[m] = group
                self.members[group].append(m)
        moving = [article_id, *plan.found_with]
        for a in moving:
            old = self.group_of[a]
            if old == group:
                continue
            if old is not None:
                self.members[old].remove(a)
                if not self.members[old]:
                    del self.members[old]
            self.group_of[a] = group
            self.members[group].append(a)
        for link in plan.links:
            self.links.add(frozenset((article_id, link.article_id)))
        return True


def settle(index: MemoryIndex, passes: int) -> list[int]:
    """Reconciliation passes until one changes nothing (at most `passes`): the changes of each."""
    changes = []
    for _ in range(passes):
        changes.append(reconcile(index))
        if not changes[-1]:
            break
    return changes


def reconcile(index: MemoryIndex, before: int | None = None) -> int:
    """One pass of link_plan's reconciliation over every article it applies to (those that
    arrived before `before`, if given); the changes."""
    changes = 0
    for article_id in sorted(index.material):
        if before is not None and article_id >= before:
            break
        group = index.group_of[article_id]
        if group is not None and len(index.members[group]) > link_plan.RECONCILE_GROUP_SIZE:
            continue
        plan = index.plan(article_id, exclude_group=group, aggregate=group is None)
        if group is not None:
            plan = link_plan.reconcile_plan(plan, group)
        if index.apply(article_id, plan):
            changes += 1
    return changes


# ---------------------------------------------------------------- one order, scored


def run_order(files: list[File], seed: int, reconcile_passes: int) -> dict[int, int | None]:
    order = list(range(len(files)))
    random.Random(seed).shuffle(order)
    index = MemoryIndex()
    started = time.process_time()
    for article_id, position in enumerate(order):
        material = translation_index.material_of(files[position].signals)
        index.add(article_id, material)
        index.apply(article_id, index.plan(article_id))
        # As in the service, reconciliation runs while articles still arrive: small groups are
        # early groups of big stories then.
        if RECONCILE_EVERY and article_id % RECONCILE_EVERY == RECONCILE_EVERY - 1:
            reconcile(index, before=article_id + 1 - RECONCILE_EVERY // 2)
    arrival_scores = index.scores
    passes = settle(index, reconcile_passes)
    cpu = time.process_time() - started
    print(f"  order {seed}: {arrival_scores / len(files):.0f} scores per article at arrival, "
          f"{(index.scores - arrival_scores) / len(files):.0f} in reconciliation "
          f"(passes changing {passes}); {cpu:.0f}s CPU", flush=True)
    return {order[a]: index.group_of[a] for a in range(len(files))}


def figures(files: list[File], group_of: dict[int, int | None], keep: set[int]) -> dict[str, float]:
    by_story: dict[str, list[int]] = defaultdict(list)
    for i in keep:
        by_story[files[i].story].append(i)
    true_pairs = sum(len(v) * (len(v) - 1) // 2 for v in by_story.values())
    by_group: dict[int, list[int]] = defaultdict(list)
    for i in keep:
        if group_of[i] is not None:
            by_group[group_of[i]].append(i)
    predicted = right = 0
    mixed = 0
    for members in by_group.values():
        predicted += len(members) * (len(members) - 1) // 2
        stories = Counter(files[i].story for i in members)
        right += sum(n * (n - 1) // 2 for n in stories.values())
        if sum(1 for n in stories.values() if n >= 2) >= 2:
            mixed += 1
            if VERBOSE:
                print("    mixed:", stories.most_common(4))
    precision = right / predicted if predicted else 1.0
    recall = right / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    ungrouped = sum(1 for i in keep if group_of[i] is None)
    groups_per_story, one_group = [], 0
    for members in by_story.values():
        groups = Counter(group_of[i] for i in members if group_of[i] is not None)
        groups_per_story.append(len(groups))
        one_group += len(groups) == 1
    return {"P": precision, "R": recall, "F1": f1, "groups/story": statistics.mean(groups_per_story),
            "one group": one_group / len(by_story), "mixed groups": mixed,
            "ungrouped": ungrouped}


def pair_table(files: list[File], group_of: dict[int, int | None]) -> list[tuple[str, float]]:
    index: dict[tuple[str, str], int] = {(f.folder, f.story): i for i, f in enumerate(files)}
    stories = sorted({f.story for f in files})
    out = []
    for first, second in combinations(PAIR_FOLDERS, 2):
        pairs = [(index.get((first, s)), index.get((second, s))) for s in stories]
        pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
        linked = sum(1 for a, b in pairs if group_of[a] is not None and group_of[a] == group_of[b])
        out.append((f"{PAIR_FOLDERS[first]}-{PAIR_FOLDERS[second]}", linked / len(pairs) if pairs else 0.0))
    return out


def main() -> None:
    global VERBOSE, RECONCILE_EVERY
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--refresh", action="store_true")
    parser.add_argument("--orders", type=int, default=3)
    parser.add_argument("--reconcile-passes", type=int, default=3)
    parser.add_argument("--pairs", action="store_true", help="print the per-pair table")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--all-only", action="store_true")
    parser.add_argument("--reconcile-every", type=int, default=RECONCILE_EVERY)
    parser.add_argument("--set", action="append", default=[], metavar="MODULE.NAME=VALUE",
                        help="override a constant, e.g. link_plan.MERGE_SHARE=0.3")
    args = parser.parse_args()
    for assignment in args.set:
        name, value = assignment.split("=", 1)
        module_name, constant = name.rsplit(".", 1)
        module = {"link_plan": link_plan, "translation_index": translation_index}[module_name]
        setattr(module, constant, type(getattr(module, constant))(value))
    VERBOSE, RECONCILE_EVERY = args.verbose, args.reconcile_every
    files = load_files(args.refresh)
    stories = sorted({f.story for f in files})
    folders = sorted({f.folder for f in files if not f.folder.startswith("variants/")})
    half = set(folders[: len(folders) // 2])
    train = {i for i, f in enumerate(files) if stories.index(f.story) % 2 == 0 and f.folder in half}
    held = {i for i, f in enumerate(files)
            if stories.index(f.story) % 2 == 1 and f.folder not in half and not f.folder.startswith("variants/")}
    print(f"{len(files)} files, {len(stories)} stories; train {len(train)}, held out {len(held)}")
    rows: dict[str, list[dict[str, float]]] = defaultdict(list)
    tables = []
    for seed in range(1, args.orders + 1):
        group_of = run_order(files, seed, args.reconcile_passes)
        rows["all"].append(figures(files, group_of, set(range(len(files)))))
        tables.append(dict(pair_table(files, group_of)))
        for name, keep in (() if args.all_only else (("train", train), ("held out", held))):
            sub = [files[i] for i in sorted(keep)]
            positions = sorted(keep)
            sub_order = run_order(sub, seed, args.reconcile_passes)
            rows[name].append(figures(sub, sub_order, set(range(len(sub)))))
            del positions
    for name, runs in rows.items():
        means = {k: statistics.mean(r[k] for r in runs) for k in runs[0]}
        print(f"{name:9s} " + "  ".join(f"{k} {v:.3f}" for k, v in means.items()))
    pair_means = {p: statistics.mean(t[p] for t in tables) for p in tables[0]}
    below = sorted((v, p) for p, v in pair_means.items() if v < 0.9)
    print(f"focus pairs (recall, mean over orders): lowest {min(pair_means.values()):.3f}, "
          f"mean {statistics.mean(pair_means.values()):.3f}, {len(below)} of {len(pair_means)} below 0.9")
    if args.pairs:
        print("  " + ", ".join(f"{p} {v:.2f}" for v, p in below))


if __name__ == "__main__":
    main()
