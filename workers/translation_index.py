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
from babelwire.settings import get_settings
from workers.pipeline import story_links
from workers.pipeline.article import ArticleDraft
from workers.pipeline.story_links import NO_LINKS, Candidate, GroupView, LinkPlan, StorySignals

MAX_CANDIDATES = story_links.CANDIDATE_LIMIT
"""Candidates scored per new article: those sharing the strongest keys with it."""
KEY_KIND_WEIGHTS = {"url": 1000, "img": 100, "num2": 4, "num": 2, "name": 1}
"""How much one shared key of each kind (story_links.described_keys) counts when candidates are
ranked before scoring: a shared photo outranks any number of short name skeletons that other
stories happen to share, so the candidate limit never cuts off a near-certain partner."""
MAX_POSTINGS_PER_KEY = 2000
"""Articles read per key, newest first: a key shared by very many articles (a common figure or
name) costs a bounded lookup instead of a scan of its whole posting list."""
MAX_GROUP_HITS = 200
"""Articles sharing the strongest keys whose groups are considered (ids only, no signals read)."""
MAX_GROUPS = 8
"""Groups, strongest member first, whose representatives are scored besides the candidates."""
MAX_REPRESENTATIVES = 16
"""Members scored per group: those sharing the most keys with the new article first. A story
with a hundred versions is found through its group even when its members crowd each other out of
the MAX_CANDIDATES articles sharing the most keys."""
MAX_LOCK_ROUNDS = 8
RECONCILE_DELAY_SECONDS = get_settings().relink_delay_seconds


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
    return material_of(story_links.signals(draft))


def material_of(signals: StorySignals) -> LinkMaterial:
    """Pure: the keys of these signals, each with its kind's weight."""
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
    joins a group, founds one, or merges groups it bridges. Returns the article's group. The
    article, and its linked partners left out, are due for reconciliation (`reconcile_article`)."""
    lock_keys(conn, material.keys)
    index_article(conn, article_id, material)
    linked, plan = _plan(conn, article_id, material, max_candidates, own_group=None)
    result = apply_plan(conn, article_id, plan) if plan.changes else NOT_LINKED
    _schedule_reconciliation(conn, [article_id, *(c.article_id for c in linked if c.group_id is None)])
    return result


def reconcile_article(conn: psycopg.Connection, article_id: int) -> Linked | None:
    """Reconciliation's second look at an article stored earlier, ungrouped or in a small group:
    against everything outside its own group, with the aggregate rule (link_plan), after the
    versions that arrived since. Returns its group's change, or None when nothing changed."""
    row = conn.execute(
        "SELECT link_signals FROM articles WHERE id = %s AND duplicate_of IS NULL", (article_id,)
    ).fetchone()
    if row is None or row["link_signals"] is None:
        return None
    material = material_of(StorySignals.from_json(row["link_signals"]))
    lock_keys(conn, material.keys)
    # Read once the keys are held: a version that shares them has committed its change by now.
    own_group, size = conn.execute(
        """SELECT a.group_id, (SELECT count(*) FROM articles m WHERE m.group_id = a.group_id) AS size
           FROM articles a WHERE a.id = %s""",
        (article_id,),
    ).fetchone().values()
    if own_group is not None and size > story_links.RECONCILE_GROUP_SIZE:
        return None
    _, plan = _plan(conn, article_id, material, MAX_CANDIDATES, own_group=own_group,
                    reconciling=True, aggregate=own_group is None)
    if own_group is not None:
        plan = story_links.reconcile_plan(plan, own_group)
    return apply_plan(conn, article_id, plan) if plan.changes else None


def _plan(
    conn: psycopg.Connection,
    article_id: int,
    material: LinkMaterial,
    max_candidates: int,
    own_group: int | None,
    reconciling: bool = False,
    aggregate: bool = False,
) -> tuple[list[Candidate], LinkPlan]:
    """Scores the candidates and the representatives of their groups, locks what the rule reads
    and makes the plan. Returns the linked candidates (as locked) and the plan."""
    language = material.signals.language
    scored: dict[int, story_links.LinkScore] = {}
    signals_of: dict[int, StorySignals] = {}
    read_with: dict[int, tuple[str | None, int | None]] = {}
    for found in find_candidates(conn, material, article_id, max_candidates, exclude_group=own_group):
        scored[found.article_id] = story_links.score(material.signals, found.signals)
        signals_of[found.article_id] = found.signals
        read_with[found.article_id] = (found.language, found.group_id)
    linked_ids = [a for a, r in scored.items() if r.score >= story_links.LINK_THRESHOLD]
    if not linked_ids and not reconciling:
        return [], NO_LINKS
    # The aggregate rule weighs every scored member, so reconciliation locks all their groups.
    locked_ids = list(scored) if reconciling else linked_ids
    states, groups = lock_link_state(conn, [*locked_ids, *([article_id] if own_group is not None else [])])
    # The scored members that did not link count too (the merge rule weighs links against them):
    # their groups as find_candidates read them, without a lock, since no change is made on them.
    states = read_with | states
    candidates = [
        Candidate(article_id=a, language=states[a][0], group_id=states[a][1], score=r.score, evidence=r.evidence)
        for a, r in scored.items()
        if own_group is None or states[a][1] != own_group
    ]
    linked = [c for c in candidates if c.score >= story_links.LINK_THRESHOLD]
    partner_links = story_links.triangle_links(linked, signals_of)
    versions = story_links.group_versions(candidates, signals_of)
    plan = story_links.plan_links(language, candidates, groups, partner_links, aggregate=aggregate, versions=versions)
    return linked, plan


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
    group_id: int | None = None
    language: str | None = None
    """Its group and link language as read with it, without a lock."""


def find_candidates(
    conn: psycopg.Connection,
    material: LinkMaterial,
    article_id: int,
    limit: int = MAX_CANDIDATES,
    exclude_group: int | None = None,
) -> list[Found]:
    """What a new article is scored against, with their stored signals (index lookups only: per
    key, the newest MAX_POSTINGS_PER_KEY postings):

    - the canonical articles in another language sharing the strongest link keys with it;
    - the representatives of the groups those keys point at most (the MAX_GROUPS groups whose
      members among the MAX_GROUP_HITS strongest hits share the most key weight; of each, the
      MAX_REPRESENTATIVES members in another language that share the most keys, then the oldest);
    - whatever else they share, those with the same canonical source URL, which link for certain.

    Only articles in another link language come back (`story_links.other_languages`): the score
    of a same-language pair is 0, so their signals are never fetched. `exclude_group`'s members
    are left out (reconciliation looks outside an article's own group)."""
    source_url = material.signals.source_url
    if not material.keys and not source_url:
        return []
    rows = conn.execute(
        """WITH hits AS (
               SELECT posting.article_id, sum(k.weight) AS strength
               FROM unnest(%(keys)s::bigint[], %(weights)s::int[]) AS k (key, weight)
               CROSS JOIN LATERAL (
                   SELECT article_id FROM article_link_keys
                   WHERE link_key = k.key AND article_id <> %(self)s
                   ORDER BY article_id DESC LIMIT %(postings)s) AS posting
               GROUP BY posting.article_id
               ORDER BY strength DESC, posting.article_id DESC
               LIMIT %(hits)s),
           hit_rows AS (
               SELECT a.id, hits.strength, a.group_id, nullif(a.language_base, 'und') AS language
               FROM hits JOIN articles a ON a.id = hits.article_id
               WHERE a.duplicate_of IS NULL AND a.link_signals IS NOT NULL
                 AND (%(exclude)s::bigint IS NULL OR a.group_id IS DISTINCT FROM %(exclude)s)),
           by_keys AS (
               SELECT id, strength FROM hit_rows
               WHERE language IS DISTINCT FROM %(language)s
               ORDER BY strength DESC, id DESC
               LIMIT %(limit)s),
           top_groups AS (
               SELECT group_id FROM hit_rows WHERE group_id IS NOT NULL
               GROUP BY group_id
               ORDER BY sum(strength) DESC, group_id
               LIMIT %(groups)s),
           representatives AS (
               SELECT member.id, member.strength FROM top_groups CROSS JOIN LATERAL (
                   SELECT m.id, coalesce(h.strength, 0) AS strength
                   FROM articles m LEFT JOIN hit_rows h ON h.id = m.id
                   WHERE m.group_id = top_groups.group_id AND m.id <> %(self)s
                     AND nullif(m.language_base, 'und') IS DISTINCT FROM %(language)s
                   ORDER BY coalesce(h.strength, 0) DESC, m.id
                   LIMIT %(representatives)s) AS member),
           by_url AS (
               SELECT id, 0 AS strength FROM articles
               WHERE source_url = %(url)s AND id <> %(self)s AND duplicate_of IS NULL
                 AND (%(exclude)s::bigint IS NULL OR group_id IS DISTINCT FROM %(exclude)s)
               ORDER BY id DESC LIMIT %(limit)s),
           found AS (
               SELECT id, max(strength) AS strength
               FROM (SELECT * FROM by_keys UNION ALL SELECT * FROM representatives
                     UNION ALL SELECT * FROM by_url) AS any_of
               GROUP BY id)
           SELECT a.id, found.strength, a.link_signals, a.group_id, nullif(a.language_base, 'und') AS language
           FROM found JOIN articles a ON a.id = found.id
           WHERE a.duplicate_of IS NULL AND a.link_signals IS NOT NULL
             AND nullif(a.language_base, 'und') IS DISTINCT FROM %(language)s
           ORDER BY found.strength DESC, a.id""",
        {
            "keys": list(material.keys),
            "weights": list(material.weights),
            "url": source_url,
            "language": material.signals.language,
            "self": article_id,
            "exclude": exclude_group,
            "postings": MAX_POSTINGS_PER_KEY,
            "hits": MAX_GROUP_HITS,
            "limit": limit,
            "groups": MAX_GROUPS,
            "representatives": MAX_REPRESENTATIVES,
        },
    ).fetchall()
    return [
        Found(r["id"], r["strength"], StorySignals.from_json(r["link_signals"]), r["group_id"], r["language"])
        for r in rows
    ]


def lock_link_state(
    conn: psycopg.Connection, article_ids: Iterable[int]
) -> tuple[dict[int, tuple[str | None, int | None]], dict[int, GroupView]]:
    """Locks what a plan for these candidates depends on — their groups' rows and the rows of
    those in no group — and reads it once locked: {article: (link language, group)} and
    {group: its size and languages}."""
    ids = sorted(set(article_ids))
    locked_groups: set[int] = set()
    locked_articles: set[int] = set()
    for _ in range(MAX_LOCK_ROUNDS):
        states = {
            r["id"]: (r["language"], r["group_id"])
            for r in conn.execute("SELECT id, nullif(language_base, 'und') AS language, group_id FROM articles WHERE id = ANY(%s)", (ids,))
        }
        groups = {g for _, g in states.values() if g is not None} - locked_groups
        ungrouped = {a for a, (_, g) in states.items() if g is None} - locked_articles
        if not groups and not ungrouped:
            return states, _group_views(conn, sorted({g for _, g in states.values() if g is not None}))
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


def _group_views(conn: psycopg.Connection, group_ids: list[int]) -> dict[int, GroupView]:
    return {
        r["group_id"]: GroupView(r["group_id"], r["size"], frozenset(r["languages"]))
        for r in conn.execute(
            """SELECT group_id, count(*) AS size, array_agg(DISTINCT nullif(language_base, 'und')) AS languages
               FROM articles WHERE group_id = ANY(%s) GROUP BY group_id""",
            (group_ids,),
        )
    }


def claim_due(conn: psycopg.Connection, limit: int, lease_seconds: float) -> list[int]:
    """The articles due for reconciliation, oldest due first, claimed for `lease_seconds` (a
    worker that dies holding them leaves them due again then); rows another run holds are
    skipped."""
    return [
        r["id"]
        for r in conn.execute(
            """UPDATE articles SET relink_due_at = now() + make_interval(secs => %(lease)s)
               WHERE id IN (SELECT id FROM articles WHERE relink_due_at <= now()
                            ORDER BY relink_due_at, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED)
               RETURNING id""",
            {"lease": lease_seconds, "limit": limit},
        )
    ]


def reschedule(conn: psycopg.Connection, article_id: int, rounds: int) -> None:
    """After a reconciliation round: due again after twice the last wait while it is still
    ungrouped or in a small group and rounds remain; otherwise no longer due."""
    conn.execute(
        """UPDATE articles a SET
               relink_round = a.relink_round + 1,
               relink_due_at = CASE
                   WHEN a.relink_round + 1 < %(rounds)s AND (a.group_id IS NULL OR
                        (SELECT count(*) FROM articles m WHERE m.group_id = a.group_id) <= %(small)s)
                   THEN now() + make_interval(secs => %(delay)s * 2 ^ (a.relink_round + 1))
               END
           WHERE a.id = %(id)s""",
        {"rounds": rounds, "small": story_links.RECONCILE_GROUP_SIZE, "delay": RECONCILE_DELAY_SECONDS,
         "id": article_id},
    )


def _schedule_reconciliation(conn: psycopg.Connection, article_ids: list[int]) -> None:
    """Makes these articles due for reconciliation after the first delay, if they are ungrouped
    or in a small group; a later arrival that links them makes them due again from the start.
    Articles in larger groups are left alone."""
    conn.execute(
        """UPDATE articles a SET relink_due_at = now() + make_interval(secs => %s), relink_round = 0
           WHERE a.id = ANY(%s) AND a.duplicate_of IS NULL
             AND (a.group_id IS NULL OR (SELECT count(*) FROM articles m WHERE m.group_id = a.group_id) <= %s)""",
        (RECONCILE_DELAY_SECONDS, sorted(set(article_ids)), story_links.RECONCILE_GROUP_SIZE),
    )


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
               FROM unnest(%s::bigint[], %s::real[], %s::jsonb[]) AS l (partner, score, evidence)
               -- reconciliation may meet a pair linked before: one link per pair
               WHERE NOT EXISTS (SELECT FROM translation_links t
                                 WHERE t.group_id = %s AND (t.article_id, t.partner_id) IN ((%s, partner), (partner, %s)))""",
            (
                group_id,
                article_id,
                [link.article_id for link in plan.links],
                [link.score for link in plan.links],
                [Jsonb(dict(link.evidence)) for link in plan.links],
                group_id,
                article_id,
                article_id,
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
