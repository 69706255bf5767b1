"""The real seed articles in ../shared/data/seeds (next to the repository)."""

from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "seeds"


def seed_paths() -> list[Path]:
    paths = sorted(SEEDS_DIR.glob("*.txt"))
    assert len(paths) == 5, f"expected the five seed files in {SEEDS_DIR}"
    return paths


def seed_bytes(index: int) -> bytes:
    return seed_paths()[index].read_bytes()
