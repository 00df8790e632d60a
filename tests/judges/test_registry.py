"""The judge registry: light imports, descriptions, and every prompted judge's templates render cleanly."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from judgebench.errors import JudgebenchError
from judgebench.judges import JudgeContext, get_judge, list_judges
from judgebench.judges._calibrated import CalibratedJudge
from judgebench.judges._prompted import TEMPLATE_DIR, PromptedJudge

from .helpers import ScriptedBackend

# The prompted judges of this package and option sets that select other templates or calibrations.
PROMPTED_VARIANTS: list[tuple[str, dict[str, object]]] = [
    ("vanilla", {}),
    ("arena_hard", {}),
    ("arena_hard_notie", {}),
    ("pandalm", {}),
    ("prometheus2", {}),
    ("prometheus2", {"prompt_format": "chat", "reference_answer": "ref", "rubric": "reasoning"}),
    ("judgelm", {}),
    ("judgelm", {"reference_answer": "ref", "mec_k": 2, "bpc": True}),
    ("auto_j", {}),
    ("auto_j", {"prompt_format": "chat"}),
    ("skywork_critic", {}),
    ("compass_judger", {}),
    ("compass_judger", {"prompt_style": "reward"}),
    ("pairwise_score", {}),
    ("pairwise_score", {"mec_k": 3, "bpc": True}),
]
CITED = {"arena_hard", "arena_hard_notie", "pandalm", "prometheus2", "judgelm", "auto_j", "skywork_critic", "compass_judger", "pairwise_score"}


def test_registry_import_all_judges_leaves_heavy_packages_unimported() -> None:
    code = (
        "import json, sys\n"
        "from judgebench.judges import list_judges\n"
        "names = [j.name for j in list_judges()]\n"
        "print(json.dumps({'names': names, 'heavy': [m for m in ('torch', 'transformers', 'anthropic') if m in sys.modules]}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert CITED <= set(result["names"])


def test_registry_every_judge_has_a_description() -> None:
    for info in list_judges():
        assert info.description.strip(), info.name
    for info in list_judges():
        if info.name in CITED:  # fine-tuned or published judges name their source
            assert re.search(r"arXiv|github\.com|huggingface\.co", info.description), info.name


def _base(judge: object) -> PromptedJudge:
    return judge.base if isinstance(judge, CalibratedJudge) else judge  # type: ignore[return-value]


@pytest.mark.parametrize(("name", "options"), PROMPTED_VARIANTS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(PROMPTED_VARIANTS)])
def test_registry_prompted_judge_templates_render_cleanly(name: str, options: dict[str, object]) -> None:
    judge = _base(get_judge(name, ScriptedBackend([""]), **options))
    assert isinstance(judge, PromptedJudge)
    messages = judge.messages(JudgeContext.of_question("THE-QUESTION"), "FIRST-RESPONSE", "SECOND-RESPONSE")
    assert messages[-1]["role"] == "user" and [m["role"] for m in messages[:-1]] in ([], ["system"])
    for m in messages:
        assert m["content"] == m["content"].lstrip(), "no blank line left by the template header"
        assert "{#" not in m["content"] and "#}" not in m["content"] and "{{" not in m["content"]
    user = messages[-1]["content"]
    assert user.index("THE-QUESTION") < user.index("FIRST-RESPONSE") < user.index("SECOND-RESPONSE")


def test_registry_every_chat_judge_that_builds_with_defaults_renders() -> None:
    """Judges added later are covered too: any chat judge built with default options that has templates renders."""
    rendered = set()
    for info in list_judges():
        if info.backend != "chat":
            continue
        try:
            judge = get_judge(info.name, ScriptedBackend([""]))
        except JudgebenchError:
            assert info.name not in CITED, f"{info.name} must build with default options"
            continue  # needs options (e.g. jury members)
        judge = _base(judge)
        if isinstance(judge, PromptedJudge):
            assert judge.messages(JudgeContext.of_question("q"), "a", "b")[-1]["content"]
            rendered.add(info.name)
    assert CITED | {"vanilla"} <= rendered


def test_registry_every_template_file_starts_with_a_source_header() -> None:
    files = sorted(TEMPLATE_DIR.glob("*.jinja"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("{#"), path.name
        header_end = text.index("#}")
        assert text[header_end - 1] == "-", f"{path.name}: header must close with '-#}}' so it leaves no newline"
