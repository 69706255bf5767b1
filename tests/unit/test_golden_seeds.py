"""The whole structured record of every seed against the hand-written one in tests/golden/."""

import json
from pathlib import Path

import pytest

from tests.seeds import seed_paths
from workers.pipeline.article import SourceDocument
from workers.pipeline.cleaning import clean
from workers.pipeline.hygiene import tidy
from workers.pipeline.language import identify

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"
SEEDS = range(5)


def golden(index: int) -> dict:
    return json.loads((GOLDEN_DIR / f"{index:03d}.json").read_text(encoding="utf-8"))


def seed_lines(index: int) -> list[str]:
    return seed_paths()[index].read_text(encoding="utf-8").split("\n")


def cleaned(index: int):
    return clean(SourceDocument(text=tidy(seed_paths()[index].read_text(encoding="utf-8"))))


@pytest.mark.parametrize("index", SEEDS)
def test_golden_file_names_its_seed(index):
    assert golden(index)["seed"] == seed_paths()[index].name


@pytest.mark.parametrize("index", SEEDS)
def test_title_and_lead(index):
    article, expected = cleaned(index), golden(index)
    assert (article.title, article.lead) == (expected["title"], expected["lead"])


@pytest.mark.parametrize("index", SEEDS)
def test_paragraphs_kinds_and_order(index):
    article, expected = cleaned(index), golden(index)
    assert [(p.kind, p.text[:40]) for p in article.paragraphs] == [
        (p["kind"], p["starts"]) for p in expected["paragraphs"]
    ]


@pytest.mark.parametrize("index", SEEDS)
def test_paragraphs_are_whole_seed_lines(index):
    article, lines = cleaned(index), seed_lines(index)
    expected = [lines[p["line"] - 1] for p in golden(index)["paragraphs"]]
    assert [p.text for p in article.paragraphs] == expected


@pytest.mark.parametrize("index", SEEDS)
@pytest.mark.parametrize("field", ["captions", "images", "source_url", "removed"])
def test_fields(index, field):
    value = getattr(cleaned(index), field)
    assert (list(value) if isinstance(value, tuple) else value) == golden(index)[field]


@pytest.mark.parametrize("index", SEEDS)
def test_language_and_script(index):
    guess, expected = identify(cleaned(index).text), golden(index)
    assert (guess.code, guess.script, guess.mixed) == (
        expected["language"], expected["script"], expected["languages_mixed"]
    )
    assert guess.confidence > 0.9


@pytest.mark.parametrize("index", SEEDS)
def test_text_is_the_paragraphs_with_blank_lines(index):
    article = cleaned(index)
    assert article.text.split("\n\n") == [p.text for p in article.paragraphs]
    assert "\n\n\n" not in article.text and article.text == article.text.strip()
