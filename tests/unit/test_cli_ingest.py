"""The pure parts of `babelwire ingest`: which files go, in which batches, and the summary."""

from pathlib import Path

from babelwire.cli.ingesting import (
    Upload,
    batches,
    collect,
    summary_table,
    tally_by_language,
)


def test_folders_are_walked_in_order_without_hidden_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("b/2.txt", "a.txt", ".hidden", ".git/config", "b/1.zip"):
        (tmp_path / name).write_bytes(b"x" * len(name))
    single = tmp_path / "b" / "2.txt"

    found = collect([tmp_path, single])

    assert [(u.name, u.size) for u in found] == [("a.txt", 5), ("b/1.zip", 7), ("b/2.txt", 7), ("2.txt", 7)]


def test_batches_hold_at_most_n_files_and_the_byte_budget_but_a_big_file_goes_alone() -> None:
    uploads = [Upload(Path(str(size)), str(size), size) for size in (1, 1, 1, 10, 1, 1)]

    assert [[u.size for u in batch] for batch in batches(uploads, max_files=2, max_bytes=5)] == [[1, 1], [1], [10], [1, 1]]
    assert [len(batch) for batch in batches(uploads, max_files=100, max_bytes=100)] == [6]
    assert list(batches([], 10, 10)) == []


def test_the_summary_counts_per_language_with_failures_last() -> None:
    files = [
        {"status": "created", "language": "vi"},
        {"status": "duplicate", "language": "vi"},
        {"status": "created", "language": "bn"},
        {"status": "failed", "language": None},
    ]

    assert summary_table(tally_by_language(files)) == [
        "language  created  duplicates  failed",
        "bn              1           0       0",
        "vi              1           1       0",
        "-               0           0       1",
        "total           2           1       1",
    ]


def test_files_still_waiting_get_a_column_of_their_own() -> None:
    table = summary_table(tally_by_language([{"status": "queued", "language": None}, {"status": "created", "language": "en"}]))

    assert table[0].split() == ["language", "created", "duplicates", "failed", "pending"]
    assert table[-1].split() == ["total", "1", "0", "0", "1"]
