"""How well the clean stage does on the labelled set in tests/data/cleaning (see its build.py).

    .venv/bin/python bench/cleaning_eval.py            # figures, then each failing file
    .venv/bin/python bench/cleaning_eval.py --quiet    # figures only

Counts, over every file (NDJSON records count one by one):
  boilerplate lines  expected to go / gone from the record / also listed in `removed`
  body lines         expected / kept exactly / damaged (kept but altered, merged or split) / lost
  extra paragraphs   body paragraphs that are neither expected body nor expected boilerplate
  per field          title, lead, source_url, images, captions, paragraph kinds, published_at,
                     language, script, languages_mixed: files right / files checked
  rejects            files refused with a matching reason / files that must be refused
Exit status 0 whatever the figures (it measures, it does not gate).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.data.cleaning_set import (  # noqa: E402
    Verdict,
    describe,
    file_bytes,
    judge,
    load_expected,
    rejection_matches,
    run_pipeline,
    split,
)
from workers.pipeline.decoding import RejectedFile  # noqa: E402

FIELDS = ["title", "lead", "source_url", "images", "captions", "paragraph kinds", "published_at",
          "language", "script", "languages_mixed", "nothing removed"]


def evaluate(name: str, exp: dict) -> list[tuple[str, dict, Verdict | None, str | None]]:
    """(unit name, expectation, verdict, crash or rejection message) per file or NDJSON record."""
    content = file_bytes(name)
    if exp["format"] == "ndjson":
        records = split(name, content)
        units = list(zip(records, exp["records"]))
        if len(records) != len(exp["records"]):
            return [(name, exp, None, f"split into {len(records)} records, expected {len(exp['records'])}")]
        return [_run(record_name, record, record_exp) for (record_name, record), record_exp in units]
    return [_run(name, content, exp)]


def _run(name: str, content: bytes, exp: dict) -> tuple[str, dict, Verdict | None, str | None]:
    try:
        outcome = run_pipeline(content, name)
    except RejectedFile as rejection:
        return name, exp, None, f"rejected: {rejection}"
    except Exception as error:  # a crash is a result too: counted, listed, not fatal
        return name, exp, None, f"crashed: {type(error).__name__}: {error}"
    return name, exp, judge(exp, outcome), None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="figures only, no per-file failures")
    args = parser.parse_args()

    expected = load_expected()
    started = time.perf_counter()
    categories = Counter(exp["category"] for exp in expected.values())
    totals: Counter[str] = Counter()
    field_right: Counter[str] = Counter()
    field_checked: Counter[str] = Counter()
    language_confusion: Counter[tuple[str, str]] = Counter()
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    failures: list[str] = []

    for name, exp in expected.items():
        if "error" in exp:
            totals["rejects expected"] += 1
            try:
                run_pipeline(file_bytes(name), name)
                failures.append(f"{name} [{exp['category']}]: accepted, must be rejected ({exp['error']})")
            except RejectedFile as rejection:
                if rejection_matches(exp, str(rejection)):
                    totals["rejects right"] += 1
                else:
                    failures.append(f"{name} [{exp['category']}]: rejected with {str(rejection)!r}, "
                                    f"expected a reason naming one of {exp['error']}")
            except Exception as error:
                failures.append(f"{name} [{exp['category']}]: crashed: {type(error).__name__}: {error}")
            continue

        for unit, unit_exp, verdict, problem in evaluate(name, exp):
            totals["records expected"] += 1
            by_category[exp["category"]]["units"] += 1
            body = len(unit_exp.get("body", []))
            boilerplate = len(unit_exp.get("boilerplate", []))
            totals["body lines"] += body
            totals["boilerplate lines"] += boilerplate
            if verdict is None:
                totals["records not produced"] += 1
                totals["body lost"] += body
                failures.append(f"{unit} [{exp['category']}]: {problem}")
                for field in FIELDS:
                    if field in unit_exp or (field == "paragraph kinds" and "body" in unit_exp) or (
                        field == "nothing removed" and unit_exp.get("nothing_removed")
                    ):
                        field_checked[field] += 1
                continue
            totals["records produced"] += 1
            totals["body exact"] += verdict.body_exact
            totals["body damaged"] += len(verdict.body_damaged)
            totals["body lost"] += len(verdict.body_lost)
            totals["extra paragraphs"] += len(verdict.extra_paragraphs)
            totals["boilerplate removed"] += verdict.boilerplate_removed
            totals["boilerplate reported"] += verdict.boilerplate_reported
            for field, (ok, want, got) in verdict.fields.items():
                if field in ("body", "boilerplate left"):
                    continue
                field_checked[field] += 1
                field_right[field] += ok
                if field == "language" and not ok:
                    language_confusion[(str(want), str(got))] += 1
            all_ok = not verdict.failures()
            totals["records fully right"] += all_ok
            by_category[exp["category"]]["fully right"] += all_ok
            if not all_ok:
                failures.append(f"{unit} [{exp['category']}]:\n{describe(verdict.failures(), width=140)}")

    elapsed = time.perf_counter() - started
    print(f"cleaning set: {len(expected)} files ({', '.join(f'{c} {n}' for c, n in sorted(categories.items()))})")
    print(f"records expected (NDJSON records counted one by one): {totals['records expected']}, "
          f"produced: {totals['records produced']}, not produced (rejected or crashed): {totals['records not produced']}, "
          f"every field right: {totals['records fully right']}")
    print(f"boilerplate lines expected to be removed: {totals['boilerplate lines']}, removed: "
          f"{totals['boilerplate removed']}, of those listed in `removed`: {totals['boilerplate reported']}")
    print(f"body lines expected: {totals['body lines']}, kept exactly: {totals['body exact']}, damaged: "
          f"{totals['body damaged']}, lost: {totals['body lost']}; extra paragraphs kept: {totals['extra paragraphs']}")
    for field in FIELDS:
        if field_checked[field]:
            print(f"  {field:<16} {field_right[field]:>3} / {field_checked[field]:<3} right")
    if language_confusion:
        print("  language errors: " + ", ".join(f"{want}->{got} x{n}" for (want, got), n in sorted(language_confusion.items())))
    print(f"rejects: {totals['rejects right']} / {totals['rejects expected']} refused with a matching reason")
    print("per category, files (or records) with every field right:")
    for category in sorted(by_category):
        counts = by_category[category]
        print(f"  {category:<24} {counts['fully right']:>3} / {counts['units']}")
    print(f"time: {elapsed:.1f} s")
    if failures and not args.quiet:
        print(f"\nfailures ({len(failures)}):")
        for failure in failures:
            print(f"- {failure}")


if __name__ == "__main__":
    main()
