"""Reading human and judge labels: codings, layouts, formats, and the errors for bad files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from judgebench.analysis.labels import (
    AGGREGATES,
    aggregate_decisions,
    is_results_input,
    labels_from_results,
    read_labels,
)
from judgebench.errors import InputError
from judgebench.protocols import REDUCERS
from judgebench.schema import Decision, ItemResult, Judgment, Pair

A, B, T, N = Decision.A_BETTER, Decision.B_BETTER, Decision.TIE, Decision.NONE


def _csv(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("codes", "kind"),
    [(("A>B", "B>A", "A=B"), "auto"), (("model_a", "model_b", "tie"), "auto"), (("1", "2", "0"), "pairwise"), ((" a>b ", "B>A", "a=b"), "auto")],
)
def test_read_labels_each_pairwise_coding_gives_the_same_values(tmp_path: Path, codes: tuple[str, str, str], kind: str) -> None:
    f = _csv(tmp_path / "h.csv", "item,label\n" + "".join(f"i{k},{c}\n" for k, c in enumerate(codes)))
    t = read_labels(f, kind=kind)  # type: ignore[arg-type]
    assert t.kind == "pairwise" and t.items == ("i0", "i1", "i2") and t.raters == ("h",)
    assert t.values.tolist() == [[1.0, -1.0, 0.0]]


def test_read_labels_long_and_wide_layouts_and_formats_agree(tmp_path: Path) -> None:
    long_rows = [{"item": i, "rater": r, "label": v} for i, r, v in [(1, "ann1", "A>B"), (1, "ann2", "B>A"), (2, "ann1", "A=B"), (3, "ann2", "A>B")]]
    pd.DataFrame(long_rows).to_csv(tmp_path / "l.csv", index=False)
    (tmp_path / "l.jsonl").write_text("".join(json.dumps(r) + "\n" for r in long_rows))
    pd.DataFrame(long_rows).to_parquet(tmp_path / "l.parquet")
    (tmp_path / "l.json").write_text(json.dumps(long_rows))
    wide = pd.DataFrame({"item": [1, 2, 3], "ann1": ["A>B", "A=B", None], "ann2": ["B>A", None, "A>B"]})
    wide.to_csv(tmp_path / "w.csv", index=False)
    wide.to_parquet(tmp_path / "w.parquet")
    tables = [read_labels(tmp_path / n) for n in ("l.csv", "l.jsonl", "l.parquet", "l.json", "w.csv", "w.parquet")]
    for t in tables:
        assert t.items == ("1", "2", "3") and t.raters == ("ann1", "ann2")
        np.testing.assert_array_equal(t.values, [[1, 0, np.nan], [-1, np.nan, 1]])


def test_read_labels_ratings_with_missing_cells(tmp_path: Path) -> None:
    f = _csv(tmp_path / "r.csv", "pair_id,r1,r2\na,4,5\nb,,2.5\n")
    t = read_labels(f)
    assert t.kind == "rating" and t.coding == "rating"
    np.testing.assert_array_equal(t.values, [[4, np.nan], [5, 2.5]])


def test_read_labels_system_columns_are_kept(tmp_path: Path) -> None:
    f = _csv(tmp_path / "arena.csv", "question_id,model_a,model_b,winner\nq1,gpt-4,claude,model_a\nq2,claude,llama,tie\n")
    t = read_labels(f)
    assert t.systems == {"q1": ("gpt-4", "claude"), "q2": ("claude", "llama")}
    assert t.values.tolist() == [[1.0, 0.0]]


def test_read_labels_unknown_code_names_file_line_and_field(tmp_path: Path) -> None:
    f = _csv(tmp_path / "h.csv", "item,label\n1,A>B\n2,maybe\n")
    with pytest.raises(InputError) as e:
        read_labels(f)
    assert e.value.line == 3 and e.value.field == "label" and "'maybe'" in str(e.value) and "A>B" in str(e.value)


def test_read_labels_mixed_scales_number_in_pairwise_file_is_an_error(tmp_path: Path) -> None:
    f = _csv(tmp_path / "h.csv", "item,label\n1,A>B\n2,4\n")
    with pytest.raises(InputError, match="mixed scales") as e:
        read_labels(f)
    assert e.value.line == 3


def test_read_labels_two_pairwise_codings_in_one_file_is_an_error(tmp_path: Path) -> None:
    f = _csv(tmp_path / "h.csv", "item,label\n1,A>B\n2,model_b\n")
    with pytest.raises(InputError, match="mixed label codings"):
        read_labels(f)


def test_read_labels_pairwise_numbers_outside_1_2_0_are_unknown_codes(tmp_path: Path) -> None:
    f = _csv(tmp_path / "h.csv", "item,label\n1,1\n2,3\n")
    with pytest.raises(InputError, match="unknown pairwise code '3'") as e:
        read_labels(f, kind="pairwise")
    assert e.value.line == 3


def test_read_labels_rating_kind_rejects_pairwise_codes(tmp_path: Path) -> None:
    f = _csv(tmp_path / "h.csv", "item,label\n1,A>B\n")
    with pytest.raises(InputError, match="not a number"):
        read_labels(f, kind="rating")


def test_read_labels_duplicate_item_rater_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "h.jsonl"
    f.write_text('{"item": 1, "rater": "x", "label": "A>B"}\n{"item": 1, "rater": "x", "label": "B>A"}\n')
    with pytest.raises(InputError, match="duplicate label") as e:
        read_labels(f)
    assert e.value.line == 2


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.csv", "", "empty"),
        ("noitem.csv", "foo,label\n1,A>B\n", "no item id column"),
        ("blank.csv", "item,label\n1,\n", "every label is empty"),
        ("bad.jsonl", '{"item": 1, "label": "A>B"}\n{broken\n', "broken JSON"),
        ("x.txt", "item,label\n", "unsupported"),
        ("noid.csv", "item,label\n,A>B\n", "missing item id"),
    ],
)
def test_read_labels_bad_files_raise_input_error(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_labels(_csv(tmp_path / name, text))


def test_read_labels_binary_file_is_an_input_error(tmp_path: Path) -> None:
    f = tmp_path / "h.csv"
    f.write_bytes(b"item,label\n\xff\xfe\x00\x01")
    with pytest.raises(InputError, match="UTF-8"):
        read_labels(f)


@pytest.mark.parametrize(
    ("decisions", "vote", "strict", "first"),
    [
        ((A, A), 1, 1, 1),  # consistent
        ((A, B), 0, 0, 1),  # inconsistent: opposite decisions -> tie
        ((A, T), 1, 0, 1),  # a decision and a tie: vote keeps the decision, strict calls it a tie
        ((T, B), -1, 0, 0),
        ((A, N), 1, 0, 1),  # a decision and a failed game
        ((N, B), -1, 0, None),
        ((N, N), None, None, None),  # no decision at all: missing
        ((T, T), 0, 0, 0),
        ((B,), -1, -1, -1),  # single game
    ],
)
def test_aggregate_decisions_every_case(decisions: tuple[Decision, ...], vote: int | None, strict: int | None, first: int | None) -> None:
    # average: the sign of the mean verdict, which is the sign of the vote's sum: the vote column, e.g.
    # (A, T): mean (1 + 0) / 2 = 0.5 -> 1; (A, B): 0 -> 0; (N, B): mean over the real view -1 -> -1
    for rule, want in (("vote", vote), ("strict", strict), ("first", first), ("average", vote)):
        got = aggregate_decisions(decisions, rule)
        assert (want is None and math.isnan(got)) or got == want, rule


def test_aggregates_are_the_reducer_registry() -> None:
    assert AGGREGATES == tuple(REDUCERS)
    with pytest.raises(InputError, match="unknown rule"):
        aggregate_decisions((A, A), "median")


def test_labels_from_results_flips_game_two_back(tmp_path: Path) -> None:
    pair = Pair("p1", "q", "a", "b", A, metadata={"model_A": "x", "model_B": "y"})
    # game 2 shows (B, A); its "B>A" as shown means original A wins: consistent A>B.
    res = ItemResult.of_pair(pair, "j", "m", (Judgment(A, game=1), Judgment(B, game=2)))
    t = labels_from_results([res])
    assert t.values.tolist() == [[1.0]] and t.raters == ("j:m",) and t.systems == {"p1": ("x", "y")}


def test_is_results_input_tells_results_from_label_files(tmp_path: Path) -> None:
    labels = _csv(tmp_path / "h.jsonl", '{"item": 1, "label": "A>B"}\n')
    pair = Pair("p1", "q", "a", "b", A)
    results = tmp_path / "judgments.jsonl"
    results.write_text(json.dumps(ItemResult.of_pair(pair, "j", "m", (Judgment(A),)).to_dict()) + "\n")
    assert not is_results_input(labels) and is_results_input(results) and is_results_input(tmp_path)


def test_read_labels_csv_with_byte_order_mark_from_a_spreadsheet(tmp_path: Path) -> None:
    f = tmp_path / "h.csv"
    f.write_bytes("\ufeffitem,label\n1,A>B\n".encode())
    assert read_labels(f).items == ("1",)
