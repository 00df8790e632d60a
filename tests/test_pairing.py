"""Pairing: correct x incorrect within a problem and generator, limits, drops, dedupe, balanced seeded A/B, ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from judgebench.benchmarks import load_pairs
from judgebench.grading import grade_numeric
from judgebench.recipes.pairing import GradedResponse, PairingOptions, make_pairs, normalize_text, pair_id
from judgebench.schema import Decision


def resp(problem: str, answer: str, truth: str = "7", generator: str = "gen", i: int = 0, text: str | None = None) -> GradedResponse:
    body = text if text is not None else f"Working on problem {problem} (sample {i}) step by step.\n#### {answer}"
    return GradedResponse(problem, "gsm8k", f"question {problem}", body, generator, grade_numeric(body, truth), i, {"temperature": 0.7, "seed": i})


def winner_text(pair) -> str:  # noqa: ANN001
    return pair.response_A if pair.label == Decision.A_BETTER else pair.response_B


def test_make_pairs_pairs_correct_with_incorrect_same_problem_and_generator() -> None:
    rs = [resp("p1", "7", i=0), resp("p1", "8", i=1), resp("p2", "7", i=0), resp("p2", "7", i=1), resp("p3", "9", i=0), resp("p3", "1", i=1)]
    pairs, stats = make_pairs(rs)
    assert [p.original_id for p in pairs] == ["p1"]  # p2 all correct, p3 all wrong: no pair
    (p,) = pairs
    assert winner_text(p).endswith("#### 7")
    assert (stats.groups, stats.mixed_groups, stats.pairs) == (3, 1, 1)


def test_make_pairs_never_crosses_generators_unless_asked() -> None:
    rs = [resp("p1", "7", generator="small"), resp("p1", "8", generator="large")]
    assert make_pairs(rs)[0] == []
    pairs, _ = make_pairs(rs, PairingOptions(across_generators=True))
    assert len(pairs) == 1 and pairs[0].response_model == "large,small"
    assert set(pairs[0].metadata["generators"].values()) == {"small", "large"}


def test_make_pairs_max_pairs_per_problem_spreads_responses() -> None:
    rs = [resp("p1", "7", i=i) for i in range(3)] + [resp("p1", str(10 + i), i=3 + i) for i in range(3)]
    pairs, _ = make_pairs(rs, PairingOptions(max_pairs_per_problem=3))
    assert len(pairs) == 3
    correct_used = {p.metadata["sample_index"]["A" if p.label == Decision.A_BETTER else "B"] for p in pairs}
    assert len(correct_used) >= 2  # the first pairs use different responses before reusing one
    assert len({p.pair_id for p in pairs}) == 3
    assert len(make_pairs(rs, PairingOptions(max_pairs_per_problem=20))[0]) == 9  # all 3 x 3


def test_make_pairs_drops_unanswered_responses() -> None:
    rs = [resp("p1", "7"), resp("p1", "", i=1, text="I could not finish this problem.")]
    assert rs[1].grade.extracted is None
    pairs, stats = make_pairs(rs)
    assert pairs == [] and stats.dropped_unanswered == 1
    kept, _ = make_pairs(rs, PairingOptions(drop_unanswered=False))
    assert len(kept) == 1


def test_make_pairs_dedupes_near_identical_responses() -> None:
    a = "The answer:  **8**\n#### 8"
    b = "the answer: 8\n\n####   8"
    assert normalize_text(a) == normalize_text(b)
    rs = [resp("p1", "7"), resp("p1", "8", i=1, text=a), resp("p1", "8", i=2, text=b)]
    pairs, stats = make_pairs(rs, PairingOptions(max_pairs_per_problem=5))
    assert (len(pairs), stats.dropped_duplicates) == (1, 1)
    assert len(make_pairs(rs, PairingOptions(max_pairs_per_problem=5, dedupe=False))[0]) == 2


def many_problems(n: int) -> list[GradedResponse]:
    return [r for k in range(n) for r in (resp(f"p{k}", "7"), resp(f"p{k}", "3", i=1))]


@pytest.mark.parametrize("n", [1, 2, 51, 200])
def test_make_pairs_label_balance_is_exact(n: int) -> None:
    pairs, stats = make_pairs(many_problems(n), PairingOptions(seed=3))
    at_a = sum(p.label == Decision.A_BETTER for p in pairs)
    assert at_a == stats.correct_at_a == n // 2
    assert all(winner_text(p).endswith("#### 7") for p in pairs)


def test_make_pairs_seeded_placement_deterministic_and_seed_sensitive() -> None:
    rs = many_problems(60)
    first, second = make_pairs(rs, PairingOptions(seed=1))[0], make_pairs(rs, PairingOptions(seed=1))[0]
    other = make_pairs(rs, PairingOptions(seed=2))[0]
    assert [p.to_dict() for p in first] == [p.to_dict() for p in second]
    assert [p.label for p in first] != [p.label for p in other]
    assert [p.pair_id for p in first] == [p.pair_id for p in other]  # ids do not depend on A/B placement


def test_pair_id_stable_uuid5_of_provenance() -> None:
    c, w = resp("p1", "7"), resp("p1", "8", i=1)
    assert pair_id("gsm8k", "p1", c, w) == pair_id("gsm8k", "p1", c, w)
    assert pair_id("gsm8k", "p1", c, w) != pair_id("gsm8k", "p2", c, w)
    import uuid

    assert uuid.UUID(pair_id("gsm8k", "p1", c, w)).version == 5


def test_make_pairs_metadata_keeps_provenance_and_loads_as_pairs(tmp_path: Path) -> None:
    pairs, _ = make_pairs(many_problems(4), extra_metadata={"recipe": "unit"})
    meta = pairs[0].metadata
    assert meta["recipe"] == "unit" and meta["problem_id"] == pairs[0].original_id
    assert meta["sampling"] == {"temperature": 0.7, "seed": meta["sample_index"]["A"]}
    assert {meta["grades"]["A"]["correct"], meta["grades"]["B"]["correct"]} == {True, False}
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps(p.to_dict()) + "\n" for p in pairs))
    loaded = load_pairs(path)
    assert [p.pair_id for p in loaded] == [p.pair_id for p in pairs]
    assert loaded[0].metadata["grades"] == meta["grades"]


def test_pairing_options_rejects_zero_pairs() -> None:
    with pytest.raises(ValueError, match="max_pairs_per_problem"):
        PairingOptions(max_pairs_per_problem=0)
