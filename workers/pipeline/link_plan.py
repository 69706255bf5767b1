"""The rule that turns scored translation candidates into group changes: join, found, merge;
never two articles of one language in a group. Pure: the caller applies the plan under locks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

LINK_THRESHOLD = 0.55
"""A pair at or above this score is a translation link. Chosen on bench/linking_eval.py's
development data: group F1 is 1.0 for thresholds 0.50-0.65 (the hardest negative, another report
of the same event in another language, scores 0.48; Japanese translations of a Latin-script text
score 0.43-0.64 and join through their other versions); 0.55 sits inside that band."""

MERGE_THRESHOLD = 0.65
"""Merging two existing groups needs a stronger link to each than joining one does: the top of
the band above, where every pair linked on the development data is a true one."""

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
class LinkPlan:
    """What to do with a new article. Apply in this order, in one transaction under the groups'
    locks, after re-checking `group_languages`:

    - `join_group`: the article joins this existing group (when merging, the surviving group:
      the smallest id among the groups merged);
    - `merge_groups`: these other groups' members move into `join_group`, and the groups go;
    - `found_with`: these ungrouped articles join too — into `join_group` if set, else into a
      new group founded with the new article.
    `links` holds the candidates that justify the plan (one per partner linked), with evidence.
    """

    join_group: int | None = None
    merge_groups: tuple[int, ...] = ()
    found_with: tuple[int, ...] = ()
    links: tuple[Candidate, ...] = ()

    @property
    def changes(self) -> bool:
        return self.join_group is not None or bool(self.found_with)


NO_LINKS = LinkPlan()


def plan_links(
    language: str | None,
    candidates: Iterable[Candidate],
    group_languages: Mapping[int, set[str | None]],
    threshold: float = LINK_THRESHOLD,
    merge_threshold: float = MERGE_THRESHOLD,
) -> LinkPlan:
    """Join the best-linked group that lacks this language; also fold in any other group the
    article links to at `merge_threshold` whose languages overlap none already gathered; bring
    along the best-linked ungrouped article of each language still missing. With no group to
    join, found one with those ungrouped articles. Never two articles of one language."""
    if language is None:
        return NO_LINKS
    linked = [c for c in candidates
              if c.score >= threshold and c.language is not None and c.language != language]
    best_in_group: dict[int, Candidate] = {}
    for candidate in linked:
        if candidate.group_id is None:
            continue
        best = best_in_group.get(candidate.group_id)
        stronger = best is None or (candidate.score, -candidate.article_id) > (
            best.score, -best.article_id)
        if stronger:
            best_in_group[candidate.group_id] = candidate

    gathered: set[str | None] = {language}
    chosen_groups: list[int] = []
    chosen_links: list[Candidate] = []
    by_strength = sorted(best_in_group.items(), key=lambda item: (-item[1].score, item[0]))
    for group_id, best in by_strength:
        languages = set(group_languages.get(group_id, {best.language}))
        if languages & gathered:
            continue
        if chosen_groups and best.score < merge_threshold:
            continue
        chosen_groups.append(group_id)
        chosen_links.append(best)
        gathered |= languages

    partners: dict[str, Candidate] = {}
    for candidate in sorted(linked, key=lambda c: (-c.score, c.article_id)):
        if candidate.group_id is None and candidate.language not in gathered:
            partners.setdefault(candidate.language, candidate)
            gathered.add(candidate.language)
    found_with = tuple(sorted(c.article_id for c in partners.values()))
    links = tuple(chosen_links) + tuple(sorted(partners.values(), key=lambda c: c.article_id))
    if not chosen_groups:
        return LinkPlan(found_with=found_with, links=links) if found_with else NO_LINKS
    survivor = min(chosen_groups)
    merged = tuple(sorted(g for g in chosen_groups if g != survivor))
    return LinkPlan(join_group=survivor, merge_groups=merged, found_with=found_with, links=links)
