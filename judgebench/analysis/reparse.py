"""Re-parse stored judge outputs with the current parsers (``judgebench score --reparse``).

A judgment file keeps every raw output: ``judgment.response`` in JudgeBench's released format, ``output`` in
judgebench's ``judgments.jsonl``. After a parser fix, old runs can be re-scored without calling a model again, and a
released file re-parsed with our parser shows where the two parsers disagree.

The parser is the one of the judge named in the file, rebuilt from its name and options: judgebench's judge label
(``judgelm@bpc=true,mec_k=3``, with the options taken from ``run.json`` beside the file when it is there) or one of
JudgeBench's judge names (``RELEASED_JUDGES``). Each judgment with an output is parsed again by that judge's
``reparse`` method. A judgment with nothing to re-parse keeps its stored record and is counted, by reason, as not
re-parsed: a failed call, a released judgment whose ``response`` is missing or null ("no raw output": a stored
decision is never overwritten by parsing nothing), a calibrated judgment without its samples, a debate without its
transcript. Judges whose decisions do not come from text (reward models, baselines), JudgeBench judges whose format
judgebench does not parse (its ``vanilla`` and ``chat_eval``) and juries are reported as not re-parsed, with the
reason, and scored as stored.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..errors import JudgebenchError
from ..schema import Decision, ItemResult, Judgment
from .replay import NO_RAW_OUTPUT, JudgmentFile

logger = logging.getLogger(__name__)

# JudgeBench's judge names (utils/judges.py::get_judge_from_judge_name_and_model, github.com/ScalerLab/JudgeBench
# commit e2c52c2) -> the judgebench judge that runs the same prompt and output format.
RELEASED_JUDGES: dict[str, str] = {
    "arena_hard": "arena_hard",
    "compass_judger": "compass_judger",
    "auto_j": "auto_j",
    "prometheus_2": "prometheus2",
    "skywork_critic": "skywork_critic",
    "panda_lm": "pandalm",
    "judge_lm": "judgelm",
}
# JudgeBench judges with no judgebench parser for their output, and why.
RELEASED_NOT_REPARSED: dict[str, str] = {
    "vanilla": "JudgeBench's vanilla prompt asks for 'Output (a)' / 'Output (b)'; judgebench's vanilla judge uses another format",
    "chat_eval": "JudgeBench's chat_eval is a multi-agent run; its stored response is not one judge's output",
    "reward_model": "reward model: its judgments are scores, there is no text to re-parse",
}


FAILED_CALL = "failed call"
NO_OUTPUT = "no raw output"
NO_SAMPLES = "no stored samples (extra.samples) to re-parse"
NO_TRANSCRIPT = "no stored debate transcript (extra.transcript) to re-parse"


@runtime_checkable
class Reparser(Protocol):
    """A judge that can read a stored judgment again (``PromptedJudge``, ``CalibratedJudge``, ``ChatEval``)."""

    def reparse(self, judgment: Judgment) -> Judgment: ...


@dataclass(frozen=True)
class Change:
    """One judgment whose decision differs after re-parsing (decisions in the order shown, as stored)."""

    pair_id: str
    game: int
    stored: Decision
    reparsed: Decision

    def to_dict(self) -> dict[str, Any]:
        return {"pair_id": self.pair_id, "game": self.game, "stored": str(self.stored), "reparsed": str(self.reparsed)}


@dataclass(frozen=True)
class ReparseReport:
    """What ``reparse_file`` did to one file.

    Attributes:
        path: the file.
        judge: the judge as the file names it.
        parser: the judgebench judge whose parser was used; None when the file was not re-parsed.
        judgments: judgments in the file.
        reparsed: judgments that were parsed again.
        changed: the judgments whose decision changed, in file order.
        no_decision: after re-parsing, how many judgments have no decision, by reason.
        note: why the file (or some judges' judgments) were not re-parsed; None when a parser was found for all.
        not_reparsed: judgments of a re-parsed judge kept as stored, by reason (failed call, no raw output, ...).
    """

    path: str
    judge: str
    parser: str | None
    judgments: int
    reparsed: int
    changed: tuple[Change, ...] = ()
    no_decision: dict[str, int] = field(default_factory=dict)
    note: str | None = None
    not_reparsed: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "judge": self.judge,
            "parser": self.parser,
            "judgments": self.judgments,
            "reparsed": self.reparsed,
            "n_changed": len(self.changed),
            "changed": [c.to_dict() for c in self.changed],
            "no_decision": dict(self.no_decision),
            "not_reparsed": dict(self.not_reparsed),
            "note": self.note,
        }

    def summary(self) -> str:
        """One line for people: ``arena_hard parser: 0 of 700 decisions changed``; judgments kept as stored are
        counted with their reasons, and a file of which nothing was re-parsed says so."""
        if self.parser is None:
            return f"{self.path}: not re-parsed ({self.note})"
        kept = "; ".join(f"{n} {reason}" for reason, n in self.not_reparsed.items())
        if self.reparsed == 0 and kept:
            return f"{self.path}: {self.parser} parser: not re-parsed, all {self.judgments} kept as stored ({kept})"
        text = f"{self.path}: {self.parser} parser: {len(self.changed)} of {self.reparsed} decisions changed"
        if kept:
            text += f" ({self.judgments - self.reparsed} not re-parsed, kept as stored: {kept})"
        return text + (f"; {self.note}" if self.note else "")


def _label_options(label: str, path: Path) -> dict[str, Any] | None:
    """A judge label's options (``name@k=v,k=v``), from ``run.json`` beside the file when it records this label,
    else parsed from the label; None when they cannot be recovered (a long label summarised by a hash)."""
    _, _, opts = label.partition("@")
    if not opts:
        return {}
    run_json = path.with_name("run.json")
    if run_json.exists():
        try:
            info = json.loads(run_json.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            info = None
        if isinstance(info, dict) and info.get("judge") == label and isinstance((info.get("spec") or {}).get("judge_options"), dict):
            return dict(info["spec"]["judge_options"])
    options: dict[str, Any] = {}
    for item in opts.split(","):
        key, sep, value = item.partition("=")
        if not sep:
            return None
        try:
            options[key] = json.loads(value)
        except ValueError:
            options[key] = value
    return options


def _recorded_judge(label: str, path: Path) -> tuple[str, dict[str, Any]] | None:
    """The registered judge (``file:pairwise``, ``jury``) and options a judge file's run recorded in the
    ``run.json`` beside ``path`` (its ``spec.judge`` and ``spec.judge_options``: the definition with its templates
    inlined), when that run.json is the run labelled ``label``."""
    run_json = path.with_name("run.json")
    try:
        info = json.loads(run_json.read_text(encoding="utf-8")) if run_json.exists() else None
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict):
        return None
    spec = info.get("spec")
    if not isinstance(spec, dict) or info.get("judge") != label or not isinstance(spec.get("judge"), str) or not isinstance(spec.get("judge_options"), dict):
        return None
    return spec["judge"], dict(spec["judge_options"])


def reparser_for(label: str, *, released: bool, path: str | Path = "") -> tuple[Reparser | None, str | None, str | None]:
    """The judge that re-parses judgments of the judge named ``label`` in a file.

    Args:
        label: the judge as the file names it (a JudgeBench name when ``released``, else a judgebench judge label).
        released: whether the file is in JudgeBench's released format.
        path: the file (its folder may hold ``run.json`` with the judge's options).

    Returns:
        ``(judge, parser name, None)``, or ``(None, None, why it cannot be re-parsed)``.
    """
    from ..judges import get_judge_info

    if released:
        if label in RELEASED_NOT_REPARSED:
            return None, None, RELEASED_NOT_REPARSED[label]
        if label not in RELEASED_JUDGES:
            return None, None, f"no judgebench parser for JudgeBench's judge {label!r} (known: {', '.join(sorted(RELEASED_JUDGES))})"
        name, options = RELEASED_JUDGES[label], dict[str, Any]()
    elif label.startswith("file:"):  # a judge file's run: run.json records the registered judge and the definition
        recorded = _recorded_judge(label, Path(path))
        if recorded is None:
            return None, None, f"the definition of judge file {label!r} is not recorded (no run.json of that run beside the file)"
        name, options = recorded
    else:
        name = label.partition("@")[0]
        found = _label_options(label, Path(path))
        if found is None:
            return None, None, f"the options of judge {label!r} are not recorded (no run.json beside the file)"
        options = found
    try:
        info = get_judge_info(name)
    except JudgebenchError:
        return None, None, f"unknown judge {name!r}"
    if info.backend == "reward":
        return None, None, RELEASED_NOT_REPARSED["reward_model"]
    if not info.needs_model:
        return None, None, f"{name} is a baseline: its decisions come from no model output"
    try:
        judge = info.factory(None, **options)
    except (JudgebenchError, TypeError, ValueError, AttributeError) as e:
        return None, None, f"cannot rebuild judge {label!r} to re-parse its outputs: {e}"
    if not isinstance(judge, Reparser):
        return None, None, f"{name}'s decisions do not come from one parsed output (it has no re-parser)"
    return judge, name, None


def why_not_reparsed(judge: Reparser, judgment: Judgment) -> str | None:
    """Why ``judge`` cannot parse ``judgment`` again (it is then kept as stored), or None when it can."""
    from ..judges._calibrated import CalibratedJudge
    from ..judges.chateval import ChatEval

    if judgment.is_failed:
        return FAILED_CALL
    if judgment.extra.get(NO_RAW_OUTPUT):
        return NO_OUTPUT
    if isinstance(judge, CalibratedJudge) and not isinstance(judgment.extra.get("samples"), list):
        return NO_SAMPLES
    if isinstance(judge, ChatEval) and not judgment.extra.get("transcript"):
        return NO_TRANSCRIPT
    return None


def reparse_file(jf: JudgmentFile) -> tuple[JudgmentFile, ReparseReport]:
    """``jf`` with every stored output parsed again by its judge's current parser, and what changed.

    Judgments of a judge that cannot be re-parsed are kept as stored (see ``reparser_for``); so is each judgment with
    nothing to re-parse (``why_not_reparsed``: a failed call, no raw output, no stored samples), counted by reason.

    Returns:
        The re-parsed file (same path, pairs and order) and its ``ReparseReport``.
    """
    judges: dict[str, tuple[Reparser | None, str | None, str | None]] = {}
    results: list[ItemResult] = []
    changed: list[Change] = []
    notes: dict[str, str] = {}
    parsers: set[str] = set()
    kept: Counter[str] = Counter()
    n_judgments = n_reparsed = 0
    for result in jf.results:
        if result.judge not in judges:
            judges[result.judge] = reparser_for(result.judge, released=jf.released, path=jf.path)
        judge, parser, note = judges[result.judge]
        n_judgments += len(result.games)
        if judge is None:
            notes[result.judge] = note or "not re-parsed"
            results.append(result)
            continue
        parsers.add(parser or "")
        games = []
        for stored in result.games:
            why = why_not_reparsed(judge, stored)
            if why is not None:
                kept[why] += 1
                games.append(stored)
                continue
            again = judge.reparse(stored)
            n_reparsed += 1
            if again.decision != stored.decision:
                changed.append(Change(result.pair_id, stored.game, stored.decision, again.decision))
            games.append(again)
        results.append(replace(result, judgments=tuple(games)))
    reasons = Counter(
        str(g.extra.get("no_decision_reason") or (FAILED_CALL if g.is_failed else "no reason recorded")) for r in results for g in r.games if g.decision is Decision.NONE
    )
    report = ReparseReport(
        path=jf.path,
        judge=jf.judge,
        parser=", ".join(sorted(parsers)) or None,
        judgments=n_judgments,
        reparsed=n_reparsed,
        changed=tuple(changed),
        no_decision=dict(reasons.most_common()),
        note="; ".join(f"{label}: {why}" for label, why in notes.items()) if parsers and notes else (next(iter(notes.values())) if notes else None),
        not_reparsed=dict(kept.most_common()),
    )
    logger.debug("re-parsed %s: %d of %d decisions changed", jf.path, len(changed), n_reparsed)
    return replace(jf, results=tuple(results)), report
