"""The generic loader reads sources with other column names and label values through a ``FieldMap``."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from judgebench.benchmarks.local import FieldMap, read_pairs
from judgebench.errors import InputError
from judgebench.schema import Decision

from ..conftest import make_pair, shared, write_jsonl

LLMBAR_FIELDS = FieldMap(pair_id=None, question="input", response_A="output_1", response_B="output_2", labels={1: "A>B", 2: "B>A"})


def _rows(n: int = 3) -> list[dict]:
    return [{"uid": f"u{i}", "instruction": f"q{i}", "first": f"a{i}", "second": f"b{i}", "pref": i % 2 + 1, "topic": "t"} for i in range(n)]


MAP = FieldMap(pair_id="uid", question="instruction", response_A="first", response_B="second", label="pref", labels={1: "A>B", 2: "B>A"})


def test_llmbar_file_through_the_generic_loader() -> None:
    path = shared("llmbar", "LLMBar", "Natural", "dataset.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    pairs = read_pairs(path, fields=LLMBAR_FIELDS)
    assert len(pairs) == len(raw) == 100
    assert [p.pair_id for p in pairs[:3]] == ["1", "2", "3"]  # numbered rows
    assert pairs[4].question == raw[4]["input"] and pairs[4].response_B == raw[4]["output_2"]
    assert [p.label for p in pairs] == [Decision.A_BETTER if r["label"] == 1 else Decision.B_BETTER for r in raw]


@pytest.mark.parametrize("kind", ["jsonl", "json", "parquet", "jsonl.gz"])
def test_every_file_format_with_renamed_columns(tmp_path: Path, kind: str) -> None:
    rows = _rows()
    path = tmp_path / f"pairs.{kind}"
    if kind == "jsonl":
        write_jsonl(path, rows)
    elif kind == "json":
        path.write_text(json.dumps(rows))
    elif kind == "parquet":
        pd.DataFrame(rows).to_parquet(path)
    else:
        path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    pairs = read_pairs(path, fields=MAP)
    assert [p.pair_id for p in pairs] == ["u0", "u1", "u2"]
    assert [p.label for p in pairs] == [Decision.A_BETTER, Decision.B_BETTER, Decision.A_BETTER]
    assert pairs[1].question == "q1" and pairs[1].response_A == "a1" and pairs[1].response_B == "b1"
    assert pairs[0].metadata == {"topic": "t"}  # columns not mapped are kept


def test_a_folder_numbers_rows_per_file(tmp_path: Path) -> None:
    rows = [{"input": "q", "output_1": "a", "output_2": "b", "label": 2}]
    (tmp_path / "a.json").write_text(json.dumps(rows * 2))
    (tmp_path / "b.json").write_text(json.dumps(rows))
    pairs = read_pairs(tmp_path, fields=LLMBAR_FIELDS)
    assert [p.pair_id for p in pairs] == ["a.json:1", "a.json:2", "b.json:1"]
    assert {p.label for p in pairs} == {Decision.B_BETTER}


@pytest.mark.parametrize(
    ("change", "line", "field", "message"),
    [
        (lambda r: r.pop("second"), 2, "second", "missing column \\(read as response_B\\)"),
        (lambda r: r.update(pref=3), 2, "pref", "label value 3 is not in the label mapping"),
        (lambda r: r.update(first=7), 2, "first", "expected a string, got int \\(column 'first' read as response_A\\)"),
        (lambda r: r.update(uid=""), 2, "uid", "pair_id must be a non-empty"),
    ],
)
def test_errors_name_the_source_column(tmp_path: Path, change, line: int, field: str, message: str) -> None:
    rows = _rows()
    change(rows[1])
    path = write_jsonl(tmp_path / "pairs.jsonl", rows)
    with pytest.raises(InputError, match=message) as e:
        read_pairs(path, fields=MAP)
    assert (e.value.path, e.value.line, e.value.field) == (str(path), line, field)


def test_duplicate_ids_and_unmapped_labels(tmp_path: Path) -> None:
    rows = _rows()
    rows[2]["uid"] = "u0"
    path = write_jsonl(tmp_path / "dup.jsonl", rows)
    with pytest.raises(InputError, match="duplicate pair_id 'u0'") as e:
        read_pairs(path, fields=MAP)
    assert e.value.field == "uid" and e.value.line == 3
    # without a label mapping, the label column must already hold decisions
    plain = write_jsonl(tmp_path / "plain.jsonl", _rows())
    with pytest.raises(InputError, match="unknown label 1") as e:
        read_pairs(plain, fields=FieldMap(pair_id="uid", question="instruction", response_A="first", response_B="second", label="pref"))
    assert (e.value.line, e.value.field) == (1, "pref")


def test_label_values_match_by_text_and_ties(tmp_path: Path) -> None:
    rows = [{"i": str(n), "q": "q", "a": "x", "b": "y", "win": w} for n, w in enumerate(["1", 2, 0])]
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    fields = FieldMap.parse("pair_id=i,question=q,response_A=a,response_B=b,label=win", "1=A>B,2=B>A,0=A=B")
    assert [p.label for p in read_pairs(path, fields=fields)] == [Decision.A_BETTER, Decision.B_BETTER, Decision.TIE]


def test_identity_map_keeps_todays_behaviour(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [make_pair(0), make_pair(1, "B>A", difficulty="hard")])
    assert FieldMap().is_identity and not MAP.is_identity
    assert read_pairs(path, fields=FieldMap()) == read_pairs(path)
    # a column named like a pair field that is not read as it goes to metadata, not over the mapped field
    rows = [{"pair_id": "x", "question": "old", "prompt": "new", "response_A": "a", "response_B": "b", "label": "A>B"}]
    p = read_pairs(write_jsonl(tmp_path / "q.jsonl", rows), fields=FieldMap(question="prompt"))[0]
    assert p.question == "new" and p.metadata == {"question": "old"}


def test_parse_and_construction_errors() -> None:
    assert FieldMap.parse("question=input, response_A=output_1,response_B=output_2,pair_id=", "1=A>B,2=B>A") == FieldMap(
        pair_id=None, question="input", response_A="output_1", response_B="output_2", labels={"1": "A>B", "2": "B>A"}
    )
    with pytest.raises(InputError, match="unknown pair field 'prompt'"):
        FieldMap.parse("prompt=input")
    with pytest.raises(InputError, match="is not FIELD=COLUMN"):
        FieldMap.parse("question")
    with pytest.raises(InputError, match="question needs a column"):
        FieldMap.parse("question=")
    with pytest.raises(InputError, match="maps to 'better'"):
        FieldMap(labels={1: "better"})
    with pytest.raises(InputError, match="column 'text' is mapped to two pair fields"):
        FieldMap(question="text", response_A="text")


def test_hf_source_with_a_field_map(monkeypatch: pytest.MonkeyPatch) -> None:
    import datasets

    calls = []

    def fake_load_dataset(name: str, split: str) -> list[dict]:
        calls.append((name, split))
        return [{"input": "q", "output_1": "a", "output_2": "b", "label": 2}]

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    pairs = read_pairs("hf:someone/pairs:test", fields=LLMBAR_FIELDS)
    assert calls == [("someone/pairs", "test")]
    assert pairs[0].pair_id == "1" and pairs[0].label == Decision.B_BETTER
    monkeypatch.setattr(datasets, "load_dataset", lambda name, split: [{"input": "q", "output_1": "a", "label": 1}])
    with pytest.raises(InputError) as e:
        read_pairs("hf:someone/pairs:test", fields=LLMBAR_FIELDS)
    assert (e.value.path, e.value.line, e.value.field) == ("hf:someone/pairs:test", 1, "output_2")
