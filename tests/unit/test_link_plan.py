"""The grouping rule (workers/pipeline/link_plan.py): corroborated joins, versions of one
language, founding on a strong link or a triangle, dense merges, and reconciliation's plans."""

from workers.pipeline.link_plan import (
    LINK_THRESHOLD,
    MERGE_THRESHOLD,
    NO_LINKS,
    Candidate,
    GroupView,
    LinkPlan,
    other_languages,
    plan_links,
    reconcile_plan,
)

HIGH, MID, LOW = 0.9, (LINK_THRESHOLD + MERGE_THRESHOLD) / 2, LINK_THRESHOLD - 0.1


def view(group_id: int, *languages: str | None, size: int | None = None) -> GroupView:
    return GroupView(group_id, size if size is not None else len(languages), frozenset(languages))


def test_nothing_above_threshold_gives_no_links():
    assert plan_links("hi", [Candidate(1, "bn", None, LOW)], {}) == NO_LINKS
    assert not NO_LINKS.changes
    assert isinstance(plan_links("hi", [], {}), LinkPlan)


def test_a_pair_is_founded_on_one_strong_link_not_on_a_weak_one():
    assert plan_links("hi", [Candidate(1, "bn", None, HIGH)], {}).found_with == (1,)
    assert plan_links("hi", [Candidate(1, "bn", None, MID)], {}) == NO_LINKS


def test_weak_links_found_a_group_when_they_form_a_triangle():
    candidates = [Candidate(1, "bn", None, MID), Candidate(2, "vi", None, MID), Candidate(3, "en", None, MID)]
    plan = plan_links("hi", candidates, {}, partner_links={frozenset((1, 2))})
    assert plan.join_group is None and plan.found_with == (1, 2)


def test_a_small_group_lacking_the_language_is_joined_on_one_link():
    plan = plan_links("hi", [Candidate(1, "bn", 10, MID)], {10: view(10, "bn", "en")})
    assert plan.join_group == 10


def test_a_larger_group_needs_two_links():
    group = {10: view(10, "bn", "en", "vi")}
    assert plan_links("hi", [Candidate(1, "bn", 10, HIGH)], group) == NO_LINKS
    plan = plan_links("hi", [Candidate(1, "bn", 10, MID), Candidate(2, "en", 10, MID)], group)
    assert plan.join_group == 10 and {c.article_id for c in plan.links} == {1, 2}


def test_a_second_version_of_a_language_joins_on_two_links():
    # en-GB beside en-US: the group holds the language already, so one link is not enough.
    group = {10: view(10, "en", "bn")}
    assert plan_links("en", [Candidate(1, "bn", 10, HIGH)], group) == NO_LINKS
    plan = plan_links("en", [Candidate(1, "bn", 10, MID), Candidate(2, "hi", 10, MID)],
                      {10: view(10, "en", "bn", "hi")})
    assert plan.join_group == 10


def test_the_best_group_by_median_score_is_joined():
    candidates = [Candidate(1, "bn", 10, MID), Candidate(2, "vi", 10, MID),
                  Candidate(3, "ru", 20, HIGH), Candidate(4, "ar", 20, HIGH)]
    groups = {10: view(10, "bn", "vi", "en"), 20: view(20, "ru", "ar", "en")}
    plan = plan_links("hi", candidates, groups)
    # 20 has the higher median; 10 has two links but none strong: no merge.
    assert plan.join_group == 20 and plan.merge_groups == ()


def test_groups_linked_densely_and_strongly_merge_into_the_oldest():
    candidates = [Candidate(1, "bn", 30, HIGH), Candidate(2, "vi", 30, MID),
                  Candidate(3, "ru", 20, HIGH), Candidate(4, "ar", 20, HIGH)]
    groups = {30: view(30, "bn", "vi", "en"), 20: view(20, "ru", "ar", "en")}
    plan = plan_links("hi", candidates, groups)
    assert plan.join_group == 20 and plan.merge_groups == (30,)


def test_a_sparse_second_group_is_not_merged():
    # Two links to a group of which four members were scored and two did not link: another
    # report of the same event shares a little with many versions, not much with half of them.
    candidates = [Candidate(1, "bn", 30, HIGH), Candidate(2, "vi", 30, HIGH),
                  Candidate(5, "ta", 30, LOW), Candidate(6, "te", 30, LOW), Candidate(7, "ml", 30, LOW),
                  Candidate(3, "ru", 20, HIGH), Candidate(4, "ar", 20, HIGH)]
    groups = {30: view(30, "bn", "vi", "ta", "te", "ml"), 20: view(20, "ru", "ar", "en")}
    plan = plan_links("hi", candidates, groups)
    assert plan.join_group in (20, 30) and plan.merge_groups == ()


def test_ungrouped_partners_come_along_when_strong_or_in_a_triangle():
    candidates = [Candidate(1, "bn", 10, MID), Candidate(2, "en", None, HIGH),
                  Candidate(3, "vi", None, MID), Candidate(4, "ru", None, MID), Candidate(5, "ar", None, MID)]
    plan = plan_links("hi", candidates, {10: view(10, "bn")}, partner_links={frozenset((4, 5))})
    assert plan.join_group == 10 and plan.found_with == (2, 4, 5)


def test_undetermined_language_links_to_any_determined_one_but_not_to_another_undetermined():
    assert other_languages(None, "bn") and other_languages("bn", None)
    assert not other_languages(None, None) and not other_languages("bn", "bn")
    assert plan_links(None, [Candidate(1, "bn", None, HIGH)], {}).found_with == (1,)
    assert plan_links(None, [Candidate(1, None, None, HIGH)], {}) == NO_LINKS
    assert plan_links("hi", [Candidate(1, "hi", None, HIGH)], {}) == NO_LINKS


def test_aggregate_join_only_when_asked_and_with_a_clear_margin():
    candidates = [Candidate(1, "bn", 10, 0.45), Candidate(2, "vi", 10, 0.44), Candidate(3, "en", 10, 0.43),
                  Candidate(4, "ru", 20, 0.12), Candidate(5, "ar", 20, 0.1), Candidate(6, "ta", 20, 0.1)]
    groups = {10: view(10, "bn", "vi", "en"), 20: view(20, "ru", "ar", "ta")}
    assert plan_links("hi", candidates, groups) == NO_LINKS
    assert plan_links("hi", candidates, groups, aggregate=True).join_group == 10
    close = [*candidates[:3], Candidate(4, "ru", 20, 0.3), Candidate(5, "ar", 20, 0.3), Candidate(6, "ta", 20, 0.3)]
    assert plan_links("hi", close, groups, aggregate=True) == NO_LINKS
    # Two scored members give no mean of three: no aggregate join, however high.
    pair = [Candidate(1, "bn", 10, 0.5), Candidate(2, "vi", 10, 0.5)]
    assert plan_links("hi", pair, {10: view(10, "bn", "vi")}, aggregate=True) == NO_LINKS


def test_reconciliation_takes_the_whole_small_group_along():
    plan = reconcile_plan(LinkPlan(join_group=20, links=(Candidate(1, "bn", 20, HIGH),)), own_group=5)
    assert plan.join_group == 5 and plan.merge_groups == (20,)
    founded = reconcile_plan(LinkPlan(found_with=(7,)), own_group=5)
    assert founded.join_group == 5 and founded.found_with == (7,)
    assert reconcile_plan(NO_LINKS, own_group=5) == NO_LINKS


def test_the_group_with_more_links_wins_over_a_higher_median():
    # The story's own group links three of its members; another report of the same event two,
    # more strongly. The three win, and the two are too sparse (two of six scored) to merge.
    candidates = [Candidate(1, "bn", 10, MID), Candidate(2, "vi", 10, MID), Candidate(3, "ru", 10, MID),
                  Candidate(4, "ar", 20, HIGH), Candidate(5, "ta", 20, HIGH),
                  *(Candidate(6 + n, "xx", 20, LOW) for n in range(4))]
    groups = {10: view(10, "bn", "vi", "ru"), 20: view(20, "ar", "ta", "xx", size=6)}
    plan = plan_links("hi", candidates, groups)
    assert plan.join_group == 10 and plan.merge_groups == ()


def test_groups_sharing_a_language_merge_only_when_those_members_read_as_versions():
    candidates = [Candidate(1, "bn", 30, HIGH), Candidate(2, "en", 30, HIGH),
                  Candidate(3, "en", 20, HIGH), Candidate(4, "ar", 20, HIGH)]
    groups = {30: view(30, "bn", "en", "vi"), 20: view(20, "en", "ar", "ru")}
    pair = frozenset((20, 30))
    assert plan_links("hi", candidates, groups, versions={pair: [0.8, 0.7]}).merge_groups == (30,)
    assert plan_links("hi", candidates, groups, versions={pair: [0.2, 0.3, 0.9]}).merge_groups == ()
    assert plan_links("hi", candidates, groups).merge_groups == (30,)  # no shared language scored
