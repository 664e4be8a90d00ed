"""The ranking of what to learn next (learning/recommendations.py): pure, no database."""

from __future__ import annotations

from learning.recommendations import Candidate, RatedStatement, page_per_level, rank

NOT_CONFIDENT = RatedStatement(1, "I can spot low mood", 1, "not confident")
SLIGHTLY = RatedStatement(2, "I can ask about pain", 2, "slightly confident")
FAIRLY = RatedStatement(3, "I can plan joined-up care", 3, "fairly confident")
CONFIDENT = RatedStatement(4, "I can explain stigma", 4, "confident")
VERY = RatedStatement(5, "I can signpost support", 5, "very confident")
STATEMENTS = [NOT_CONFIDENT, SLIGHTLY, FAIRLY, CONFIDENT, VERY]


def ids(ranked) -> list[int]:
    return [item.candidate.id for item in ranked]


def test_resources_for_the_statements_rated_lowest_come_first():
    ranked = rank(
        [
            Candidate(10, 1, frozenset({3})),
            Candidate(11, 1, frozenset({1})),
            Candidate(12, 1, frozenset({2})),
        ],
        STATEMENTS,
    )

    assert ids(ranked) == [11, 12, 10]


def test_a_resource_that_develops_several_gaps_ranks_above_one_that_develops_one():
    ranked = rank(
        [Candidate(10, 1, frozenset({2})), Candidate(11, 1, frozenset({2, 3}))], STATEMENTS
    )

    assert ids(ranked) == [11, 10]


def test_each_recommendation_says_why_the_lowest_rated_first():
    (item,) = rank([Candidate(10, 1, frozenset({3, 1}))], STATEMENTS)

    assert item.reasons == (
        "Because you rated 'I can spot low mood' as not confident",
        "Because you rated 'I can plan joined-up care' as fairly confident",
    )


def test_completed_resources_are_left_out_and_started_and_saved_ones_stay():
    ranked = rank(
        [
            Candidate(10, 1, frozenset({1}), status="completed"),
            Candidate(11, 1, frozenset(), status="saved"),
            Candidate(12, 1, frozenset(), status="in_progress"),
            Candidate(13, 1, frozenset()),
        ],
        STATEMENTS,
    )

    assert ids(ranked) == [12, 11, 13]


def test_ties_are_broken_by_status_then_the_newest_then_the_highest_id():
    ranked = rank(
        [
            Candidate(10, 1, frozenset({1}), published=100.0),
            Candidate(11, 1, frozenset({1}), published=200.0),
            Candidate(12, 1, frozenset({1}), published=200.0),
            Candidate(13, 1, frozenset({1}), status="saved", published=1.0),
        ],
        STATEMENTS,
    )

    assert ids(ranked) == [13, 12, 11, 10]
    # The same however the candidates arrive.
    assert ids(rank(reversed([item.candidate for item in ranked]), STATEMENTS)) == ids(ranked)


def test_when_every_statement_is_rated_confident_nothing_is_a_gap_and_no_reason_is_given():
    confident = [CONFIDENT, VERY]
    ranked = rank(
        [
            Candidate(10, 1, frozenset({4}), published=1.0),
            Candidate(11, 1, frozenset({5}), published=2.0),
            Candidate(12, 1, frozenset(), status="in_progress"),
        ],
        confident,
    )

    assert ids(ranked) == [12, 11, 10]
    assert all(item.reasons == () for item in ranked)


def test_a_gap_with_no_resource_changes_nothing_for_the_others():
    ranked = rank([Candidate(10, 1, frozenset({3}))], STATEMENTS)

    assert ids(ranked) == [10]
    assert ranked[0].reasons == (
        "Because you rated 'I can plan joined-up care' as fairly confident",
    )


def test_no_candidates_give_no_recommendations():
    assert rank([], STATEMENTS) == []


def test_statements_not_relevant_to_the_role_or_never_rated_are_not_gaps():
    not_relevant = RatedStatement(6, "I can lead a clinic", None, "", not_relevant=True)
    unrated = RatedStatement(7, "I can teach others")

    (item,) = rank([Candidate(10, 1, frozenset({6, 7}))], [not_relevant, unrated])

    assert item.gaps == ()


def test_retired_statements_are_not_gaps():
    retired = RatedStatement(8, "I can do the old thing", 1, "not confident", retired=True)

    ranked = rank(
        [Candidate(10, 1, frozenset({8}), published=9.0), Candidate(11, 1, frozenset({3}))],
        [retired, FAIRLY],
    )

    assert ids(ranked) == [11, 10]
    assert ranked[1].gaps == ()


def test_a_page_per_level_keeps_started_and_saved_resources_in_view():
    ranked = rank(
        [
            *(Candidate(n, 1, frozenset({1}), published=float(n)) for n in range(10, 15)),
            Candidate(20, 1, frozenset(), status="saved"),
            Candidate(30, 2, frozenset({2})),
        ],
        STATEMENTS,
    )

    pages = page_per_level(ranked, [1, 2, 3], per_level=3)

    assert ids(pages[1]) == [14, 13, 12, 20]
    assert ids(pages[2]) == [30]
    assert pages[3] == []
