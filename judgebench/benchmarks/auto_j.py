"""Auto-J's pairwise test set (Li et al., "Generative Judge for Evaluating Alignment", ICLR 2024, arXiv
2310.05470): 1,392 pairs of responses to real user queries in 58 scenarios, labelled by humans as response 1
better, response 2 better, or a tie.

Rows (``data/test/testdata_pairwise.jsonl`` of GAIR-NLP/auto-j @ 2ae17a3, counted there: 520 / 499 / 373 rows with
label 0 / 1 / 2): ``{scenario, label, prompt, "response 1", "response 2"}``, ``label`` 0 = response 1 better,
1 = response 2 better, 2 = tie. An item is::

    Item(id="<row from 0>", prompt=prompt, responses=(Response(response 1, id="1"), Response(response 2, id="2")),
         target=Preference(0 | 1 | None for a tie), category=the scenario's group, source=scenario)

Categories: Auto-J's eight groups of its 58 scenarios (``scenario_group`` in ``codes/leaderboard/utils_constants.py``
@ 2ae17a3), in its order: Summarization, Exam Questions, Code, Rewriting, Creative Writing, Functional Writing,
General Communication, NLP Tasks. A malformed row (a missing or non-string field, a label other than 0/1/2, a
scenario in no group) raises ``InputError`` naming the file, the row (1-based line) and the field.

Rule (``codes/leaderboard/pairwise_eval.py`` @ 2ae17a3965d933232e9cd50302aa0f176249c83b): the judge gives 0 / 1 /
2 (tie) on the pair in its order and on the pair with the responses exchanged (mapped back by
``exchange_to_ori_label``). Its two agreement numbers, each the share of all rows (ties included, a tie label
matched only by a tie verdict):

* ``--type pairwise``, the headline: ``correct_both / total``, a row counted when *both* verdicts equal the label
  (``pred_label_exchange == pred_label == gt_label``); the README's 54.96 for Auto-J's example outputs.
* ``--type single``: ``correct / total``, a row counted when the verdict on the original order equals the label
  (written for judges with no position to swap, such as reward models; for a judge run in both orders it is the
  agreement without requiring the orders to agree); the README's 59.99.

Beside them it prints ``consistency`` = 1 - (rows whose two verdicts differ) / total (83.41). Every number is
overall (micro: all rows) and per group (``group_wise_collect``). Here a missing verdict (failed call, unparsed
output) never equals the label nor another verdict: upstream asserts every verdict is 0, 1 or 2, so it has none.
``details`` computes these three numbers from the results (game 1 = the original order); the generic score beside
them uses the ``strict`` reducer (credited when both orders give the label). A run judged in one order only gets
the single-order number and no both-orders one.

Data: offline, a folder holding ``testdata_pairwise.jsonl`` (or a checkout of the repository, holding
``data/test/testdata_pairwise.jsonl``) given as ``--data-dir``, ``$JUDGEBENCH_AUTO_J_DIR`` or
``$JUDGEBENCH_DATA_DIR/auto_j``. Without one, the file is downloaded from GitHub
(``raw.githubusercontent.com/GAIR-NLP/auto-j/<commit>/data/test/testdata_pairwise.jsonl``, pinned to 2ae17a3) and
kept under ``$JUDGEBENCH_CACHE_DIR/data/auto_j/<commit>/``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import iter_jsonl
from ..protocols import Pairwise
from ..schema import Decision, Item, ItemResult, Preference, Response
from . import Benchmark, register_benchmark
from ._download import first_file, pinned_file

logger = logging.getLogger(__name__)

REPO = "GAIR-NLP/auto-j"
COMMIT = "2ae17a3965d933232e9cd50302aa0f176249c83b"
RELPATH = "data/test/testdata_pairwise.jsonl"
FILE = "testdata_pairwise.jsonl"
RAW_URL = f"https://raw.githubusercontent.com/{REPO}/{COMMIT}/{RELPATH}"
AUTO_J_DIR_ENV = "JUDGEBENCH_AUTO_J_DIR"
SIZE = 1392
FIELDS = ("scenario", "label", "prompt", "response 1", "response 2")
TEXT_FIELDS = ("scenario", "prompt", "response 1", "response 2")

SCENARIO_GROUPS: dict[str, tuple[str, ...]] = {
    "Summarization": ("post_summarization", "text_summarization", "note_summarization"),
    "Exam Questions": ("math_reasoning", "solving_exam_question_with_math", "solving_exam_question_without_math"),
    "Code": ("code_simplification", "code_generation", "explaining_code", "code_correction_rewriting", "code_to_code_translation"),
    "Rewriting": ("text_simplification", "language_polishing", "instructional_rewriting", "text_correction", "paraphrasing"),
    "Creative Writing": (
        "writing_song_lyrics",
        "writing_social_media_post",
        "writing_blog_post",
        "writing_personal_essay",
        "creative_writing",
        "writing_advertisement",
        "writing_marketing_materials",
        "writing_presentation_script",
        "counterfactual",
    ),
    "Functional Writing": (
        "writing_product_description",
        "writing_job_application",
        "writing_news_article",
        "writing_biography",
        "writing_email",
        "writing_legal_document",
        "writing_technical_document",
        "writing_scientific_paper",
        "functional_writing",
        "writing_cooking_recipe",
    ),
    "General Communication": (
        "asking_how_to_question",
        "open_question",
        "analyzing_general",
        "explaining_general",
        "seeking_advice",
        "recommendation",
        "value_judgement",
        "verifying_fact",
        "chitchat",
        "roleplay",
        "planning",
        "brainstorming",
    ),
    "NLP Tasks": (
        "ranking",
        "text_to_text_translation",
        "data_analysis",
        "classification_identification",
        "title_generation",
        "question_generation",
        "reading_comprehension",
        "keywords_extraction",
        "information_extraction",
        "topic_modeling",
        "others",
    ),
}
"""Auto-J's ``scenario_group`` (``codes/leaderboard/utils_constants.py`` @ 2ae17a3), copied in its order."""

CATEGORIES = tuple(SCENARIO_GROUPS)
GROUP_OF: dict[str, str] = {scenario: group for group, scenarios in SCENARIO_GROUPS.items() for scenario in scenarios}
"""Scenario -> its group (upstream's ``reversed_scenario_group``)."""


def category_of(source: str) -> str:
    """The group of a scenario (an item's ``source``); a scenario in no group is its own category."""
    return GROUP_OF.get(source, source or "Other")


def row_to_item(row: dict[str, Any], *, index: int, path: str | Path) -> Item:
    """One validated row as an item; ``index`` is the 1-based line (the row errors name), the id counts from 0.

    Raises:
        InputError: naming ``path``, the row and the field that is missing, not a string, an unknown scenario or a
            label other than 0, 1, 2.
    """
    for name in FIELDS:
        if name not in row or row[name] is None:
            raise InputError(f"missing required field (an Auto-J pairwise row needs {', '.join(FIELDS)})", path=path, line=index, field=name)
    for name in TEXT_FIELDS:
        if not isinstance(row[name], str):
            raise InputError(f"expected a string, got {type(row[name]).__name__}", path=path, line=index, field=name)
    label = row["label"]
    if isinstance(label, bool) or not isinstance(label, int) or label not in (0, 1, 2):
        raise InputError(f"label must be 0 (response 1 better), 1 (response 2 better) or 2 (tie), got {label!r}", path=path, line=index, field="label")
    scenario = row["scenario"]
    if scenario not in GROUP_OF:
        raise InputError(f"unknown scenario {scenario!r} (in none of Auto-J's {len(CATEGORIES)} scenario groups)", path=path, line=index, field="scenario")
    extra = {k: v for k, v in row.items() if k not in FIELDS}
    return Item(
        id=str(index - 1),
        prompt=row["prompt"],
        responses=(Response(row["response 1"], id="1"), Response(row["response 2"], id="2")),
        target=Preference(None if label == 2 else label),
        category=GROUP_OF[scenario],
        source=scenario,
        original_id=str(index - 1),
        metadata=extra,
    )


def read_file(path: str | Path) -> list[Item]:
    """The items of ``testdata_pairwise.jsonl``, all validated before any is returned.

    Raises:
        InputError: for an unreadable file, a line that is not a JSON object, or a malformed row (file, row, field).
    """
    items = []
    for i, row in iter_jsonl(path):
        if not isinstance(row, dict):
            raise InputError(f"expected an object, got {type(row).__name__}", path=path, line=i)
        items.append(row_to_item(row, index=i, path=path))
    if not items:
        raise InputError(f"Auto-J's pairwise test set is empty here (the released set has {SIZE} rows): a damaged copy?", path=path)
    return items


def local_file(data_dir: Path) -> Path | None:
    """``testdata_pairwise.jsonl`` in ``data_dir``, its ``data/test/`` or ``test/``; ``None`` when absent."""
    return first_file(data_dir / FILE, data_dir / RELPATH, data_dir / "test" / FILE)


def load(split: str, data_dir: Path | None) -> list[Item]:
    """The 1,392 pairs, from ``data_dir`` when given, else downloaded (pinned commit).

    Raises:
        InputError: for a folder without the file, a failed download, or a malformed row (file, row, field).
    """
    path = pinned_file(data_dir, local_file, url=RAW_URL, cache=("auto_j", COMMIT), relpath=RELPATH, repo=REPO, what="Auto-J's pairwise test set", env=AUTO_J_DIR_ENV)
    return read_file(path)


_PAIRWISE = Pairwise()


def _verdicts(result: ItemResult) -> tuple[Decision, Decision | None]:
    """The verdict on the original order and the one on the exchanged order (read back into the item's frame; ``None``
    when the pair was judged in one order only)."""
    decisions = _PAIRWISE.combine(result.item, result.judgments).of(0, 1)
    first = decisions[0] if decisions else Decision.NONE
    return first, (decisions[1] if len(decisions) > 1 else None)


def _label(result: ItemResult) -> Decision:
    target = result.item.target
    if not isinstance(target, Preference):
        raise InputError("an Auto-J result must have a preference target (a pair with a label)", field=result.item.id)
    return target.decision


def agreement(results: Sequence[ItemResult]) -> dict[str, Any]:
    """Auto-J's counts (``check_res`` / ``register_scenario_wise_results`` in ``pairwise_eval.py``) over
    ``results``: ``total``, ``correct`` (the original order's verdict is the label), ``correct_both`` (both verdicts
    are the label), ``disagree`` (the two verdicts differ) and ``two_orders`` (results judged in both orders), with
    ``single`` = 100 correct / total, ``pairwise`` = 100 correct_both / total and ``consistency`` = 100 (1 -
    disagree / total) (the latter two ``None`` unless every result was judged in both orders). A missing verdict
    (``Decision.NONE``) equals neither the label nor another verdict."""
    total = correct = correct_both = disagree = two_orders = 0
    for r in results:
        label = _label(r)
        first, exchanged = _verdicts(r)
        total += 1
        ok_first = first is not Decision.NONE and first == label
        correct += ok_first
        if exchanged is None:
            continue
        two_orders += 1
        agree = first is not Decision.NONE and exchanged == first
        correct_both += agree and ok_first
        disagree += not agree
    both = total > 0 and two_orders == total
    return {
        "total": total,
        "correct": correct,
        "correct_both": correct_both,
        "disagree": disagree,
        "two_orders": two_orders,
        "single": 100 * correct / total if total else None,
        "pairwise": 100 * correct_both / total if both else None,
        "consistency": 100 * (1 - disagree / total) if both else None,
    }


def details(results: Sequence[ItemResult], metrics: Any, rule: str) -> dict[str, Any]:
    """Auto-J's own numbers (``pairwise_eval.py``): agreement with the human label requiring both orders to give it
    (the headline; its ``--type pairwise``), agreement of the original order alone (its ``--type single``) and
    consistency, overall and per scenario group (``CATEGORIES`` order), each over all rows, ties included."""
    overall = agreement(results)
    by_group: dict[str, list[ItemResult]] = {}
    for r in results:
        by_group.setdefault(r.item.category or category_of(r.item.source), []).append(r)
    both = overall["pairwise"] is not None
    rows: list[dict[str, Any]] = [
        {"name": "agreement, original order only (Auto-J --type single)", "value": overall["single"], "n": overall["total"]},
        {"name": "consistency of the two orders (Auto-J)", "value": overall["consistency"], "n": overall["total"]},
    ]
    ordered = [c for c in CATEGORIES if c in by_group] + sorted(set(by_group) - set(CATEGORIES))
    for group in ordered:
        g = agreement(by_group[group])
        if both:
            rows.append({"name": f"{group}: agreement, both orders", "value": g["pairwise"], "n": g["total"]})
        rows.append({"name": f"{group}: agreement, original order only", "value": g["single"], "n": g["total"]})
        if both:
            rows.append({"name": f"{group}: consistency", "value": g["consistency"], "n": g["total"]})
    headline_name = "Agreement, both orders give the label (Auto-J --type pairwise)" if both else "Agreement, original order only (Auto-J --type single; not every pair was judged in both orders)"
    from ..metrics.stats import bootstrap_mean_ci

    # 95% CI: percentile bootstrap over items of the headline's 0/1 agreement (only the count matters)
    hits, total = (overall["correct_both"] if both else overall["correct"]), overall["total"]
    low, high = bootstrap_mean_ci([1.0] * hits + [0.0] * (total - hits)) if total else (None, None)
    return {
        "headline": {
            "name": headline_name,
            "value": overall["pairwise"] if both else overall["single"],
            "ci_low": None if low is None else 100 * low,
            "ci_high": None if high is None else 100 * high,
        },
        "rows": rows,
        "note": (
            "Auto-J's rule (GAIR-NLP/auto-j codes/leaderboard/pairwise_eval.py @ 2ae17a3): every row counts, ties "
            "included; a tie label is matched only by a tie verdict; a missing verdict matches nothing. "
            f"The generic accuracy above uses the {rule!r} rule."
        ),
    }


BENCHMARK = register_benchmark(
    Benchmark(
        name="auto_j",
        description="Auto-J's pairwise test set: 1,392 human-labelled pairs (ties included) in 58 scenarios, 8 groups",
        source=f"github:{REPO} {RELPATH} @ {COMMIT[:7]}",
        citation=f"Li et al. 2024, Generative Judge for Evaluating Alignment (ICLR 2024), arXiv 2310.05470; rule: {REPO} codes/leaderboard/pairwise_eval.py @ {COMMIT[:7]}",
        load=load,
        splits=("test",),
        default_split="test",
        size={"test": SIZE},
        protocol=("pairwise", {"orders": "both"}),
        rule="strict",
        metrics=("accuracy", "position_consistency"),
        categories=CATEGORIES,
        category_of=category_of,
        data_env=AUTO_J_DIR_ENV,
        details=details,
    )
)
