"""Prometheus 2's absolute-grading sets as a registered benchmark: sizes counted from the released files, each
prompt section compared with the raw prompt (found here with a regular expression, not the module's parser), errors
naming file/row/field, the download fallback and the defaults (pointwise, three correlations)."""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from judgebench.benchmarks import get_benchmark, load_items, prometheus
from judgebench.errors import InputError
from judgebench.schema import Ratings

from ..conftest import shared

FILES = {"vicuna": "vicuna_eval.json", "mt_bench": "mt_bench_eval.json"}
PUBLISHED = {"vicuna": 320, "mt_bench": 320}
"""Sizes stated by the shared-data README (320 items each: 80 questions x 4 response models)."""

SECTIONS = re.compile(
    r"\n\n###The instruction to evaluate:\n(?P<instruction>.*)\n\n###Response to evaluate:\n(?P<response>.*)"
    r"\n\n###Reference Answer \(Score 5\):\n(?P<reference>.*)\n\n###Score Rubrics:\n(?P<rubric>.*)\n\n###Feedback: $",
    re.S,
)
"""The released prompts' layout, written out independently of the module: each section between two markers."""


def _raw(split: str) -> list[dict]:
    return json.loads((shared("prometheus") / FILES[split]).read_text(encoding="utf-8"))


def test_sizes_counted_from_the_released_files() -> None:
    root = shared("prometheus")
    bench = get_benchmark("prometheus")
    for split, filename in FILES.items():
        raw = json.loads((root / filename).read_text(encoding="utf-8"))
        assert len(raw) == PUBLISHED[split] == bench.size[split]
        items = load_items(f"prometheus:{split}", data_dir=root).items
        assert len(items) == len(raw)
        assert len({i.id for i in items}) == len(raw)  # question x response model is unique
        assert len({r["idx"] for r in raw}) == 80 and {len(r["gpt4_score"]) for r in raw} == {3}


@pytest.mark.parametrize("split", list(FILES))
def test_every_row_maps_field_by_field_to_the_raw_prompt(split: str) -> None:
    raw = _raw(split)
    items = load_items(f"prometheus:{split}", data_dir=shared("prometheus")).items
    for row, item in zip(raw, items, strict=True):
        m = SECTIONS.search(row["instruction"])
        assert m is not None, row["idx"]
        assert item.prompt == m["instruction"].strip()
        assert len(item.responses) == 1
        assert item.responses[0].text == m["response"].strip()
        assert item.responses[0].model == row["response_source"]
        assert item.reference == m["reference"].strip()
        assert item.rubric == m["rubric"].strip()
        assert item.category == row["category"]
        assert item.original_id == str(row["idx"])
        assert item.target == Ratings({"overall": (tuple(float(s) for s in row["gpt4_score"]),)}, scale=(1.0, 5.0), raters=("gpt4_1", "gpt4_2", "gpt4_3"))
        assert item.target.mean(0) == pytest.approx(sum(row["gpt4_score"]) / 3)


def test_one_vicuna_row_spelled_out() -> None:
    raw = _raw("vicuna")[0]
    item = load_items("prometheus:vicuna", data_dir=shared("prometheus")).items[0]
    assert item.id == "vicuna/1/vicuna"
    assert item.prompt == "How can I improve my time management skills?"
    assert item.responses[0].text.startswith("Improving your time management skills can help you")
    assert item.responses[0].text in raw["instruction"] and "###" not in item.responses[0].text
    assert item.reference is not None and item.reference.startswith("To improve your time management skills, start by setting clear goals.")
    assert item.rubric is not None and item.rubric.startswith("[Does the response provide detailed and actionable steps grounded on real-world scenarios?]\nScore 1:")
    assert item.rubric.endswith("all of which are firmly grounded on real-world scenarios.")
    assert isinstance(item.target, Ratings) and item.target.values == {"overall": ((5.0, 5.0, 5.0),)}
    assert item.metadata["gpt4_feedback"] == raw["gpt4_feedback"]


def test_an_mt_bench_prompt_keeps_the_first_turn() -> None:
    item = load_items("prometheus:mt_bench", data_dir=shared("prometheus")).items[0]
    assert item.id == "mt_bench/83/llama2_chat_13b" and item.category == "writing"
    assert isinstance(item.prompt, str)
    assert item.prompt.startswith("Here is a previous dialogue between an assistant and an user.")
    assert "User: Take your previous response and rephrase it as a limerick." in item.prompt


def test_defaults_follow_prometheus_protocol() -> None:
    bench = get_benchmark("prometheus")
    assert bench.protocol == ("pointwise", {"samples": 3})
    assert bench.default_protocol().describe() == "pointwise(samples=3)"
    assert bench.metrics == ("pearson", "spearman", "kendall", "accuracy")
    assert bench.splits == ("vicuna", "mt_bench", "hhh_alignment") and bench.default_split == "vicuna"
    assert "2405.01535" in bench.citation and "eval/utils.py" in bench.citation and "dcfb442" in bench.citation
    assert bench.data_env == "JUDGEBENCH_PROMETHEUS_DIR"
    with pytest.raises(InputError, match="unknown prometheus split 'flask'"):
        load_items("prometheus:flask", data_dir=shared("prometheus"))


def test_offline_copy_from_env_data_dir_or_repository_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shared("prometheus")
    monkeypatch.setenv("JUDGEBENCH_PROMETHEUS_DIR", str(root))
    assert len(load_items("prometheus:mt_bench").items) == 320
    monkeypatch.delenv("JUDGEBENCH_PROMETHEUS_DIR")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "prometheus").symlink_to(root)
    monkeypatch.setenv("JUDGEBENCH_DATA_DIR", str(tmp_path / "data"))
    assert len(load_items("prometheus").items) == 320
    checkout = tmp_path / "prometheus-eval" / "eval" / "benchmark"
    checkout.mkdir(parents=True)
    (checkout / "data").symlink_to(root)
    assert len(load_items("prometheus:vicuna", data_dir=tmp_path / "prometheus-eval").items) == 320


PROMPT = (
    "###Task Description:\nGrade it.\n\n###The instruction to evaluate:\nSay hi.\n\n###Response to evaluate:\nhi\n\n"
    "###Reference Answer (Score 5):\nHello!\n\n###Score Rubrics:\n[Is it friendly?]\nScore 1: no.\nScore 5: yes.\n\n###Feedback: "
)
GOOD = {"idx": 1, "response_source": "m", "category": "generic", "instruction": PROMPT, "gpt4_score": [4, 5, 5], "gpt4_feedback": ["a", "b", "c"]}


def _copy_with(tmp_path: Path, rows: list) -> Path:
    path = tmp_path / "copy" / "vicuna_eval.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def test_a_small_copy_parses_and_a_heading_inside_a_response_does_not_cut_it(tmp_path: Path) -> None:
    heading = PROMPT.replace("\nhi\n", "\n### Step 1\nhi\n")
    _copy_with(tmp_path, [GOOD, {**GOOD, "idx": 2, "instruction": heading}])
    first, second = load_items("prometheus:vicuna", data_dir=tmp_path / "copy").items
    assert (first.prompt, first.responses[0].text, first.reference, first.rubric) == ("Say hi.", "hi", "Hello!", "[Is it friendly?]\nScore 1: no.\nScore 5: yes.")
    assert second.responses[0].text == "### Step 1\nhi"


SECOND = {**GOOD, "idx": 2}


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({**SECOND, "instruction": PROMPT.replace("###The instruction to evaluate:", "###Instruction:")}, "instruction", "no '###The instruction to evaluate:' section"),
        ({**SECOND, "instruction": PROMPT.replace("###Response to evaluate:", "")}, "instruction", "no '###Response to evaluate:' section after"),
        ({**SECOND, "instruction": PROMPT.replace("###Reference Answer (Score 5):", "###Reference Answer:")}, "instruction", r"no '###Reference Answer \(Score 5\):' section"),
        ({**SECOND, "instruction": PROMPT.replace("###Score Rubrics:", "###Rubric:")}, "instruction", "no '###Score Rubrics:' section"),
        ({k: v for k, v in SECOND.items() if k != "gpt4_score"}, "gpt4_score", "missing required field"),
        ({**SECOND, "gpt4_score": [4, 5]}, "gpt4_score", "a list of 3 scores"),
        ({**SECOND, "gpt4_score": [4, 6, 5]}, "gpt4_score", "from 1 to 5, got 6"),
        ({**SECOND, "gpt4_score": [4, True, 5]}, "gpt4_score", "got True"),
        ({**SECOND, "response_source": 3}, "response_source", "expected a string, got int"),
        ({k: v for k, v in SECOND.items() if k != "category"}, "category", "missing required field"),
        (GOOD, "idx", "rows 1 and 2 both grade question 1"),
        ("not an object", None, "expected an object"),
    ],
)
def test_malformed_rows_name_file_row_and_field(tmp_path: Path, row: object, field: str | None, message: str) -> None:
    path = _copy_with(tmp_path, [GOOD, row])
    with pytest.raises(InputError, match=message) as e:
        load_items("prometheus:vicuna", data_dir=tmp_path / "copy")
    assert (e.value.path, e.value.line, e.value.field) == (str(path), 2, field)
    assert f"{path}:2" in str(e.value)


def test_a_copy_without_the_file_and_an_empty_file_are_errors(tmp_path: Path) -> None:
    (tmp_path / "copy").mkdir()
    with pytest.raises(InputError, match="lacks mt_bench_eval.json"):
        load_items("prometheus:mt_bench", data_dir=tmp_path / "copy")
    path = _copy_with(tmp_path, [])
    with pytest.raises(InputError, match="empty here") as e:
        load_items("prometheus:vicuna", data_dir=tmp_path / "copy")
    assert e.value.path == str(path)


def test_without_a_local_copy_it_downloads_from_github_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shared("prometheus")
    monkeypatch.setenv("JUDGEBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("JUDGEBENCH_PROMETHEUS_DIR", raising=False)
    monkeypatch.setenv("JUDGEBENCH_DATA_DIR", "")
    urls: list[str] = []
    prefix = f"https://raw.githubusercontent.com/prometheus-eval/prometheus-eval/{prometheus.COMMIT}/eval/benchmark/data/"

    def fake_urlopen(url: str, timeout: float = 0) -> io.BytesIO:
        urls.append(url)
        assert url.startswith(prefix)
        return io.BytesIO((root / url[len(prefix):]).read_bytes())

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    items = load_items("prometheus:mt_bench").items
    assert len(items) == 320
    assert urls == [prefix + "mt_bench_eval.json"]
    assert load_items("prometheus:mt_bench").items == items  # from the cache: no second download
    assert len(urls) == 1
    assert prometheus.COMMIT.startswith("dcfb442")


def test_offline_download_error_says_where_to_put_a_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUDGEBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("JUDGEBENCH_PROMETHEUS_DIR", raising=False)
    monkeypatch.setenv("JUDGEBENCH_DATA_DIR", "")

    def offline(url: str, timeout: float = 0) -> io.BytesIO:
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(InputError, match="cannot download Prometheus' vicuna_eval.json") as e:
        load_items("prometheus:vicuna")
    assert "JUDGEBENCH_PROMETHEUS_DIR" in str(e.value) and "--data-dir" in str(e.value)
    assert not list((tmp_path / "cache").rglob("*.json"))
