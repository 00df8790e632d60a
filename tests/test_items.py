"""Items: N responses, text or chat prompts, typed targets; two-response items round-trip with the pair format."""

from __future__ import annotations

import json

import pytest

from judgebench.schema import (
    BestOf,
    Decision,
    Item,
    ItemResult,
    Judgment,
    Pair,
    Preference,
    Ranking,
    Ratings,
    Response,
    Turn,
    Votes,
    target_from_dict,
)

from .conftest import make_pair, shared


def test_pair_round_trips_through_an_item_field_by_field() -> None:
    pair = Pair.from_dict(make_pair(3, "B>A", difficulty="hard", metadata={"k": 1}))
    item = Item.from_pair(pair)
    assert item.to_pair() == pair
    assert (item.id, item.question, [r.text for r in item.responses], item.target) == ("p3", "question 3?", [pair.response_A, pair.response_B], Preference(1))
    assert [r.model for r in item.responses] == ["test-model", "test-model"] and [r.id for r in item.responses] == ["A", "B"]
    assert Item.from_dict(json.loads(json.dumps(item.to_dict()))) == item


def test_every_judgebench_pair_round_trips() -> None:
    path = next(p for p in sorted(shared("judgebench", "pairs").glob("*.jsonl")) if "gpt-4o" in p.name)
    for line in path.read_text(encoding="utf-8").splitlines():
        pair = Pair.from_dict(json.loads(line))
        assert Item.from_pair(pair).to_pair() == pair


def test_labels_map_to_preferences_and_back() -> None:
    assert [Preference.from_decision(d).winner for d in (Decision.A_BETTER, Decision.B_BETTER, Decision.TIE)] == [0, 1, None]
    assert [Preference(w).decision for w in (0, 1, None)] == [Decision.A_BETTER, Decision.B_BETTER, Decision.TIE]
    with pytest.raises(ValueError, match="never 'none'"):
        Preference.from_decision(Decision.NONE)


def test_chat_prompt_question_is_the_last_user_turn() -> None:
    chat = (Turn("system", "be brief"), Turn("user", "first?"), Turn("assistant", "one"), Turn("user", "second?"))
    item = Item("c1", chat, (Response("two"),))
    assert item.last_user_turn == "second?" and item.conversation == chat
    assert item.question == "System: be brief\n\nUser: first?\n\nAssistant: one\n\nUser: second?"
    assert Item("t1", "plain?", (Response("x"),)).conversation == (Turn("user", "plain?"),)
    assert Item.from_dict(json.loads(json.dumps(item.to_dict()))) == item
    with pytest.raises(ValueError, match="not a pair"):
        Item("c2", chat, (Response("a"), Response("b")), Preference(0)).to_pair()


@pytest.mark.parametrize(
    "target",
    [
        Preference(None),
        BestOf((2,)),
        Ratings({"overall": ((7.0, None), (3.0, 5.0), (None, None)), "accuracy": ((1.0, 2.0), (3.0, 4.0), (5.0, 5.0))}, (1.0, 10.0), ("r1", "r2")),
        Votes((Preference(0), Preference(None), Preference(2)), ("a", "b", "c")),
        Ranking((2, 0, 1)),
    ],
    ids=lambda t: type(t).__name__,
)
def test_every_target_type_round_trips_through_json(target: object) -> None:
    item = Item("x", "q", (Response("a", "m1", "r0"), Response("b", "m2", "r1"), Response("c", "m3", "r2")), target)  # type: ignore[arg-type]
    back = Item.from_dict(json.loads(json.dumps(item.to_dict())))
    assert back == item and type(back.target) is type(target)


def test_ratings_mean_skips_unrated() -> None:
    r = Ratings({"overall": ((7.0, None), (3.0, 5.0), (None, None))}, (1.0, 10.0))
    assert (r.mean(0), r.mean(1), r.mean(2)) == (7.0, 4.0, None)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (Preference(2), "names response 2, but the item has 2"),
        (BestOf((0, 5)), "names response 5"),
        (Votes((Preference(0), Preference(-1))), "names response -1"),
        (Ranking((0, 0)), "orders every response once"),
        (Ratings({"overall": ((1.0,),)}, (1.0, 5.0)), "hold 1 responses, the item has 2"),
    ],
)
def test_a_target_naming_a_missing_response_is_refused(target: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Item("bad", "q", (Response("a"), Response("b")), target)  # type: ignore[arg-type]


def test_an_item_needs_a_response_and_known_target_types() -> None:
    with pytest.raises(ValueError, match="no responses"):
        Item("empty", "q", ())
    with pytest.raises(ValueError, match="unknown target type 'elo'"):
        target_from_dict({"type": "elo"})


def test_result_lines_of_both_versions_read_the_same() -> None:
    """A version-1 line (pair + games, before items) and the version-2 line written for the same judgments read
    back as equal results, with the views of games 1 and 2."""
    pair = Pair.from_dict(make_pair(1))
    games = (Judgment(Decision.A_BETTER, game=1, output="A"), Judgment(Decision.B_BETTER, game=2, output="B"))
    v1 = {"pair_id": "p1", "judge": "j", "model": "m", "pair": pair.to_dict(), "games": [g.to_dict() for g in games]}
    old = ItemResult.from_dict(v1)
    assert [g.shown for g in old.judgments] == [(0, 1), (1, 0)] and old.pair == pair
    line = old.to_dict()
    assert line["schema_version"] == 2 and [g["view"] for g in line["judgments"]] == [[0, 1], [1, 0]]
    assert ItemResult.from_dict(json.loads(json.dumps(line))) == old
    with pytest.raises(ValueError, match="newer judgebench"):
        ItemResult.from_dict(dict(line, schema_version=99))
