"""Translation groups in PostgreSQL: each canonical article's story signals (`articles.link_signals`)
and link keys (table `article_link_keys`), and the linking of a new article to the versions of its
story, all inside the transaction that stores it. The signals, keys, score and assignment rule are
pure (workers.pipeline.story_links); here are the index lookups, the locks and the group changes.

Concurrency, in the order every storing transaction takes its locks (after the near-duplicate band
locks of workers.neardup_index), so that no two wait on each other in a cycle except by a stale
read, which PostgreSQL breaks as a deadlock and the task's retry repeats:

1. The article's link keys, as transaction-scoped advisory locks in ascending order. Two versions
   that could find each other share a key, so the second to lock it waits for the first to commit
   and then finds its keys. They live in the two-int4 advisory key space, which PostgreSQL keeps
   apart from the one-bigint space of the band keys.
2. The rows of the groups the linked candidates belong to (FOR UPDATE, ascending id), then the
   rows of the linked candidates that are in no group (FOR UPDATE, ascending id, only while still
   ungrouped). Every change of membership — join, found, merge — holds these row locks, so once
   held, the languages of those groups and the ungrouped state of those articles cannot change
   before commit, and the plan made on them keeps a group to one article per language even when
   two new articles that share no key link to the same group at once. A candidate whose group
   changed while we waited (it was grouped or merged meanwhile) is locked in a further round.
3. The changes: join, found, merge (the younger groups' members and links move into the oldest,
   which survives; a merged group's row stays, pointing at the survivor, so its id still answers)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb

from babelwire.changes import record_change
from workers.pipeline import story_links
from workers.pipeline.article import ArticleDraft
from workers.pipeline.story_links import Candidate, LinkPlan, StorySignals

MAX_CANDIDATES = story_links.CANDIDATE_LIMIT
"""Candidates scored per new article: those sharing the strongest keys with it."""
KEY_KIND_WEIGHTS = {"url": 1000, "img": 100, "num2": 4, "num": 2, "name": 1}
"""How much one shared key of each kind (story_links.described_keys) counts when candidates are
ranked before scoring: a shared photo outranks any number of short name skeletons that other
stories happen to share, so the candidate limit never cuts off a near-certain partner."""
MAX_POSTINGS_PER_KEY = 2000
"""Articles read per key, newest first: a key shared by very many articles (a common figure or
name) costs a bounded lookup instead of a scan of its whole posting list."""
MAX_LOCK_ROUNDS = 8


class LinkStateUnstable(RuntimeError):
    """The candidates' groups kept changing while we locked them; the task's retry starts over."""


@dataclass(frozen=True)
class LinkMaterial:
    """What linking needs of one article, made by `prepare` before the transaction."""

    signals: StorySignals
    keys: tuple[int, ...]
    """Distinct and ascending: the order in which they are locked."""
    weights: tuple[int, ...]
    """Each key's KEY_KIND_WEIGHTS weight, in the order of `keys`."""


@dataclass(frozen=True)
class Linked:
    group_id: int | None
    merged: tuple[int, ...] = ()
    """Groups merged into `group_id` by this article."""
    links: tuple[Candidate, ...] = ()


NOT_LINKED = Linked(None)


def prepare(draft: ArticleDraft) -> LinkMaterial:
    """Pure: the signals and keys of an article (call it before opening the transaction)."""
    signals = story_links.signals(draft)
    weights: dict[int, int] = {}
    for description, key in story_links.described_keys(signals):
        weight = KEY_KIND_WEIGHTS.get(description.split(":", 1)[0], 1)
        weights[key] = max(weight, weights.get(key, 0))
    keys = tuple(sorted(weights))
    return LinkMaterial(signals, keys, tuple(weights[key] for key in keys))


def link_article(
    conn: psycopg.Connection,
    article_id: int,
    material: LinkMaterial,
    max_candidates: int = MAX_CANDIDATES,
) -> Linked:
    """Indexes a new canonical article and links it to the versions of its story already stored:
    joins a group, founds one, or merges groups it bridges. Returns the article's group."""
    lock_keys(conn, material.keys)
    index_article(conn, article_id, material)
    if material.signals.language is None:
        return NOT_LINKED
    scored = [
        (found, story_links.score(material.signals, found.signals))
        for found in find_candidates(conn, material, article_id, max_candidates)
    ]
    linked = {found.article_id: result for found, result in scored if result.score >= story_links.LINK_THRESHOLD}
    if not linked:
        return NOT_LINKED
    states, group_languages = lock_link_state(conn, linked)
    candidates = [
        Candidate(article_id=a, language=states[a][0], group_id=states[a][1], score=r.score, evidence=r.evidence)
        for a, r in linked.items()
    ]
    plan = story_links.plan_links(material.signals.language, candidates, group_languages)
    if not plan.changes:
        return NOT_LINKED
    return apply_plan(conn, article_id, plan)


def lock_keys(conn: psycopg.Connection, keys: Sequence[int]) -> None:
    """Waits until no other transaction holds any of these link keys; released at commit. Each
    signed 64-bit key is split into its high and low 32 bits for the two-int4 form; locked in
    ascending key order (unnest keeps the arrays' order)."""
    if keys:
        ordered = sorted(set(keys))
        conn.execute(
            """SELECT count(pg_advisory_xact_lock(high, low))
               FROM unnest(%s::int[], %s::int[]) AS k (high, low)""",
            ([_high(k) for k in ordered], [_low(k) for k in ordered]),
        )


def _high(key: int) -> int:
    return key >> 32  # arithmetic shift: a signed 32-bit value


def _low(key: int) -> int:
    low = key & 0xFFFF_FFFF
    return low - (1 << 32) if low >= 1 << 31 else low


def index_article(conn: psycopg.Connection, article_id: int, material: LinkMaterial) -> None:
    """Stores the article's signals and makes it findable by later articles (once committed).
    Only canonical articles are indexed: a duplicate's canonical stands for it."""
    conn.execute(
        "UPDATE articles SET link_signals = %s WHERE id = %s", (Jsonb(material.signals.to_json()), article_id)
    )
    if material.keys:
        conn.execute(
            "INSERT INTO article_link_keys (link_key, article_id) SELECT key, %s FROM unnest(%s::bigint[]) AS key",
            (article_id, list(material.keys)),
        )


@dataclass(frozen=True)
class Found:
    article_id: int
    strength: int
    """The summed weights of the keys it shares with the new article."""
    signals: StorySignals


def find_candidates(
    conn: psycopg.Connection, material: LinkMaterial, article_id: int, limit: int = MAX_CANDIDATES
) -> list[Found]:
    """The canonical articles sharing the strongest link keys with this one (index lookups only:
    per key, the newest MAX_POSTINGS_PER_KEY postings), with their stored signals; and, whatever
    else they share, those with the same canonical source URL, which link for certain.

    Of those, only the ones in another known language come back: story_links.score gives a
    same-language or unknown-language pair 0, so their signals (most of the candidates, and the
    bulk of what this query would read) are never fetched. The `language_base` column (the
    tag's language subtag) and the stored signals' language come from the same draft."""
    source_url = material.signals.source_url
    if not material.keys and not source_url:
        return []
    rows = conn.execute(
        """WITH by_keys AS (
               SELECT posting.article_id, sum(k.weight) AS strength
               FROM unnest(%(keys)s::bigint[], %(weights)s::int[]) AS k (key, weight)
               CROSS JOIN LATERAL (
                   SELECT article_id FROM article_link_keys
                   WHERE link_key = k.key AND article_id <> %(self)s
                   ORDER BY article_id DESC LIMIT %(postings)s) AS posting
               GROUP BY posting.article_id
               ORDER BY strength DESC, posting.article_id DESC
               LIMIT %(limit)s),
           by_url AS (
               SELECT id AS article_id, 0 AS strength FROM articles
               WHERE source_url = %(url)s AND id <> %(self)s AND duplicate_of IS NULL
               ORDER BY id DESC LIMIT %(limit)s),
           found AS (
               SELECT article_id, max(strength) AS strength
               FROM (SELECT * FROM by_keys UNION ALL SELECT * FROM by_url) AS either
               GROUP BY article_id)
           SELECT a.id, found.strength, a.link_signals
           FROM found JOIN articles a ON a.id = found.article_id
           WHERE a.duplicate_of IS NULL AND a.link_signals IS NOT NULL AND a.language_base <> %(language)s
           ORDER BY found.strength DESC, a.id""",
        {
            "keys": list(material.keys),
            "weights": list(material.weights),
            "url": source_url,
            "language": material.signals.language,
            "self": article_id,
            "postings": MAX_POSTINGS_PER_KEY,
            "limit": limit,
        },
    ).fetchall()
    return [Found(r["id"], r["strength"], StorySignals.from_json(r["link_signals"])) for r in rows]


def lock_link_state(
    conn: psycopg.Connection, article_ids: Iterable[int]
) -> tuple[dict[int, tuple[str | None, int | None]], dict[int, set[str | None]]]:
    """Locks what a plan for these candidates depends on — their groups' rows and the rows of
    those in no group — and reads it once locked: {article: (language, group)} and
    {group: its members' languages}."""
    ids = sorted(set(article_ids))
    locked_groups: set[int] = set()
    locked_articles: set[int] = set()
    for _ in range(MAX_LOCK_ROUNDS):
        states = {
            r["id"]: (r["language"], r["group_id"])
            for r in conn.execute("SELECT id, language_base AS language, group_id FROM articles WHERE id = ANY(%s)", (ids,))
        }
        groups = {g for _, g in states.values() if g is not None} - locked_groups
        ungrouped = {a for a, (_, g) in states.items() if g is None} - locked_articles
        if not groups and not ungrouped:
            return states, _group_languages(conn, sorted({g for _, g in states.values() if g is not None}))
        if groups:
            conn.execute(
                "SELECT id FROM translation_groups WHERE id = ANY(%s) ORDER BY id FOR UPDATE", (sorted(groups),)
            ).fetchall()
            locked_groups |= groups
        if ungrouped:
            # Only rows still ungrouped are locked: one grouped meanwhile shows its group in the
            # next round, and that group's row is locked then.
            locked_articles |= {
                r["id"]
                for r in conn.execute(
                    "SELECT id FROM articles WHERE id = ANY(%s) AND group_id IS NULL ORDER BY id FOR UPDATE",
                    (sorted(ungrouped),),
                )
            }
    raise LinkStateUnstable(f"the groups of articles {ids} kept changing while being locked")


def _group_languages(conn: psycopg.Connection, group_ids: list[int]) -> dict[int, set[str | None]]:
    return {
        r["group_id"]: set(r["languages"])
        for r in conn.execute(
            "SELECT group_id, array_agg(language_base) AS languages FROM articles WHERE group_id = ANY(%s) GROUP BY group_id",
            (group_ids,),
        )
    }


def apply_plan(conn: psycopg.Connection, article_id: int, plan: LinkPlan) -> Linked:
    """Carries out a plan made under lock_link_state's locks: the merged groups' members and
    links move into the surviving (oldest) group, the ungrouped partners and the article join it,
    and each link is stored with its evidence."""
    if plan.join_group is not None:
        group_id = plan.join_group
    else:
        group_id = conn.execute("INSERT INTO translation_groups DEFAULT VALUES RETURNING id").fetchone()["id"]
    if plan.merge_groups:
        merged = list(plan.merge_groups)
        conn.execute("UPDATE articles SET group_id = %s WHERE group_id = ANY(%s)", (group_id, merged))
        conn.execute("UPDATE translation_links SET group_id = %s WHERE group_id = ANY(%s)", (group_id, merged))
        # Earlier redirects to a merged group now point at the survivor: one step always resolves.
        conn.execute(
            """UPDATE translation_groups SET merged_into = %s, merged_at = now()
               WHERE id = ANY(%s) OR merged_into = ANY(%s)""",
            (group_id, merged, merged),
        )
    conn.execute(
        "UPDATE articles SET group_id = %s WHERE id = ANY(%s) AND group_id IS NULL",
        (group_id, [article_id, *plan.found_with]),
    )
    if plan.links:
        conn.execute(
            """INSERT INTO translation_links (group_id, article_id, partner_id, score, evidence)
               SELECT %s, %s, partner, score, evidence
               FROM unnest(%s::bigint[], %s::real[], %s::jsonb[]) AS l (partner, score, evidence)""",
            (
                group_id,
                article_id,
                [link.article_id for link in plan.links],
                [link.score for link in plan.links],
                [Jsonb(dict(link.evidence)) for link in plan.links],
            ),
        )
    joined = [article_id, *plan.found_with]
    if plan.join_group is None:
        record_change(conn, "group.created", article_id=article_id, group_id=group_id, data={"members": joined})
    else:
        record_change(conn, "group.changed", article_id=article_id, group_id=group_id, data={"joined": joined})
    if plan.merge_groups:
        record_change(conn, "group.merged", group_id=group_id, data={"merged": list(plan.merge_groups)})
    return Linked(group_id, plan.merge_groups, plan.links)
