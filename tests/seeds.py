"""The real seed articles in ../shared/data/seeds (next to the repository)."""

from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "seeds"


def seed_paths() -> list[Path]:
    paths = sorted(SEEDS_DIR.glob("*.txt"))
    assert len(paths) == 5, f"expected the five seed files in {SEEDS_DIR}"
    return paths


def seed_bytes(index: int) -> bytes:
    return seed_paths()[index].read_bytes()


NTREX_DIR = SEEDS_DIR.parent / "ntrex"
"""NTREX-128: real news stories, human-translated; `LANG/DOCID.txt`, one sentence a line."""


def ntrex_text(folder: str, story: str) -> str:
    path = NTREX_DIR / folder / f"{story}.txt"
    assert path.is_file(), f"expected {path} (the NTREX stories in ../shared/data/ntrex)"
    return path.read_text(encoding="utf-8")
