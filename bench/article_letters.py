"""The fewest letters any real article has after cleaning: the evidence for MIN_ARTICLE_LETTERS
(workers/pipeline/process.py), which must refuse junk such as a file `a` and no real article.

Runs read_document -> clean over every text, HTML and JSON file of ../shared/data/seeds,
../shared/data/ntrex and tests/data/articles, counts Unicode letters (category L) in each cleaned
body, and prints the count of files, the shortest ten, and how many the minimum would refuse.

    .venv/bin/python bench/article_letters.py
"""

from pathlib import Path

from workers.pipeline.cleaning import clean
from workers.pipeline.decoding import RejectedFile
from workers.pipeline.formats import read_document
from workers.pipeline.language import letter_count
from workers.pipeline.process import MIN_ARTICLE_LETTERS

REPO = Path(__file__).resolve().parents[1]
ROOTS = [REPO.parent / "shared/data/seeds", REPO.parent / "shared/data/ntrex", REPO / "tests/data/articles"]
SUFFIXES = {".txt", ".html", ".json"}


def main() -> None:
    counts: list[tuple[int, str]] = []
    for root in ROOTS:
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.suffix not in SUFFIXES:
                continue
            try:
                article = clean(read_document(path.read_bytes(), path.name))
            except RejectedFile:
                continue
            counts.append((letter_count(article.text), str(path.relative_to(REPO.parent))))
    counts.sort()
    print(f"{len(counts)} article files; the fewest letters after cleaning:")
    for letters, name in counts[:10]:
        print(f"  {letters:6d}  {name}")
    refused = [name for letters, name in counts if letters < MIN_ARTICLE_LETTERS]
    print(f"MIN_ARTICLE_LETTERS = {MIN_ARTICLE_LETTERS}: {len(refused)} of them would be refused")


if __name__ == "__main__":
    main()
