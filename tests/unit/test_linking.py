from workers.pipeline.linking import NO_GROUP, GroupPlan, Neighbour, plan_group


def test_no_neighbours_no_group():
    plan = plan_group("bn", [], {})
    assert plan == NO_GROUP
    assert not plan.links


def test_one_ungrouped_neighbour_of_another_language_founds_a_group():
    plan = plan_group("hi", [Neighbour(7, "bn", None)], {})
    assert plan == GroupPlan(found_with=(7,))
    assert plan.links


def test_neighbour_of_the_same_language_gives_no_group():
    assert plan_group("bn", [Neighbour(7, "bn", None)], {}) == NO_GROUP


def test_neighbour_without_a_language_gives_no_group():
    assert plan_group("bn", [Neighbour(7, None, None)], {}) == NO_GROUP


def test_joins_a_group_lacking_the_language():
    plan = plan_group("hi", [Neighbour(7, "bn", 3)], {3: {"bn"}})
    assert plan == GroupPlan(join_group=3)
    assert plan.links


def test_group_that_has_the_language_is_not_joined():
    assert plan_group("bn", [Neighbour(7, "bn", 3)], {3: {"bn", "hi"}}) == NO_GROUP


def test_full_group_falls_back_to_founding_with_an_ungrouped_neighbour():
    neighbours = [Neighbour(7, "bn", 3), Neighbour(8, "hi", 3), Neighbour(9, "vi", None)]
    plan = plan_group("bn", neighbours, {3: {"bn", "hi"}})
    assert plan == GroupPlan(found_with=(9,))


def test_full_group_falls_back_to_the_next_group():
    neighbours = [Neighbour(7, "bn", 3), Neighbour(8, "vi", 5)]
    plan = plan_group("bn", neighbours, {3: {"bn", "hi"}, 5: {"vi"}})
    assert plan == GroupPlan(join_group=5)


def test_oldest_group_lacking_the_language_wins():
    neighbours = [Neighbour(20, "vi", 9), Neighbour(21, "en", 4)]
    assert plan_group("bn", neighbours, {9: {"vi"}, 4: {"en"}}) == GroupPlan(join_group=4)


def test_joining_a_group_beats_founding_one():
    neighbours = [Neighbour(5, "vi", None), Neighbour(7, "bn", 3)]
    assert plan_group("hi", neighbours, {3: {"bn"}}) == GroupPlan(join_group=3)


def test_language_none_gives_no_group():
    neighbours = [Neighbour(7, "bn", None), Neighbour(8, "hi", 3)]
    assert plan_group(None, neighbours, {3: {"hi"}}) == NO_GROUP


def test_several_ungrouped_neighbours_one_per_language_oldest_first():
    neighbours = [
        Neighbour(30, "hi", None),
        Neighbour(12, "hi", None),
        Neighbour(25, "vi", None),
        Neighbour(40, "bn", None),  # same language as the new article
        Neighbour(18, "vi", None),
        Neighbour(5, None, None),  # language unknown
    ]
    assert plan_group("bn", neighbours, {}) == GroupPlan(found_with=(12, 18))
