"""Deciding which translation group a new article joins. A group holds at most one article per
language; an article with no partner stays out of every group."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Neighbour:
    """A canonical article that shares a linking key (for now, the source URL) with the new one."""

    article_id: int
    language: str | None
    group_id: int | None


@dataclass(frozen=True)
class GroupPlan:
    join_group: int | None = None
    """Add the new article to this existing group."""
    found_with: tuple[int, ...] = ()
    """Or make a new group of the new article and these ungrouped articles."""

    @property
    def links(self) -> bool:
        return self.join_group is not None or bool(self.found_with)


NO_GROUP = GroupPlan()


def plan_group(
    language: str | None,
    neighbours: list[Neighbour],
    group_languages: dict[int, set[str | None]],
) -> GroupPlan:
    """Joins the oldest neighbouring group that lacks this language; failing that, founds a group
    with the oldest ungrouped neighbour of each other language."""
    if language is None:
        return NO_GROUP
    for group_id in sorted({n.group_id for n in neighbours if n.group_id is not None}):
        if language not in group_languages.get(group_id, set()):
            return GroupPlan(join_group=group_id)
    partners: dict[str, int] = {}
    for neighbour in sorted(neighbours, key=lambda n: n.article_id):
        if neighbour.group_id is None and neighbour.language not in (None, language):
            partners.setdefault(neighbour.language, neighbour.article_id)
    if partners:
        return GroupPlan(found_with=tuple(sorted(partners.values())))
    return NO_GROUP
