"""Display names from a names file (``judgebench.reports.names``): defaults, the file's sections, and names that
never collapse two runs into one label."""

from __future__ import annotations

from pathlib import Path

import pytest

from judgebench.errors import InputError
from judgebench.reports.names import Names, default_model_name, unique_run_names


def test_default_names_drop_provider_organisation_and_date() -> None:
    assert default_model_name("openai:gpt-4o-2024-08-06") == "gpt-4o"
    assert default_model_name("hf:Skywork/Skywork-Reward-Llama-3.1-8B") == "Skywork-Reward-Llama-3.1-8B"
    assert default_model_name("claude-3-5-sonnet-20240620") == "claude-3-5-sonnet"
    n = Names()
    assert n.run("arena_hard", "openai:o1-mini") == "arena_hard (o1-mini)" and n.run("longer", "none") == "longer"


@pytest.mark.parametrize("suffix", [".yaml", ".toml", ".json"])
def test_a_names_file_in_each_format(tmp_path: Path, suffix: str) -> None:
    texts = {
        ".yaml": 'judges:\n  arena_hard: Arena-Hard\nmodels:\n  "openai:o1-mini": o1-mini\nruns:\n  "reward_model: hf:x/RM-8B": Skywork-RM\nbenchmarks:\n  "judgebench:gpt": JudgeBench\n',
        ".toml": '[judges]\narena_hard = "Arena-Hard"\n[models]\n"openai:o1-mini" = "o1-mini"\n[runs]\n"reward_model: hf:x/RM-8B" = "Skywork-RM"\n[benchmarks]\n"judgebench:gpt" = "JudgeBench"\n',
        ".json": '{"judges": {"arena_hard": "Arena-Hard"}, "models": {"openai:o1-mini": "o1-mini"}, "runs": {"reward_model: hf:x/RM-8B": "Skywork-RM"}, "benchmarks": {"judgebench:gpt": "JudgeBench"}}',
    }
    path = tmp_path / f"names{suffix}"
    path.write_text(texts[suffix], encoding="utf-8")
    n = Names.load(path)
    assert n.run("arena_hard", "openai:o1-mini") == "Arena-Hard (o1-mini)"
    assert n.run("reward_model", "hf:x/RM-8B") == "Skywork-RM"  # a run's own name wins
    assert n.judge("arena_hard@temperature=0") == "Arena-Hard@temperature=0"
    assert n.benchmark("judgebench:gpt") == "JudgeBench" and n.benchmark("llmbar") == "llmbar"


def test_bad_names_files_say_where(tmp_path: Path) -> None:
    bad = tmp_path / "n.yaml"
    bad.write_text("judges:\n  arena_hard: Arena-Hard\nmodel:\n  x: y\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown section.*'model'"):
        Names.load(bad)
    bad.write_text("judges:\n  arena_hard: 3\n", encoding="utf-8")
    with pytest.raises(InputError, match="judges.arena_hard"):
        Names.load(bad)
    bad.write_text("judges: [\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a valid YAML"):
        Names.load(bad)
    with pytest.raises(InputError, match="no such names file"):
        Names.load(tmp_path / "missing.yaml")


def test_three_models_that_shorten_alike_keep_distinct_names() -> None:
    # the example: three judge-8b models all shown as "arena_hard: judge-8b-..."
    rows = [
        {"judge": "arena_hard", "model": "openai:judge-8b-2024-01-01", "response_model": "gpt-4o", "benchmark": "judgebench"},
        {"judge": "arena_hard", "model": "openai:judge-8b-2024-02-01", "response_model": "gpt-4o", "benchmark": "judgebench"},
        {"judge": "arena_hard", "model": "vllm:org/judge-8b", "response_model": "gpt-4o", "benchmark": "judgebench"},
        {"judge": "longer", "model": "none", "response_model": "gpt-4o", "benchmark": "judgebench"},
        {"judge": "longer", "model": "none", "response_model": "claude-3-5-sonnet-20240620", "benchmark": "judgebench"},
    ]
    got = unique_run_names(rows)
    assert len(set(got)) == len(got), got
    assert got[0] == "arena_hard (judge-8b) [openai:judge-8b-2024-01-01]" and got[3] == "longer [gpt-4o]" and got[4] == "longer [claude-3-5-sonnet]"


def test_a_limited_run_beside_the_full_one_and_runs_on_two_sets_keep_distinct_names() -> None:
    # a user review: figures showed "arena_hard (fake)" twice (the 350-pair run and a --limit 40 run of it) and
    # "longer [-] [llmbar]" twice (llmbar:natural --limit 5 and llmbar:all)
    rows = [
        {"judge": "arena_hard", "model": "openai:fake", "response_model": "gpt-4o", "benchmark": "judgebench", "pair_set": "6944d722", "n": 350},
        {"judge": "arena_hard", "model": "openai:fake", "response_model": "gpt-4o", "benchmark": "judgebench", "pair_set": "6944d722", "n": 40},
        {"judge": "longer", "model": "none", "response_model": "", "benchmark": "llmbar", "pair_set": "b57f9b3c", "n": 5},
        {"judge": "longer", "model": "none", "response_model": "", "benchmark": "llmbar", "pair_set": "fe0fd0b5", "n": 885},
    ]
    got = unique_run_names(rows)
    assert got == ["arena_hard (fake) [n=350]", "arena_hard (fake) [n=40]", "longer [pairs b57f9b3c]", "longer [pairs fe0fd0b5]"]
    # one run's rows (the same run in two tables) keep one name
    assert unique_run_names([rows[0], dict(rows[0])]) == ["arena_hard (fake)", "arena_hard (fake)"]
