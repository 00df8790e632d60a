"""Loading and validating pairs: every malformed input names file, line and field; the CLI exits 2 and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from judgebench.benchmarks import load_pairs
from judgebench.errors import InputError
from judgebench.run.identity import dataset_name
from judgebench.schema import Decision

from .conftest import make_pair, run_cli, shared, write_jsonl


def test_load_pairs_reads_jsonl_json_parquet_and_folder(tmp_path: Path) -> None:
    rows = [make_pair(i) for i in range(3)]
    jl = write_jsonl(tmp_path / "a.jsonl", rows)
    js = tmp_path / "b.json"
    js.write_text(json.dumps([make_pair(i + 10) for i in range(2)]))
    pq = tmp_path / "c.parquet"
    pd.DataFrame([make_pair(i + 20) for i in range(2)]).to_parquet(pq)
    assert [p.pair_id for p in load_pairs(jl)] == ["p0", "p1", "p2"]
    assert len(load_pairs(js)) == 2
    assert load_pairs(pq)[0].label == Decision.A_BETTER
    assert len(load_pairs(tmp_path)) == 7
    assert load_pairs(jl, limit=2)[-1].pair_id == "p1"


def test_unknown_fields_go_to_metadata(tmp_path: Path) -> None:
    p = load_pairs(write_jsonl(tmp_path / "a.jsonl", [make_pair(0, difficulty="hard")]))[0]
    assert p.metadata == {"difficulty": "hard"}


def test_judgebench_source_reads_local_copy() -> None:
    folder = shared("judgebench", "pairs")
    gpt = load_pairs("judgebench:gpt", local_dir=folder)
    claude = load_pairs("judgebench:claude", local_dir=folder)
    assert len(gpt) == 350 and len(claude) == 270
    assert {p.label for p in gpt} == {Decision.A_BETTER, Decision.B_BETTER}
    assert dataset_name("judgebench:gpt") == "judgebench-gpt"


def test_judgebench_source_without_local_copy_goes_to_the_hub_and_fails_clearly_offline() -> None:
    # HF_HUB_OFFLINE=1 in tests: the real download path runs and must fail with an actionable message.
    with pytest.raises(InputError, match="JUDGEBENCH_PAIRS_DIR"):
        load_pairs("judgebench:gpt")


BAD_INPUTS = {
    "missing_field": ('{"pair_id": "x", "question": "q", "response_A": "a", "label": "A>B"}\n', 1, "response_B", "missing required field"),
    "unknown_label": (json.dumps(make_pair(0, label="A>>B")) + "\n", 1, "label", "unknown label"),
    "duplicate_id": (json.dumps(make_pair(0)) + "\n" + json.dumps(make_pair(0)) + "\n", 2, "pair_id", "duplicate pair_id"),
    "broken_json": (json.dumps(make_pair(0)) + "\n{not json\n", 2, None, "broken JSON"),
    "wrong_type": (json.dumps(make_pair(0, question=42)) + "\n", 1, "question", "expected a string"),
    "not_object": ("[1, 2]\n", 1, None, "expected a JSON object"),
    "empty_file": ("", None, None, "no pairs found"),
    "tie_label_typo": (json.dumps(make_pair(0, label="tie")) + "\n", 1, "label", "unknown label"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_error_names_file_line_field(tmp_path: Path, case: str) -> None:
    text, line, field, message = BAD_INPUTS[case]
    f = tmp_path / f"{case}.jsonl"
    f.write_text(text)
    with pytest.raises(InputError) as e:
        load_pairs(f)
    assert message in str(e.value)
    assert str(f) in str(e.value)
    assert e.value.line == line
    assert e.value.field == field
    if line is not None:
        assert f"{f}:{line}" in str(e.value)


def test_binary_file_is_rejected_with_line(tmp_path: Path) -> None:
    f = tmp_path / "bin.jsonl"
    f.write_bytes(json.dumps(make_pair(0)).encode() + b"\n\xff\xfe\x00garbage\n")
    with pytest.raises(InputError, match="not valid UTF-8") as e:
        load_pairs(f)
    assert e.value.line == 2


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bench_cli_bad_input_exits_2_and_writes_nothing(tmp_path: Path, case: str) -> None:
    text, _, field, message = BAD_INPUTS[case]
    f = tmp_path / f"{case}.jsonl"
    f.write_text(text)
    results = tmp_path / "results"
    proc = run_cli("bench", "--judge", "longer", "--data", str(f), "--results-dir", str(results), "--no-progress")
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and str(f) in proc.stderr
    if field:
        assert repr(field) in proc.stderr
    assert not results.exists() or not any(results.rglob("*"))


def test_dataset_folder_names_strip_only_a_leading_hf_prefix() -> None:
    # "hh_rlhf:test" once became "hh_rltest": the "hf:" inside the benchmark's name was removed too
    assert dataset_name("hh_rlhf:test") == "hh_rlhf-test"
    assert dataset_name("hf:allenai/reward-bench:filtered") == "allenai_reward-bench-filtered"
    assert dataset_name("rmb:bo4") == "rmb-bo4"
