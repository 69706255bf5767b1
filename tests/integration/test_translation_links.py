"""Translation groups made from content alone (issue 5), through the real stack: versions of a
story with no source URL find each other by their figures and names across languages and scripts,
a late version joins, a bridging version merges two groups whose languages don't overlap (and
doesn't when they do), every link's evidence is on the group, and all of it holds when four worker
processes link at once. The texts are made here, new every run: the seeds (and near copies of
them) must not enter the session database, whose end-to-end test owns them."""

import random
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass

import psycopg
import pytest
from psycopg.rows import dict_row

from babelwire.jobs import IncomingFile, create_job
from tests.integration.helpers import upload, wait_for_job
from tests.seeds import seed_paths
from tests.texts import EN_WORDS, RU_WORDS, VI_WORDS
from workers import neardup_index, store, translation_index
from workers.pipeline import neardup, story_links
from workers.pipeline.process import process_file

RNG = random.Random()  # unseeded: names and figures new to a database that outlived a run

FR_WORDS = (
    "conseil budget rivière port chemin école hôpital agriculteur marché festival musée élection "
    "tribunal police météo tempête pont usine exportation village province ingénieur enseignant "
    "étudiant infirmière médecin bibliothèque aéroport autoroute énergie vent charbon prix salaire "
    "impôt traité sommet frontière pêche riz café tourisme patrimoine temple inondation sécheresse"
).split()
ES_WORDS = (
    "consejo presupuesto río puerto ferrocarril escuela hospital agricultor mercado festival museo "
    "elección tribunal policía tiempo tormenta puente fábrica exportación pueblo provincia ingeniero "
    "maestro estudiante enfermera médico biblioteca aeropuerto autopista energía viento carbón precio "
    "salario impuesto tratado cumbre frontera pesca arroz café turismo patrimonio templo inundación"
).split()
FILLER = {"en": EN_WORDS, "fr": FR_WORDS, "es": ES_WORDS, "vi": VI_WORDS, "ru": RU_WORDS}

# One story in three parts and five languages: a core and two halves, each with a name, three
# figures and a decimal (the core a place as well). A version of the core and one half links to a
# whole version strongly enough to merge the groups the whole version bridges, and not to a
# version of the core and the other half. Names never start a sentence (where a capital proves
# nothing).
PARTS = {
    "c": {
        "en": "Officials in {place} counted {n6} applications, {n7} complaints and {n8} appeals, spokesperson {c} said, {dec3} times as many as last year.",
        "fr": "Les services de {place} ont compté {n6} demandes, {n7} plaintes et {n8} recours, selon la porte-parole {c}, soit {dec3} fois plus que l'an dernier.",
        "es": "Las autoridades de {place} contaron {n6} solicitudes, {n7} quejas y {n8} recursos, según la portavoz {c}, {dec3} veces más que el año pasado.",
        "vi": "Theo người phát ngôn {c}, chính quyền {place} đã ghi nhận {n6} đơn, {n7} khiếu nại và {n8} kháng nghị, gấp {dec3} lần năm ngoái.",
        "ru": "Власти города {place} насчитали {n6} заявок, {n7} жалоб и {n8} апелляций, сообщила пресс-секретарь {c}, в {dec3} раза больше, чем в прошлом году.",
    },
    "a": {
        "en": "In a statement, minister {a} said that {n0} households would receive support worth {dec} million, and {n1} more would follow after {n2} inspections.",
        "fr": "Dans un communiqué, le ministre {a} a déclaré que {n0} foyers recevraient une aide de {dec} millions, et que {n1} autres suivraient après {n2} inspections.",
        "es": "En un comunicado, el ministro {a} dijo que {n0} hogares recibirán una ayuda de {dec} millones, y que otros {n1} seguirán tras {n2} inspecciones.",
        "vi": "Trong một thông cáo, bộ trưởng {a} cho biết {n0} hộ gia đình sẽ nhận khoản hỗ trợ {dec} triệu, và {n1} hộ khác sẽ được hỗ trợ sau {n2} đợt kiểm tra.",
        "ru": "В своём заявлении министр {a} заявил, что {n0} семей получат помощь в размере {dec} млн, а ещё {n1} последуют после {n2} проверок.",
    },
    "b": {
        "en": "The plan drawn up by engineer {b} covers {n3} kilometres of roads, {n4} schools and {n5} clinics, and costs {dec2} percent of the budget.",
        "fr": "Le plan de l'ingénieur {b} couvre {n3} kilomètres de routes, {n4} écoles et {n5} dispensaires, et coûte {dec2} pour cent du budget.",
        "es": "El plan del ingeniero {b} abarca {n3} kilómetros de carreteras, {n4} escuelas y {n5} clínicas, y cuesta el {dec2} por ciento del presupuesto.",
        "vi": "Kế hoạch của kỹ sư {b} bao gồm {n3} km đường, {n4} trường học và {n5} phòng khám, với chi phí bằng {dec2} phần trăm ngân sách.",
        "ru": "План инженера {b} охватывает {n3} километров дорог, {n4} школ и {n5} клиник, а его стоимость составляет {dec2} процента бюджета.",
    },
}
THOUSANDS = {"en": ",", "fr": " ", "es": ".", "vi": ".", "ru": " "}
DECIMAL = {"en": ".", "fr": ",", "es": ",", "vi": ",", "ru": ","}
CYRILLIC = dict(zip("adegiklmnoprstuz", "адегиклмнопрстуз"))  # the letters _name_part uses


CONSONANT_CLASSES = ("dt", "gk", "p", "sz", "lr", "mn")


def _name_part() -> str:
    """A made-up name whose consonants all survive transliteration, no two neighbours of one
    class (a name's skeleton keeps consonant classes and collapses repeats), so that every name
    weighs the same in every script."""
    classes = RNG.sample(CONSONANT_CLASSES, 4)
    return "".join(RNG.choice(c) + RNG.choice("aeiou") for c in classes).capitalize()


@dataclass(frozen=True)
class Story:
    """One story's facts; rendered in a language, whole or by halves, with prose of its own
    around them, so that no two renderings are near duplicates."""

    place: str
    minister: str
    engineer: str
    spokesperson: str
    figures: tuple[int, ...]
    decimals: tuple[tuple[int, int], ...]

    @classmethod
    def new(cls) -> "Story":
        return cls(
            place=_name_part(),
            minister=f"{_name_part()} {_name_part()}",
            engineer=f"{_name_part()} {_name_part()}",
            spokesperson=f"{_name_part()} {_name_part()}",
            figures=tuple(RNG.randint(10000, 99999) for _ in range(9)),
            decimals=tuple((RNG.randint(11, 99), RNG.randint(1, 9)) for _ in range(3)),
        )

    def text(self, language: str, parts: str = "cab") -> str:
        def name(latin: str) -> str:
            if language != "ru":
                return latin
            return " ".join("".join(CYRILLIC[c] for c in part.lower()).capitalize() for part in latin.split())

        slots = {
            "place": name(self.place), "a": name(self.minister), "b": name(self.engineer), "c": name(self.spokesperson),
            **{slot: f"{whole}{DECIMAL[language]}{tenth}" for slot, (whole, tenth) in zip(("dec", "dec2", "dec3"), self.decimals)},
            **{f"n{i}": f"{n:,}".replace(",", THOUSANDS[language]) for i, n in enumerate(self.figures)},
        }
        # As much prose whatever the parts, so that a partial version's length stays that of a
        # translation (a length ratio far from 1 lowers the score).
        paragraphs = [_prose(language)]
        for part in parts:
            paragraphs += [PARTS[part][language].format(**slots), _prose(language)]
        paragraphs += [_prose(language) for _ in range(3 - len(parts))]
        return "\n\n".join(paragraphs) + "\n"

    def file(self, language: str, parts: str = "cab", url: str | None = None, image: str | None = None) -> bytes:
        photo = f"\n{image}\n{_prose(language, 1)}\n" if image else ""  # a file name line, then its caption
        return (self.text(language, parts) + photo + (f"\nSource: {url}\n" if url else "")).encode()


def _prose(language: str, sentences: int = 3) -> str:
    words = FILLER[language]
    return " ".join(
        " ".join(RNG.choice(words) for _ in range(12)).replace("_", " ").capitalize() + "."
        for _ in range(sentences)
    )


def _signals(content: bytes) -> story_links.StorySignals:
    return story_links.signals(process_file(content, "x.txt"))


def _score(first: bytes, second: bytes) -> float:
    return story_links.score(_signals(first), _signals(second)).score






def _post(poster, api, files: list[tuple[str, bytes]], timeout: float = 120) -> list[int]:
    job = wait_for_job(api, upload(poster, files)["job_id"], timeout=timeout)
    assert job["counts"]["created"] == len(files), job
    return [f["article_id"] for f in job["files"]]


def _group_of(api, article_id: int) -> int | None:
    return api.get(f"/v1/articles/{article_id}").json()["group_id"]


def _reconciled(db: psycopg.Connection, article_ids: list[int], timeout: float = 60) -> None:
    """Waits until every one of these articles has had reconciliation's first look, if it was
    due one (the worker's beat sends the task every second here; tests/integration/conftest.py)."""
    deadline = time.monotonic() + timeout
    while True:
        waiting = db.execute(
            "SELECT count(*) AS n FROM articles WHERE id = ANY(%s) AND relink_due_at IS NOT NULL AND relink_round = 0",
            (article_ids,),
        ).fetchone()["n"]
        if not waiting:
            return
        assert time.monotonic() < deadline, f"{waiting} article(s) not reconciled after {timeout}s"
        time.sleep(0.3)


def _no_duplicate_in_a_group(db: psycopg.Connection) -> None:
    """Across the session's whole database: no duplicate is indexed, grouped or linked."""
    duplicates_used = db.execute(
        """SELECT a.id FROM articles a WHERE a.duplicate_of IS NOT NULL
             AND (a.group_id IS NOT NULL OR a.link_signals IS NOT NULL
                  OR EXISTS (SELECT 1 FROM article_link_keys k WHERE k.article_id = a.id)
                  OR EXISTS (SELECT 1 FROM translation_links l WHERE a.id IN (l.article_id, l.partner_id)))"""
    ).fetchall()
    assert duplicates_used == []


def test_two_versions_posted_at_once_link_and_a_third_language_joins_later(poster, api, db):
    story = Story.new()
    en, vi = story.file("en"), story.file("vi")
    assert _score(en, vi) >= story_links.LINK_THRESHOLD  # the data is what it claims

    en_id, vi_id = _post(poster, api, [("en.txt", en), ("vi.txt", vi)])
    _reconciled(db, [en_id, vi_id])  # one link below the founding strength: reconciliation pairs them

    group_id = _group_of(api, en_id)
    assert group_id is not None and _group_of(api, vi_id) == group_id
    group = api.get(f"/v1/groups/{group_id}").json()
    assert sorted((m["language"], m["id"]) for m in group["articles"]) == [("en", en_id), ("vi", vi_id)]
    assert group["merged_from"] == []
    (link,) = group["links"]
    assert {link["article_id"], link["partner_id"]} == {en_id, vi_id}
    assert link["score"] >= story_links.LINK_THRESHOLD
    shared = link["evidence"]["numbers"]["shared"]
    assert set(shared) >= {str(n) for n in story.figures}  # "4,815" and "4.815" are one figure
    assert link["evidence"]["names"]["shared"]

    ru_id, = _post(poster, api, [("ru.txt", story.file("ru"))])

    group = api.get(f"/v1/groups/{group_id}").json()
    assert sorted(m["language"] for m in group["articles"]) == ["en", "ru", "vi"]
    assert group["links"][0]["article_id"] == link["article_id"]
    assert {later["article_id"] for later in group["links"][1:]} == {ru_id}
    assert {later["partner_id"] for later in group["links"][1:]} <= {en_id, vi_id}
    translations = api.get(f"/v1/articles/{ru_id}").json()["translations"]
    assert sorted(translations, key=lambda t: t["language"]) == [{"id": en_id, "language": "en"}, {"id": vi_id, "language": "vi"}]


def test_a_bridging_version_merges_two_groups_whose_languages_differ(poster, api, db):
    story = Story.new()
    first = [("en-a.txt", story.file("en", "ca")), ("fr-a.txt", story.file("fr", "ca"))]
    second = [("es-b.txt", story.file("es", "cb")), ("ru-b.txt", story.file("ru", "cb"))]
    bridge = story.file("vi")
    for _, one in first:
        for _, other in second:
            assert _score(one, other) < story_links.LINK_THRESHOLD  # the halves don't link
    for _, half in first + second:
        assert _score(bridge, half) >= story_links.MERGE_THRESHOLD

    en_id, fr_id = _post(poster, api, first)
    es_id, ru_id = _post(poster, api, second)
    _reconciled(db, [en_id, fr_id, es_id, ru_id])
    older, younger = _group_of(api, en_id), _group_of(api, es_id)
    assert None not in (older, younger) and older < younger
    assert _group_of(api, fr_id) == older and _group_of(api, ru_id) == younger

    vi_id, = _post(poster, api, [("vi.txt", bridge)])

    group = api.get(f"/v1/groups/{older}").json()
    assert group["id"] == older and group["merged_from"] == [younger]
    assert sorted(m["id"] for m in group["articles"]) == sorted([en_id, fr_id, es_id, ru_id, vi_id])
    assert {_group_of(api, a) for a in (en_id, fr_id, es_id, ru_id, vi_id)} == {older}
    # The merged group's id still answers, with the surviving group.
    assert api.get(f"/v1/groups/{younger}").json() == group
    # The links that made both groups, and the bridge's to each of them.
    links = {frozenset((link["article_id"], link["partner_id"])) for link in group["links"]}
    assert links >= {frozenset((en_id, fr_id)), frozenset((es_id, ru_id))}
    bridge_partners = {link["partner_id"] for link in group["links"] if link["article_id"] == vi_id}
    assert bridge_partners & {en_id, fr_id} and bridge_partners & {es_id, ru_id}
    _no_duplicate_in_a_group(db)


def test_two_english_versions_of_a_story_end_in_its_one_group(poster, api, db):
    """Two halves of one story (the core and one half each), each posted with an English version,
    and then a full version: whether the halves link each other directly (they share the core's
    names and figures) or only through the full version, every article ends in one group that
    holds English twice, each English version there by links to other languages."""
    story = Story.new()
    en_a, fr_a = _post(poster, api, [("en-a.txt", story.file("en", "ca")), ("fr-a.txt", story.file("fr", "ca"))])
    en_b, es_b = _post(poster, api, [("en-b.txt", story.file("en", "cb")), ("es-b.txt", story.file("es", "cb"))])
    vi_id, = _post(poster, api, [("vi.txt", story.file("vi"))])
    _reconciled(db, [en_a, fr_a, en_b, es_b, vi_id])

    group_id = _group_of(api, vi_id)
    assert group_id is not None and {_group_of(api, a) for a in (en_a, fr_a, en_b, es_b)} == {group_id}
    group = api.get(f"/v1/groups/{group_id}").json()
    assert sorted(m["language"] for m in group["articles"]) == ["en", "en", "es", "fr", "vi"]
    for english in (en_a, en_b):
        partners = {link["partner_id"] for link in group["links"] if link["article_id"] == english}
        partners |= {link["article_id"] for link in group["links"] if link["partner_id"] == english}
        assert partners and partners <= {fr_a, es_b, vi_id}  # never linked to the other English one
    _no_duplicate_in_a_group(db)


def _stored_score(db: psycopg.Connection, first: int, second: int) -> float:
    rows = db.execute("SELECT link_signals FROM articles WHERE id = ANY(%s) ORDER BY id", ([first, second],)).fetchall()
    a, b = (story_links.StorySignals.from_json(r["link_signals"]) for r in rows)
    return story_links.score(a, b).score


def test_a_shared_source_url_links_whatever_the_content(poster, api):
    url = f"https://news.example/{uuid.uuid4().hex}"
    en_id, vi_id = _post(poster, api, [
        ("en.txt", Story.new().file("en", url=url)),
        ("vi.txt", Story.new().file("vi", url=url)),  # another story's content: only the URL agrees
    ])
    group_id = _group_of(api, en_id)
    assert group_id is not None and _group_of(api, vi_id) == group_id
    (link,) = api.get(f"/v1/groups/{group_id}").json()["links"]
    assert link["score"] == 1.0 and link["evidence"]["source_url"] == url




SOURCE_LINE = re.compile(r"^(?:সূত্র|स्रोत)\s*:.*$", re.MULTILINE)


@pytest.mark.parametrize("order", [(0, 1, 2, 3, 4), (4, 3, 2, 1, 0), (3, 4, 1, 0, 2)])
def test_the_seeds_without_source_lines_group_by_content_in_any_order(scratch_database, order):
    """In a database of its own (the session's holds the seeds with their URLs), through the
    storing code the worker runs, one article per transaction."""
    seeds = [SOURCE_LINE.sub("", path.read_text()).encode() for path in seed_paths()]
    with psycopg.connect(scratch_database, row_factory=dict_row) as conn:
        _, file_ids = create_job(conn, [IncomingFile(f"{i}.txt", seeds[i], len(seeds[i])) for i in order])
        conn.commit()
        article_of = {}
        for index, file_id in zip(order, file_ids):
            draft = process_file(seeds[index], f"{index}.txt")
            assert draft.source_url is None
            sketch, material = neardup_index.sketch(draft.text), translation_index.prepare(draft)
            with conn.transaction():
                article_of[index] = store.record_article(conn, file_id, draft, sketch, material).article_id
        rows = conn.execute("SELECT id, group_id FROM articles").fetchall()
        links = conn.execute("SELECT group_id, evidence FROM translation_links").fetchall()
    index_of = {article_id: index for index, article_id in article_of.items()}
    groups = defaultdict(set)
    for row in rows:
        groups[row["group_id"]].add(index_of[row["id"]])
    assert sorted(map(sorted, (m for g, m in groups.items() if g is not None))) == [[0, 1], [2, 4]]
    assert groups.get(None) == {3}
    assert len(links) == 2 and all(link["evidence"]["numbers"]["shared"] for link in links)


def _racers(url: str, image: str) -> tuple[bytes, bytes]:
    """An English text with the photo and a French one with the source URL, sharing no link key
    (made-up names have short skeletons, which two stories share now and then)."""
    by_image = Story.new().file("en", image=image)
    keys = set(story_links.link_keys(_signals(by_image)))
    while True:
        by_url = Story.new().file("fr", url=url)
        if not keys & set(story_links.link_keys(_signals(by_url))):
            return by_image, by_url


def test_many_stories_linked_by_four_workers_at_once_end_with_one_group_each(poster, api, db):
    """Three races on four worker processes. A story's two versions at the same moment: they
    share link keys, so the key locks make the second wait for the first and find it. Five
    versions of a story at once, a second English one among them, which joins as a version of
    English when it links two of the others, and else stays out of every group. And two
    versions that share no key with each other, only with a version stored before (one its photo,
    the other its source URL; their texts are other stories'), at the same moment: only the group
    and row locks keep them from each founding a group with it."""
    pairs = [Story.new() for _ in range(40)]
    together = [Story.new() for _ in range(15)]
    languages = ["en", "fr", "ru", "vi", "en"]
    for story in together[:3]:  # the data is what it claims, on a sample
        en, fr, other_en = (story.file(lang) for lang in ("en", "fr", "en"))
        assert _score(en, fr) >= story_links.LINK_THRESHOLD
        assert neardup.similarity(process_file(en).text, process_file(other_en).text) < neardup_index.config().threshold
    races = [(f"https://news.example/{uuid.uuid4().hex}", f"photo-{uuid.uuid4().hex}.jpg") for _ in range(40)]
    first = _post(poster, api, [(f"r{n}-vi.txt", Story.new().file("vi", url=url, image=image))
                               for n, (url, image) in enumerate(races)])
    assert all(_group_of(api, article_id) is None for article_id in first[:5])
    racers = [_racers(url, image) for url, image in races]

    # A story's files sit next to each other in the queue, so that the worker processes take
    # them at the same moment.
    files = [(f"p{n}-{lang}.txt", story.file(lang)) for n, story in enumerate(pairs) for lang in ("en", "vi")]
    files += [(f"t{n}-{i}-{lang}.txt", story.file(lang)) for n, story in enumerate(together)
              for i, lang in enumerate(languages)]
    files += [(f"r{n}-{lang}.txt", content) for n, pair in enumerate(racers) for lang, content in zip(("en", "fr"), pair)]
    ids = _post(poster, api, files, timeout=300)
    _reconciled(db, ids + first, timeout=120)

    rows = {
        r["id"]: r for r in db.execute(
            "SELECT id, language, group_id FROM articles WHERE id = ANY(%s)", (ids + first,)
        ).fetchall()
    }
    # Every story checked before the verdict, so that a failure says how many stories broke.
    broken: dict[str, list] = {"pairs": [], "together": [], "races": []}
    for n in range(len(pairs)):
        en, vi = rows[ids[2 * n]], rows[ids[2 * n + 1]]
        if en["group_id"] is None or en["group_id"] != vi["group_id"]:
            broken["pairs"].append((en, vi))
    offset = 2 * len(pairs)
    per_story = len(languages)
    for n in range(len(together)):
        versions = [rows[a] for a in ids[offset + n * per_story:offset + (n + 1) * per_story]]
        grouped = [v for v in versions if v["group_id"] is not None]
        if len({v["group_id"] for v in grouped}) != 1 or sorted(set(v["language"] for v in grouped)) != ["en", "fr", "ru", "vi"]:
            broken["together"].append(versions)
    offset += len(together) * per_story
    for n, stored_first in enumerate(first):
        race = [rows[stored_first], rows[ids[offset + 2 * n]], rows[ids[offset + 2 * n + 1]]]
        if race[0]["group_id"] is None or len({r["group_id"] for r in race}) != 1:
            broken["races"].append(race)
    assert broken == {"pairs": [], "together": [], "races": []}, {k: len(v) for k, v in broken.items()}
    groups = {r["group_id"] for r in rows.values() if r["group_id"] is not None}
    assert len(groups) == len(pairs) + len(together) + len(races)
    _no_duplicate_in_a_group(db)
    # Every member but one came into its group by a link, with its evidence.
    unlinked = db.execute(
        """SELECT a.group_id, count(*) AS members FROM articles a
           WHERE a.group_id = ANY(%s)
             AND NOT EXISTS (SELECT 1 FROM translation_links l
                             WHERE l.group_id = a.group_id AND a.id IN (l.article_id, l.partner_id))
           GROUP BY a.group_id""",
        (sorted(groups),),
    ).fetchall()
    assert unlinked == []
    links = db.execute(
        """SELECT count(*) AS n, count(*) FILTER (WHERE evidence ? 'score') AS with_score,
                  (SELECT count(*) FROM articles WHERE group_id = ANY(%(g)s)) AS members
           FROM translation_links WHERE group_id = ANY(%(g)s)""",
        {"g": sorted(groups)},
    ).fetchone()
    assert links["n"] == links["with_score"] >= links["members"] - len(groups)
