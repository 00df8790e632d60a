"""PandaLM's human-annotated test set (Wang et al., "PandaLM: An Automatic Evaluation Benchmark for LLM Instruction
Tuning Optimization", ICLR 2024, arXiv 2306.05087): 999 instructions (with an optional input), each with two
responses from instruction-tuned 7B models, labelled independently by three annotators as response 1 better (1),
response 2 better (2) or a tie (0).

Rows (``data/testset-v1.json`` of WeOpenML/PandaLM @ 3871806, a JSON list): ``{idx, motivation_app, cmp_key,
instruction, input, response1, response2, annotator1, annotator2, annotator3}`` (six responses are the JSON value
``true``, read as the text "True"). An item is::

    Item(id=str(idx), prompt=instruction + "\\n\\n" + input (the instruction alone when input is empty),
         responses=(Response(response1, id="1"), Response(response2, id="2")),
         target=Preference(the annotators' majority: 0 | 1 | None for a tie),
         category="test", source=motivation_app,
         metadata={"annotators": [a1, a2, a3], "cmp_key": ..., "motivation_app": ...})

(One category: the ``motivation_app`` of a row, the app that inspired its instruction, has about 50 values of a
few items each, too thin to report apart; it stays the item's ``source`` and in ``metadata``.)

The annotators' labels are kept in PandaLM's coding (1, 2, 0 = tie) in ``metadata["annotators"]``. The target is
their majority (two or three of the three agree); a three-way split (1, 2, 0) would count as a tie, but none occurs
in the released file: every row has a majority, and the majorities are 105 ties / 422 response 1 / 472 response 2,
the label distribution PandaLM's README publishes.

Rule. PandaLM's repository publishes no evaluation script (README.md @ 3871806 gives the annotators' pairwise
Cohen's kappa, 0.85 / 0.88 / 0.86, and the label counts; the paper reports accuracy, precision, recall and F1 of
each judge against the human labels). ``details`` computes, for the judge against the majority (the headline:
accuracy) and against each annotator: accuracy, macro precision / recall / F1 over the three classes 1, 2, 0
(``sklearn.metrics.precision_recall_fscore_support(average="macro", labels=[1, 2, 0])``), Cohen's kappa and
Krippendorff's alpha (nominal); and the annotators' own pairwise Cohen's kappa. The judge's label of an item is the
verdict of the run's reducer (``rule``) over its views in the item's frame (one view: that view's verdict). A missing
verdict (failed call, unparsed output) is wrong in accuracy and precision/recall/F1 (every item counts; it falls in
no class, so it lowers recall) and is left out of kappa and alpha (their ``n`` says how many items had a verdict).

``gpt35_results`` replays PandaLM's released gpt-3.5-turbo judgments (``data/gpt-3.5-turbo-testset-v1.json``,
``gpt_result`` "1" / "2" / "Tie", or "garbage" for an unparsed answer) as one judgment per item in the item's
order.

Data: offline, a folder holding ``testset-v1.json`` (or a checkout of the repository, holding
``data/testset-v1.json``) given as ``--data-dir``, ``$JUDGEBENCH_PANDALM_DIR`` or ``$JUDGEBENCH_DATA_DIR/pandalm``.
Without one, the file is downloaded from GitHub
(``raw.githubusercontent.com/WeOpenML/PandaLM/<commit>/data/testset-v1.json``, pinned to 3871806) and kept under
``$JUDGEBENCH_CACHE_DIR/data/pandalm/<commit>/``.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..protocols import Pairwise, get_reducer
from ..schema import Decision, Item, ItemResult, Judgment, Preference, Response
from . import Benchmark, register_benchmark
from ._download import first_file, pinned_file

logger = logging.getLogger(__name__)

REPO = "WeOpenML/PandaLM"
COMMIT = "3871806e72b4832f815ecafd24d3503c73403f48"
RELPATH = "data/testset-v1.json"
FILE = "testset-v1.json"
GPT35_FILE = "gpt-3.5-turbo-testset-v1.json"
RAW_URL = f"https://raw.githubusercontent.com/{REPO}/{COMMIT}/{RELPATH}"
PANDALM_DIR_ENV = "JUDGEBENCH_PANDALM_DIR"
SIZE = 999
ANNOTATORS = ("annotator1", "annotator2", "annotator3")
TEXT_FIELDS = ("instruction", "input", "response1", "response2")
FIELDS = ("idx", *TEXT_FIELDS, *ANNOTATORS)
LABELS = (1, 2, 0)
"""PandaLM's coding: 1 = response 1 better, 2 = response 2 better, 0 = tie (the class order of the macro scores)."""
PUBLISHED_KAPPA = {("annotator1", "annotator2"): 0.85, ("annotator1", "annotator3"): 0.88, ("annotator2", "annotator3"): 0.86}
"""The annotators' pairwise Cohen's kappa in PandaLM's README.md @ 3871806."""

_WINNER = {1: 0, 2: 1, 0: None}
_VALUE_ONLY = 1
"""Bootstrap resamples for kappa and alpha here: only their values are reported (the functions need at least one)."""
_CODE_OF_VALUE = {1.0: 1, -1.0: 2, 0.0: 0}


def _label(value: Any, *, path: str | Path, row: int, field: str) -> int:
    """An annotator's label (an int or its string, 0/1/2)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or str(value).strip() not in ("0", "1", "2"):
        raise InputError(f"label must be 1 (response 1 better), 2 (response 2 better) or 0 (tie), got {value!r}", path=path, line=row, field=field)
    return int(str(value).strip())


def majority_label(labels: Sequence[int]) -> int:
    """The label most annotators gave; 0 (a tie) when no label has a strict majority (a three-way split)."""
    (top, count), *rest = Counter(labels).most_common()
    return top if not rest or count > rest[0][1] else 0


CATEGORY = "test"
"""Every item's category: the whole test set (module docstring)."""


def row_to_item(row: dict[str, Any], *, index: int, path: str | Path) -> Item:
    """One validated row as an item; ``index`` is the 1-based position in the list (the row errors name).

    Raises:
        InputError: naming ``path``, the row and the field that is missing, not a string, or a label other than 0/1/2.
    """
    for name in FIELDS:
        if name not in row or row[name] is None:
            raise InputError(f"missing required field (a PandaLM test row needs {', '.join(FIELDS)})", path=path, line=index, field=name)
    text = {}
    for name in TEXT_FIELDS:
        value = row[name]
        if name.startswith("response") and isinstance(value, (bool, int, float)):
            value = str(value)  # six released responses are the JSON value true (a model that answered "True")
        if not isinstance(value, str):
            raise InputError(f"expected a string, got {type(value).__name__}", path=path, line=index, field=name)
        text[name] = value
    labels = [_label(row[a], path=path, row=index, field=a) for a in ANNOTATORS]
    prompt = text["instruction"] + (f"\n\n{text['input']}" if text["input"].strip() else "")
    extra = {k: v for k, v in row.items() if k not in FIELDS}
    return Item(
        id=str(row["idx"]),
        prompt=prompt,
        responses=(Response(text["response1"], id="1"), Response(text["response2"], id="2")),
        target=Preference(_WINNER[majority_label(labels)]),
        category=CATEGORY,
        source=str(row.get("motivation_app") or ""),
        original_id=str(row["idx"]),
        metadata={**extra, "annotators": labels},
    )


def _read_list(path: str | Path, what: str) -> list[Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"cannot read {what}: {e}", path=path) from e
    if not isinstance(data, list):
        raise InputError(f"expected a JSON list ({what}), got {type(data).__name__}", path=path)
    return data


def read_file(path: str | Path) -> list[Item]:
    """The items of ``testset-v1.json``, all validated before any is returned.

    Raises:
        InputError: for an unreadable file, a row that is not an object, or a malformed row (file, row, field).
    """
    items = []
    for i, row in enumerate(_read_list(path, "PandaLM's test set"), start=1):
        if not isinstance(row, dict):
            raise InputError(f"expected an object, got {type(row).__name__}", path=path, line=i)
        items.append(row_to_item(row, index=i, path=path))
    if not items:
        raise InputError(f"PandaLM's test set is empty here (the released set has {SIZE} rows): a damaged copy?", path=path)
    return items


def local_file(data_dir: Path, name: str = FILE) -> Path | None:
    """``name`` in ``data_dir`` or its ``data/``; ``None`` when absent."""
    return first_file(data_dir / name, data_dir / "data" / name)


def load(split: str, data_dir: Path | None) -> list[Item]:
    """The 999 items, from ``data_dir`` when given, else downloaded (pinned commit).

    Raises:
        InputError: for a folder without the file, a failed download, or a malformed row (file, row, field).
    """
    path = pinned_file(data_dir, local_file, url=RAW_URL, cache=("pandalm", COMMIT), relpath=RELPATH, repo=REPO, what="PandaLM's test set", env=PANDALM_DIR_ENV)
    return read_file(path)


GPT35_DECISION = {"1": Decision.A_BETTER, "2": Decision.B_BETTER, "Tie": Decision.TIE, "0": Decision.TIE}
"""``gpt_result`` -> the decision on the pair in the item's order; anything else ("garbage") is no decision."""


def gpt35_results(items: Sequence[Item], path: str | Path, *, judge: str = "pandalm:gpt-3.5-turbo", model: str = "gpt-3.5-turbo") -> list[ItemResult]:
    """PandaLM's released gpt-3.5-turbo judgments (``gpt-3.5-turbo-testset-v1.json``) as results on ``items``
    (matched by ``idx``): one judgment each, on the pair in its own order (``view=(0, 1)``, ``game=1``), decided as
    ``GPT35_DECISION`` maps ``gpt_result`` (an unparsed "garbage" answer: ``Decision.NONE``), the reason as output.

    Raises:
        InputError: for an unreadable file, a row without ``idx`` / ``gpt_result``, or an item with no judgment.
    """
    by_idx: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(_read_list(path, "PandaLM's gpt-3.5-turbo judgments"), start=1):
        if not isinstance(row, dict) or "idx" not in row or "gpt_result" not in row:
            raise InputError("expected an object with idx and gpt_result", path=path, line=i)
        by_idx[str(row["idx"])] = row
    results = []
    for item in items:
        row = by_idx.get(item.id)
        if row is None:
            raise InputError(f"no judgment for item {item.id}", path=path, field="idx")
        decision = GPT35_DECISION.get(str(row["gpt_result"]).strip(), Decision.NONE)
        judgment = Judgment(decision, game=1, view=(0, 1), output=str(row.get("gpt_reason") or ""))
        results.append(ItemResult(item, judge, model, (judgment,), protocol="pairwise(orders=first, pairs=all)"))
    return results


PANDALM7B_FILE = "pandalm-7b-testset-v1.json"
PANDALM7B_DECISION = {"1": Decision.A_BETTER, "2": Decision.B_BETTER, "0": Decision.TIE}
"""``pandalm_result`` (an integer: ``pandalm/utils/pandalm_inference.py::parse_pandalm_response`` maps "1" / "2" to
1 / 2 and anything else, "Tie" included, to 0) -> the decision on the pair in the item's order."""


def released_results(
    items: Sequence[Item], path: str | Path, *, result_field: str, reason_field: str, decisions: dict[str, Decision], judge: str, model: str, strict: bool
) -> list[ItemResult]:
    """The rows of a released judgment file of PandaLM's (a JSON list of ``{idx, <result_field>, <reason_field>,
    ...}``: ``data/gpt-3.5-turbo-testset-v1.json`` and ``data/pandalm-7b-testset-v1.json`` @ 3871806) as results on
    the ``items`` their ``idx`` names, in the file's order: one judgment each on ``(0, 1)`` (game 1), decided as
    ``decisions`` maps the result's text; another value is no decision (``strict=False``: gpt-3.5-turbo's
    "garbage") or an error (``strict=True``). Unlike ``gpt35_results``, a file may judge only some items.

    Raises:
        InputError: for an unreadable file, a row that is no object or lacks a field, an ``idx`` no item has or that
            repeats, or (``strict``) an unknown result (file, row, field).
    """
    by_id = {item.id: item for item in items}
    seen: set[str] = set()
    results = []
    for i, row in enumerate(_read_list(path, f"PandaLM's {model} judgments"), start=1):
        if not isinstance(row, dict):
            raise InputError(f"expected an object, got {type(row).__name__}", path=path, line=i)
        for name in ("idx", result_field):
            if row.get(name) is None:
                raise InputError(f"missing required field (a row needs idx and {result_field})", path=path, line=i, field=name)
        idx = str(row["idx"])
        item = by_id.get(idx)
        if item is None:
            raise InputError(f"no PandaLM test-set item with idx {idx}", path=path, line=i, field="idx")
        if idx in seen:
            raise InputError(f"idx {idx} is judged twice", path=path, line=i, field="idx")
        seen.add(idx)
        value = str(row[result_field]).strip()
        if strict and value not in decisions:
            raise InputError(f"expected one of {', '.join(decisions)}, got {row[result_field]!r:.40}", path=path, line=i, field=result_field)
        judgment = Judgment(decisions.get(value, Decision.NONE), game=1, view=(0, 1), output=str(row.get(reason_field) or ""))
        results.append(ItemResult(item, judge, model, (judgment,), protocol="pairwise(orders=first, pairs=all)"))
    if not results:
        raise InputError("no judgments (empty list)", path=path)
    return results


_PAIRWISE = Pairwise()


def judge_label(result: ItemResult, rule: str) -> int | None:
    """The judge's label of a result in PandaLM's coding (1, 2, 0 = tie): the ``rule`` reducer's verdict over its
    views in the item's frame; ``None`` for no verdict."""
    decisions = _PAIRWISE.combine(result.item, result.judgments).of(0, 1)
    value = get_reducer(rule).verdict(decisions) if decisions else math.nan
    return None if value != value else _CODE_OF_VALUE[float(np.sign(value))]


def annotator_labels(item: Item) -> list[int]:
    """The three annotators' labels kept in ``metadata["annotators"]``.

    Raises:
        InputError: for an item without them (not loaded from PandaLM's test set).
    """
    labels = item.metadata.get("annotators") if item.metadata else None
    if not isinstance(labels, list) or len(labels) != len(ANNOTATORS):
        raise InputError("a PandaLM item keeps its three annotators' labels in metadata['annotators']", field=item.id)
    return [int(x) for x in labels]


def majority_of(item: Item) -> int:
    """An item's majority label in PandaLM's coding (from its target)."""
    target = item.target
    if not isinstance(target, Preference):
        raise InputError("a PandaLM item must have a preference target", field=item.id)
    return {0: 1, 1: 2, None: 0}[target.winner]


def agreement(pred: Sequence[int | None], truth: Sequence[int]) -> dict[str, Any]:
    """A judge's agreement with one reference (labels in PandaLM's coding; ``None`` = no verdict): ``n``,
    ``missing``, ``accuracy`` and macro ``precision`` / ``recall`` / ``f1`` over all items (a missing verdict is
    wrong), and ``kappa`` / ``alpha`` (Cohen's, Krippendorff's nominal) over the items with a verdict
    (``n_kappa``); each as a fraction (``None`` where undefined)."""
    from sklearn.metrics import precision_recall_fscore_support

    from ..metrics.agreement import cohen_kappa
    from ..metrics.reliability import krippendorff_alpha

    n = len(truth)
    p = [-1 if x is None else x for x in pred]
    precision, recall, f1, _ = precision_recall_fscore_support(truth, p, labels=list(LABELS), average="macro", zero_division=0)
    judged = np.array([math.nan if x is None else float(x) for x in pred])
    ref = np.asarray(truth, dtype=float)
    kappa = cohen_kappa(judged, ref, labels=sorted(LABELS), n_resamples=_VALUE_ONLY) if n else None
    alpha = krippendorff_alpha(np.vstack([judged, ref]), "nominal", n_resamples=_VALUE_ONLY) if n else None
    return {
        "n": n,
        "missing": sum(x is None for x in pred),
        "accuracy": sum(a == b for a, b in zip(p, truth, strict=True)) / n if n else None,
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "kappa": kappa.value if kappa is not None else None,
        "alpha": alpha.value if alpha is not None else None,
        "n_kappa": kappa.n if kappa is not None else 0,
    }


def annotator_kappas(items: Sequence[Item]) -> dict[tuple[str, str], float | None]:
    """The annotators' pairwise Cohen's kappa (PandaLM's IAA table) over ``items``."""
    from ..metrics.agreement import cohen_kappa

    labels = np.array([annotator_labels(it) for it in items], dtype=float).reshape(-1, len(ANNOTATORS))
    return {
        (ANNOTATORS[i], ANNOTATORS[j]): cohen_kappa(labels[:, i], labels[:, j], labels=sorted(LABELS), n_resamples=_VALUE_ONLY).value
        for i, j in combinations(range(len(ANNOTATORS)), 2)
    }


def details(results: Sequence[ItemResult], metrics: Any, rule: str) -> dict[str, Any]:
    """The judge's agreement with the annotators' majority (headline: accuracy, in %) and with each annotator:
    accuracy, macro precision / recall / F1, Cohen's kappa, Krippendorff's alpha; and the annotators' pairwise
    Cohen's kappa (PandaLM's README publishes 0.85 / 0.88 / 0.86). Rates are in %, kappa and alpha as fractions."""
    pred = [judge_label(r, rule) for r in results]
    references = {"majority": [majority_of(r.item) for r in results]}
    per_annotator = [annotator_labels(r.item) for r in results]
    for k, name in enumerate(ANNOTATORS):
        references[name] = [labels[k] for labels in per_annotator]
    rows: list[dict[str, Any]] = []
    head: dict[str, Any] = {}
    for ref_name, truth in references.items():
        got = agreement(pred, truth)
        if ref_name == "majority":
            head = got
        for key, label, pct in (
            ("accuracy", "accuracy", True),
            ("precision", "macro precision", True),
            ("recall", "macro recall", True),
            ("f1", "macro F1", True),
            ("kappa", "Cohen's kappa", False),
            ("alpha", "Krippendorff's alpha (nominal)", False),
        ):
            value = got[key]
            n = got["n_kappa"] if key in ("kappa", "alpha") else got["n"]
            rows.append({"name": f"vs {ref_name}: {label}", "value": None if value is None else (100 * value if pct else value), "n": n, "digits": 1 if pct else 3})
    rows.append({"name": "judge: missing verdicts", "value": head.get("missing", 0), "n": len(results), "digits": 0})
    for (a, b), kappa in annotator_kappas([r.item for r in results]).items():
        rows.append({"name": f"annotators: Cohen's kappa {a} vs {b} (PandaLM: {PUBLISHED_KAPPA[(a, b)]})", "value": kappa, "n": len(results), "digits": 3})
    accuracy = head.get("accuracy")
    from ..metrics.stats import bootstrap_mean_ci

    # 95% CI: percentile bootstrap over items of [the judge's label is the majority's] (a missing verdict: wrong)
    low, high = bootstrap_mean_ci([float(p_ == t) for p_, t in zip(pred, references["majority"], strict=True)]) if results else (math.nan, math.nan)
    return {
        "headline": {
            "name": "Accuracy vs the annotators' majority (PandaLM test set)",
            "value": None if accuracy is None else 100 * accuracy,
            "ci_low": None if low != low else 100 * low,
            "ci_high": None if high != high else 100 * high,
        },
        "rows": rows,
        "note": (
            f"PandaLM ({REPO} @ {COMMIT[:7]}; no evaluation script is published): labels 1 / 2 / 0 (tie); the judge's "
            f"label is the {rule!r} reducer's verdict over its views; precision/recall/F1 are macro over the three "
            "classes; a missing verdict is wrong in accuracy and P/R/F1 and left out of kappa and alpha. "
            "The majority label is the generic score's target (a three-way split would be a tie; none occurs)."
        ),
    }


BENCHMARK = register_benchmark(
    Benchmark(
        name="pandalm",
        description="PandaLM's test set: 999 instruction-response pairs, three annotators each (ties included); target = majority",
        source=f"github:{REPO} {RELPATH} @ {COMMIT[:7]}",
        citation=f"Wang et al. 2024, PandaLM (ICLR 2024), arXiv 2306.05087; annotator kappa: {REPO} README.md @ {COMMIT[:7]}",
        load=load,
        splits=("test",),
        default_split="test",
        size={"test": SIZE},
        protocol=("pairwise", {"orders": "both"}),
        rule="strict",
        metrics=("accuracy", "position_consistency"),
        data_env=PANDALM_DIR_ENV,
        details=details,
    )
)
