"""The rule that turns scored translation candidates into group changes: join, found, merge, and
reconciliation's second look. Pure: the caller applies the plan under locks.

A group is the versions of one story in any number of languages, and a language may appear in it
more than once (en-GB beside en-US, zh-Hans beside zh-Hant, two Spanish translations): what keeps a
wrong article out is corroboration, not a slot per language. A single link can be a different
report of the same event; two links to two members rarely are. So a new article joins a group of
three or more, or a group that already holds its language, only on two links to its members, and
a group is founded only by a strong link or a triangle (the article and two partners that link
each other)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

LINK_THRESHOLD = 0.55
"""A pair at or above this score is a translation link. Chosen on bench/linking_eval.py's
development data: group F1 is 1.0 for thresholds 0.50-0.65 (the hardest negative, another report
of the same event in another language, scores 0.48; Japanese translations of a Latin-script text
score 0.43-0.64 and join through their other versions); 0.55 sits inside that band."""

MERGE_THRESHOLD = 0.65
"""A strong link: the top of the band above, where every pair linked on the development data is a
true one. One strong link founds a pair, or merges two groups that another link corroborates."""

CORROBORATING_LINKS = 2
"""Links to distinct members a join needs where one link is not enough (see module docstring)."""

SMALL_GROUP = 2
"""A group of at most this many members that lacks the article's language takes it on one link:
with two members there is nothing to corroborate with yet."""

VERSION_AGREEMENT = 0.5
"""Two groups that hold one language both merge only if their members in a shared language read
as versions of one text: the median of their similarities (story_links.version_similarity) at
least this. Measured on NTREX: same-story pairs in one link language median 0.76, two reports of
one event (the hard negatives) median 0.22, 95th percentile 0.44."""

MAX_PARTNERS_CROSS_SCORED = 8
"""Ungrouped partners (strongest first) the caller scores against each other to find triangles."""

MERGE_SHARE = 0.5
"""A second group is merged only if the article links at least this share of its members that
were scored: a story split in two links densely to both halves, while an article that links two
members of another report of the same event links few of the rest."""

AGGREGATE_MIN = 0.30
AGGREGATE_MARGIN = 2.0
"""Reconciliation of an ungrouped article only: an article short of two links still joins the
group whose scored members it matches best on average (the mean of its three best scores at least
AGGREGATE_MIN) when that is at least AGGREGATE_MARGIN times the next group's. Translations of a
story share a little with every version of it, another story's versions less. Chosen on
bench/link_simulation.py's training split, where margins 1.5 and 2 joined no article to a wrong
group (3 joined a tenth as many right ones); 2, because that split holds no two reports of one
event, which is where wrong joins come from. Not for a member of a small group: it would take its
group along on evidence this weak, and early in a story its own group is the one left out of the
comparison (measured through the stack: whole stories merged that way)."""
AGGREGATE_TOP = 3

RECONCILE_GROUP_SIZE = 5
"""Reconciliation looks again at ungrouped articles and at the members of groups this small."""


@dataclass(frozen=True)
class Candidate:
    """A canonical article found through shared keys, with its score against the new one.
    Callers pass canonical articles only: duplicates are never group members."""

    article_id: int
    language: str | None
    group_id: int | None
    score: float
    evidence: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class GroupView:
    """What the rule needs of a group a candidate belongs to (read under its lock)."""

    group_id: int
    size: int
    languages: frozenset[str | None]


@dataclass(frozen=True)
class LinkPlan:
    """What to do with an article. Apply in this order, in one transaction under the groups'
    locks:

    - `join_group`: the article joins this existing group (the survivor of any merge);
    - `merge_groups`: these other groups' members move into `join_group`, and the groups go;
    - `found_with`: these ungrouped articles join too — into `join_group` if set, else into a
      new group founded with the article.
    `links` holds the candidates that justify the plan, with evidence.
    """

    join_group: int | None = None
    merge_groups: tuple[int, ...] = ()
    found_with: tuple[int, ...] = ()
    links: tuple[Candidate, ...] = ()

    @property
    def changes(self) -> bool:
        return self.join_group is not None or bool(self.found_with) or bool(self.merge_groups)


NO_LINKS = LinkPlan()


def plan_links(
    language: str | None,
    candidates: Iterable[Candidate],
    groups: Mapping[int, GroupView],
    partner_links: Collection[frozenset[int]] = frozenset(),
    threshold: float = LINK_THRESHOLD,
    strong: float = MERGE_THRESHOLD,
    aggregate: bool = False,
    versions: Mapping[frozenset[int], Sequence[float]] | None = None,
) -> LinkPlan:
    """Join the best group that the article's links make eligible (see `_eligible`), merge the
    other eligible groups it links strongly, twice and densely, whose members in a shared language
    read as versions of the joined group's (`versions`: for a pair of groups, the similarities of
    their scored members' same-language pairs), and bring along its ungrouped partners
    that are strong or form a triangle with it. With no group to join, found one with those
    partners. `groups` describes every group of a linked candidate; `partner_links` holds the
    pairs of ungrouped partners that link each other."""
    linked = [c for c in candidates if c.score >= threshold and other_languages(c.language, language)]
    scored_in_group = Counter(c.group_id for c in candidates if c.group_id is not None)
    in_group: dict[int, list[Candidate]] = {}
    for candidate in linked:
        if candidate.group_id is not None:
            in_group.setdefault(candidate.group_id, []).append(candidate)
    eligible = {g: links for g, links in in_group.items() if _eligible(language, groups[g], links)}
    ungrouped = [c for c in linked if c.group_id is None]
    in_triangle = {a for pair in partner_links for a in pair}
    partners = sorted((c for c in ungrouped if c.score >= strong or c.article_id in in_triangle),
                      key=lambda c: c.article_id)
    if aggregate and not eligible and not partners:
        # Weak evidence, so only where nothing stronger is at hand: an article with partners to
        # found a group with is one of a story that has no group yet.
        best = _best_on_aggregate(language, candidates)
        if best is not None:
            eligible = {best: [c for c in candidates if c.group_id == best]}
    # Most links first: a story's own group links many of its scored members, while another
    # report of the same event can reach two with a high median (measured: ranking by median
    # first joined such a group and merged the story's own into it).
    ranked = sorted(eligible, key=lambda g: (-len(eligible[g]),
                                             -statistics.median(c.score for c in eligible[g]), g))
    chosen_links: list[Candidate] = []
    join_group = ranked[0] if ranked else None
    merge_groups: list[int] = []
    if join_group is not None:
        chosen_links += eligible[join_group]
        for g in ranked[1:]:
            links = eligible[g]
            dense = len(links) >= MERGE_SHARE * scored_in_group[g]
            agree = _versions_agree((versions or {}).get(frozenset((join_group, g)), ()))
            if len(links) >= CORROBORATING_LINKS and max(c.score for c in links) >= strong and dense and agree:
                merge_groups.append(g)
                chosen_links += links

    if aggregate and not partners and len(linked) == 1 and not in_group:
        # Reconciliation only: a lone link, with nothing else above the threshold on either
        # side, is the pair of a story told in two languages (a hub links many).
        partners = ungrouped
    found_with = tuple(c.article_id for c in partners)
    links = tuple(chosen_links) + tuple(partners)
    if join_group is None:
        return LinkPlan(found_with=found_with, links=links) if found_with else NO_LINKS
    return _oldest_survives(LinkPlan(join_group=join_group, merge_groups=tuple(merge_groups),
                                     found_with=found_with, links=links))


def _oldest_survives(plan: LinkPlan) -> LinkPlan:
    """Of the groups a plan brings together, the oldest (smallest id) keeps its id; the others
    point at it (a merged group's id still answers)."""
    together = sorted({plan.join_group, *plan.merge_groups} - {None})
    return replace(plan, join_group=together[0], merge_groups=tuple(together[1:]))


def other_languages(first: str | None, second: str | None) -> bool:
    """Whether two articles can be translations of each other by their link languages: an
    undetermined one (None) may translate any determined one, but two undetermined ones cannot
    be told from two copies in one language."""
    return first != second


def _versions_agree(similarities: Sequence[float]) -> bool:
    """No shared language among the scored members, or they read as versions of one text."""
    return not similarities or statistics.median(similarities) >= VERSION_AGREEMENT


def _eligible(language: str | None, group: GroupView, links: list[Candidate]) -> bool:
    distinct = len({c.article_id for c in links})
    if group.size <= SMALL_GROUP and language not in group.languages:
        return distinct >= 1
    return distinct >= CORROBORATING_LINKS


def _best_on_aggregate(language: str | None, candidates: Iterable[Candidate]) -> int | None:
    """The group to join on the mean of the best scores, if any. The ungrouped candidates count
    as one more group to beat: where a story has no group yet, its own versions are ungrouped,
    and another story's group must not win over them (measured: one such join drew a whole story
    after it, each later version linking the first)."""
    by_group: dict[int | None, list[float]] = {}
    for c in candidates:
        if other_languages(c.language, language):
            by_group.setdefault(c.group_id, []).append(c.score)

    def top_mean(scores: list[float]) -> float:
        return statistics.mean(sorted(scores, reverse=True)[:AGGREGATE_TOP])

    ungrouped = top_mean(by_group.pop(None)) if None in by_group else 0.0
    # A group with fewer scored members than AGGREGATE_TOP gives no mean of three to weigh.
    means = sorted(((top_mean(scores), g) for g, scores in by_group.items() if len(scores) >= AGGREGATE_TOP),
                   reverse=True)
    if not means or means[0][0] < AGGREGATE_MIN:
        return None
    runner_up = max(means[1][0] if len(means) > 1 else 0.0, ungrouped)
    return means[0][1] if means[0][0] >= AGGREGATE_MARGIN * runner_up else None


def reconcile_plan(plan: LinkPlan, own_group: int) -> LinkPlan:
    """Reconciliation's plan for a member of a small group, made against everything outside it:
    a group it now joins takes its whole group along; partners it would found a group with join
    its own group instead."""
    if plan.join_group is not None:
        return _oldest_survives(replace(plan, merge_groups=(own_group, *plan.merge_groups)))
    if plan.found_with:
        return replace(plan, join_group=own_group)
    return NO_LINKS
