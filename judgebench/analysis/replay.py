"""Read judgment files: JudgeBench's released outputs and judgebench's own ``judgments.jsonl``.

Released format (github.com/ScalerLab/JudgeBench ``outputs/``): one pair per line with the pair fields,
``judge_name`` and ``judgments``: a list of one or two ``{"judgment": {...raw...}, "decision": ...}`` objects or
``null`` (failed call); the second is on the swapped order and its decision is *not* flipped back. The judge model
is in ``judgment.judge_model`` or, failing that, in the file name (``judge_model=...``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..benchmarks.local import validate_pair_dict
from ..errors import InputError
from ..files import iter_jsonl
from ..schema import Decision, ItemResult, Judgment, Preference, response_models_label


@dataclass(frozen=True)
class JudgmentFile:
    """The results read from one file, with what is known of the run."""

    path: str
    judge: str
    model: str
    response_model: str
    results: tuple[ItemResult, ...]
    games: int
    released: bool = False  # True for a released file (JudgeBench's or another upstream format), False for judgments.jsonl
    benchmark: str | None = None  # the registered benchmark the file's format belongs to; None: the run.json beside it says
    upstream: str = ""  # the upstream format it was read as (``judgebench.analysis.upstream``); "" for judgebench's own


NO_RAW_OUTPUT = "no_raw_output"
"""``Judgment.extra`` key set on a released judgment whose ``response`` is missing or null (see ``_released_judgment``)."""


def _name_field(path: Path, key: str) -> str | None:
    m = re.search(rf"{key}=([^,]+?)(?:,|\.jsonl$|$)", path.name)
    return m.group(1) if m else None


def _released_judgment(obj: Any, game: int, *, path: Path, line: int) -> Judgment:
    if obj is None:
        return Judgment(Decision.NONE, game=game, error="judgment is null in the released file (failed call)")  # type: ignore[arg-type]
    if not isinstance(obj, dict):
        raise InputError(f"judgment {game} must be an object or null, got {type(obj).__name__}", path=path, line=line, field="judgments")
    if "decision" not in obj:  # every released judgment records one (null when it gave none)
        raise InputError("missing: a released judgment records its decision (null when it gave none)", path=path, line=line, field=f"judgments[{game - 1}].decision")
    try:
        decision = Decision.parse(obj.get("decision"))
    except ValueError as e:
        raise InputError(str(e), path=path, line=line, field=f"judgments[{game - 1}].decision") from None
    raw = obj.get("judgment") or {}
    scores = raw.get("scores") if isinstance(raw, dict) else None
    # The raw output: judgment.response (or the judgment itself when it is a string). A missing or null response is
    # no raw output, which is not an empty output: it is marked so that `score --reparse` keeps the stored decision.
    response = raw.get("response") if isinstance(raw, dict) else raw
    extra: dict[str, Any] = {"judge_model": raw.get("judge_model")} if isinstance(raw, dict) and raw.get("judge_model") else {}
    if response is None:
        extra[NO_RAW_OUTPUT] = True
    return Judgment(
        decision=decision,
        game=game,  # type: ignore[arg-type]
        prompt=str(raw.get("prompt", "")) if isinstance(raw, dict) else "",
        output="" if response is None else str(response),
        scores=tuple(float(s) for s in scores) if isinstance(scores, list) else None,
        extra=extra,
    )


def _from_released(row: dict[str, Any], *, path: Path, line: int) -> tuple[ItemResult, str | None]:
    pair = validate_pair_dict({k: v for k, v in row.items() if k not in ("judge_name", "judgments")}, path=path, line=line)
    judgments = row.get("judgments")
    if not isinstance(judgments, list) or not 1 <= len(judgments) <= 2:
        raise InputError("expected a list of one or two judgments", path=path, line=line, field="judgments")
    games = tuple(_released_judgment(j, i, path=path, line=line) for i, j in enumerate(judgments, start=1))
    judge_model = next((g.extra.get("judge_model") for g in games if g.extra.get("judge_model")), None)
    return ItemResult.of_pair(pair, str(row.get("judge_name") or "unknown"), judge_model or "", games), judge_model


def _is_pairwise_pair(result: ItemResult) -> bool:
    """A pair judged pairwise (two responses, a preference, pairwise views): read and checked as pairs are. Other
    items (best-of-K, ratings) and other protocols are read as items; ``Item.from_dict`` has validated them."""
    item = result.item
    return len(item.responses) == 2 and isinstance(item.target, Preference) and not result.protocol.startswith(("pointwise", "listwise"))


def _check_games(result: ItemResult, *, path: Path, line: int) -> None:
    """A judgebench result holds one or two judgments with distinct game numbers (1 and/or 2), as a released
    file must hold one or two: an empty ``games`` list would otherwise score silently as a wrong pair."""
    numbers = [g.game for g in result.games]
    if not 1 <= len(numbers) <= 2 or len(set(numbers)) != len(numbers) or not set(numbers) <= {1, 2}:
        raise InputError(f"expected a list of one or two judgments with distinct game numbers 1 and 2, got game numbers {numbers}", path=path, line=line, field="games")


def read_judgment_file(path: str | Path) -> JudgmentFile:
    """Read one judgment file in either format.

    Raises:
        InputError: for a malformed line (file, line and field named), duplicate pair_ids, or an empty file.
    """
    results: list[ItemResult] = []
    return replace(stream_judgment_file(path, results.append), results=tuple(results))


def stream_judgment_file(path: str | Path, on_result: Callable[[ItemResult], None]) -> JudgmentFile:
    """``read_judgment_file`` as one streaming pass: each result is checked as ``read_judgment_file`` checks it and
    handed to ``on_result`` in file order, and none is kept (the ``JudgmentFile`` returned has no ``results``), so a
    file of a million results is read in the memory of its ids (for the duplicate check) and whatever ``on_result``
    keeps.

    Raises:
        InputError: as ``read_judgment_file``.
    """
    path = Path(path)
    seen: set[str] = set()
    models: set[str] = set()
    judge = model = None
    released = False
    games = 0
    for line, row in iter_jsonl(path, judgments=True):  # lines hold a pair with its prompts: see files.RESULT_LINE_FACTOR
        if ("games" in row and "pair" in row) or "schema_version" in row:  # judgebench's own lines: version 1 (pair) or 2 (item)
            try:
                result = ItemResult.from_dict(row)
                is_pair = "pair" in row or _is_pairwise_pair(result)
                if is_pair:
                    validate_pair_dict(row["pair"] if "pair" in row else result.pair.to_dict(), path=path, line=line)
            except (KeyError, TypeError, ValueError) as e:
                raise InputError(f"malformed judgebench result line: {e!r}", path=path, line=line) from None
            if is_pair:
                _check_games(result, path=path, line=line)
        elif "judgments" in row:
            result, _ = _from_released(row, path=path, line=line)
            released = True
        else:
            raise InputError("neither a judgebench result ('item' and 'judgments', or 'pair' and 'games') nor a JudgeBench output ('judgments')", path=path, line=line, field="judgments")
        if result.pair_id in seen:
            raise InputError(f"duplicate pair_id {result.pair_id!r}", path=path, line=line, field="pair_id")
        seen.add(result.pair_id)
        models.update(resp.model for resp in result.item.responses if resp.model)
        games = max(games, len(result.games))
        on_result(result)
        judge = judge or result.judge
        model = model or result.model
    if not seen:
        raise InputError("no judgments in file (empty)", path=path)
    model = model or _name_field(path, "judge_model") or ""
    response_model = response_models_label(models) or _name_field(path, "response_model") or ""
    return JudgmentFile(
        path=str(path),
        judge=judge or "unknown",
        model=model,
        response_model=response_model,
        results=(),
        games=games,
        released=released,
    )
