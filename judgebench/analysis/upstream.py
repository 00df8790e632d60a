"""Released per-item results in their upstream formats, read as judgebench results so that ``judgebench score``
scores them with the benchmark's official rule (a published number checked without rerunning a model).

A format is an ``UpstreamFormat`` in ``FORMATS``: its name (``--upstream NAME``), the benchmark whose rule scores
it, where upstream writes it (repository, file, commit), ``detect(sniff)`` (a cheap look at the file's first JSON
value, see ``Sniff``) and ``read(path, data_dir)`` -> ``JudgmentFile`` (``benchmark`` set, ``released`` true). The
format-specific parsing lives beside each benchmark's rule (``llmbar.result_json_results``,
``pandalm.released_results``, ``rm_bench.score_file_results``, ``rewardbench.scores_file_results``); this module only
detects and wraps. Adding a format = one entry here and one reader function in its benchmark module.

=====================  ===========  ===========================================================================
name                   benchmark    file
=====================  ===========  ===========================================================================
``judgebench``         (run.json)   JudgeBench's released ``outputs/*.jsonl`` and judgebench's ``judgments.jsonl``
``llmbar``             llmbar       ``<set>/evaluators/<evaluator>/result.json`` (LLMEvaluator/evaluate.py)
``pandalm-gpt35``      pandalm      ``data/gpt-3.5-turbo-testset-v1.json`` (``gpt_result``)
``pandalm-7b``         pandalm      ``data/pandalm-7b-testset-v1.json`` (``pandalm_result``)
``rm-bench``           rm_bench     ``scripts/run_rm.py``'s units with ``score_chosen`` [3] / ``score_rejected`` [3]
``reward-bench``       rewardbench  ``results/eval-set-scores/<model>.json`` (``scripts/run_rm.py``,
                                    ``run_generative.py``): columns ``id``, ``subset``, ``results``, ``scores_*``
=====================  ===========  ===========================================================================

Items: the LLMBar, RM-Bench and reward-bench files carry what the rule needs and are read alone (reward-bench's
are matched against the benchmark's local copy when ``data_dir`` is given); PandaLM's judgment files hold only
``idx``, so their items come from the benchmark's copy (``data_dir``, its environment variables, else downloaded).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..schema import ItemResult, response_models_label
from .replay import JudgmentFile, read_judgment_file

SNIFF_BYTES = 4 << 20
"""How much of a file the sniff reads (4 MiB): enough for the first JSON value of every format here."""


@dataclass(frozen=True)
class Sniff:
    """What detection sees of a file: ``shape`` is ``"list"`` (a JSON list: ``first`` is its first element),
    ``"object"`` (one JSON object: ``first`` is it, possibly cut at ``SNIFF_BYTES``: then ``keys`` only), ``"lines"``
    (JSON Lines: ``first`` is the first line's value) or ``""`` (empty or not JSON); ``keys`` the keys of ``first``
    when it is an object."""

    path: Path
    shape: str
    first: Any
    keys: frozenset[str]


def _head(path: Path) -> str:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as f:  # type: ignore[operator]
            return str(f.read(SNIFF_BYTES))
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", path=path) from None


def sniff(path: str | Path) -> Sniff:
    """The first JSON value of ``path`` and the file's shape (``Sniff``).

    Raises:
        InputError: for a missing or unreadable file.
    """
    path = Path(path)
    text = _head(path).lstrip()
    decoder = json.JSONDecoder()
    shape, first = "", None
    try:
        if text.startswith("["):
            rest = text[1:].lstrip()
            shape = "list"
            first = decoder.raw_decode(rest)[0] if rest and not rest.startswith("]") else None
        elif text.startswith("{"):
            try:
                first, end = decoder.raw_decode(text)
                shape = "object" if not text[end:].strip() else "lines"
            except json.JSONDecodeError:
                first = None  # one object longer than the sniff (a column file): its keys are read below
                shape = "object"
    except json.JSONDecodeError:
        first = None
    keys = frozenset(first) if isinstance(first, dict) else frozenset()
    if shape == "object" and first is None:  # a long single object: the top-level keys that appear at depth 1
        keys = frozenset(_top_keys(text))
    return Sniff(path, shape, first, keys)


_TOKENS = re.compile(r'["\[\]{}]')


def _top_keys(text: str) -> list[str]:
    """The keys of a JSON object's top level found in ``text`` (a prefix of it): a scan over strings and nesting
    depth."""
    keys: list[str] = []
    depth, i = 0, 0
    decoder = json.JSONDecoder()
    while (m := _TOKENS.search(text, i)) is not None:
        c, i = m.group(), m.start()
        if c == '"':
            try:
                value, end = decoder.raw_decode(text, i)
            except json.JSONDecodeError:
                break
            if depth == 1 and text[end : end + 8].lstrip().startswith(":"):
                keys.append(value)
            i = end
            continue
        depth += 1 if c in "[{" else -1
        i += 1
    return keys


@dataclass(frozen=True)
class UpstreamFormat:
    """One released format.

    Attributes:
        name: what ``--upstream`` takes.
        benchmark: the registered benchmark whose rule scores it (``""``: the ``run.json`` beside the file says).
        description: one line for the error that lists the formats.
        source: where upstream writes it (repository, file, commit).
        detect: ``detect(sniff)`` -> whether a file looks like this format (cheap; never reads the whole file).
        read: ``read(path, data_dir)`` -> the file's results (``data_dir``: the benchmark's local copy, when needed).
    """

    name: str
    benchmark: str
    description: str
    source: str
    detect: Callable[[Sniff], bool]
    read: Callable[[Path, Path | None], JudgmentFile]


def _wrap(path: Path, results: list[ItemResult], *, fmt: str, benchmark: str, games: int) -> JudgmentFile:
    first = results[0]
    return JudgmentFile(
        path=str(path),
        judge=first.judge,
        model=first.model,
        response_model=response_models_label(resp.model for r in results for resp in r.item.responses) or "",
        results=tuple(results),
        games=games,
        released=True,
        benchmark=benchmark,
        upstream=fmt,
    )


def _local_copy(benchmark: str, data_dir: Path | None) -> Path | None:
    from ..benchmarks import get_benchmark

    return get_benchmark(benchmark).local_copy(data_dir)


# --- detectors ---------------------------------------------------------------------------------------------------


def _is_judgebench(s: Sniff) -> bool:
    return s.shape in ("lines", "object") and bool(s.keys & {"judgments", "schema_version"} or {"games", "pair"} <= s.keys)


def _is_llmbar(s: Sniff) -> bool:
    return s.shape == "list" and {"results", "output_1", "output_2", "label"} <= s.keys


def _is_pandalm_gpt35(s: Sniff) -> bool:
    return s.shape == "list" and {"idx", "gpt_result"} <= s.keys


def _is_pandalm_7b(s: Sniff) -> bool:
    return s.shape == "list" and {"idx", "pandalm_result"} <= s.keys


def _is_rm_bench(s: Sniff) -> bool:
    return s.shape in ("list", "lines") and {"score_chosen", "score_rejected"} <= s.keys


def _is_reward_bench(s: Sniff) -> bool:
    return s.shape == "object" and {"id", "subset"} <= s.keys and bool(s.keys & {"results", "scores_chosen"}) and not (s.keys & {"judgments", "schema_version"})


# --- readers -----------------------------------------------------------------------------------------------------


def _read_judgebench(path: Path, data_dir: Path | None) -> JudgmentFile:
    return read_judgment_file(path)


def _read_llmbar(path: Path, data_dir: Path | None) -> JudgmentFile:
    from ..benchmarks import llmbar

    return _wrap(path, llmbar.result_json_results(path), fmt="llmbar", benchmark="llmbar", games=2)


def _pandalm_reader(fmt: str, result_field: str, reason_field: str, model: str, strict: bool) -> Callable[[Path, Path | None], JudgmentFile]:
    def read(path: Path, data_dir: Path | None) -> JudgmentFile:
        from ..benchmarks import pandalm

        items = pandalm.load("test", _local_copy("pandalm", data_dir))
        decisions = pandalm.PANDALM7B_DECISION if strict else pandalm.GPT35_DECISION
        results = pandalm.released_results(
            items, path, result_field=result_field, reason_field=reason_field, decisions=decisions, judge=f"pandalm:{model}", model=model, strict=strict
        )
        return _wrap(path, results, fmt=fmt, benchmark="pandalm", games=1)

    return read


def _read_rm_bench(path: Path, data_dir: Path | None) -> JudgmentFile:
    from ..benchmarks import rm_bench

    # run_rm.py writes results/Seq_Classifier/<official model name>/<data file>_<model>_..._<time>.json
    results = rm_bench.score_file_results(path, _local_copy("rm_bench", data_dir), model=path.parent.name if path.parent.name else "")
    return _wrap(path, results, fmt="rm-bench", benchmark="rm_bench", games=2 * rm_bench.SIZE)


def _read_reward_bench(path: Path, data_dir: Path | None) -> JudgmentFile:
    from ..benchmarks import rewardbench

    results = rewardbench.scores_file_results(path, data_dir)
    return _wrap(path, results, fmt="reward-bench", benchmark="rewardbench", games=max(len(r.judgments) for r in results))


FORMATS: dict[str, UpstreamFormat] = {
    f.name: f
    for f in (
        UpstreamFormat(
            "judgebench",
            "",
            "JudgeBench's released outputs (one pair a line with judgments) or judgebench's own judgments.jsonl",
            "ScalerLab/JudgeBench outputs/; judgebench run",
            _is_judgebench,
            _read_judgebench,
        ),
        UpstreamFormat(
            "llmbar",
            "llmbar",
            "LLMBar's result.json: a JSON list of {input, output_1, output_2, label, results}",
            "princeton-nlp/LLMBar LLMEvaluator/evaluate.py @ 900616b",
            _is_llmbar,
            _read_llmbar,
        ),
        UpstreamFormat(
            "pandalm-gpt35",
            "pandalm",
            "PandaLM's gpt-3.5-turbo judgments: a JSON list of {idx, gpt_result, gpt_reason}",
            "WeOpenML/PandaLM data/gpt-3.5-turbo-testset-v1.json @ 3871806",
            _is_pandalm_gpt35,
            _pandalm_reader("pandalm-gpt35", "gpt_result", "gpt_reason", "gpt-3.5-turbo", strict=False),
        ),
        UpstreamFormat(
            "pandalm-7b",
            "pandalm",
            "PandaLM-7B's judgments: a JSON list of {idx, pandalm_result, pandalm_reason}",
            "WeOpenML/PandaLM data/pandalm-7b-testset-v1.json @ 3871806",
            _is_pandalm_7b,
            _pandalm_reader("pandalm-7b", "pandalm_result", "pandalm_reason", "PandaLM-7B", strict=True),
        ),
        UpstreamFormat(
            "rm-bench",
            "rm_bench",
            "RM-Bench per-item reward scores: a JSON list (or JSONL) of units with score_chosen [3] and score_rejected [3]",
            "THU-KEG/RM-Bench scripts/run_rm.py @ 73c52d7",
            _is_rm_bench,
            _read_rm_bench,
        ),
        UpstreamFormat(
            "reward-bench",
            "rewardbench",
            "RewardBench v1 per-item results: one JSON object of columns id, subset, results and/or scores_chosen, scores_rejected",
            "allenai/reward-bench scripts/run_rm.py, scripts/run_generative.py (eval-set-scores) @ 05a9005",
            _is_reward_bench,
            _read_reward_bench,
        ),
    )
}
"""Every format, by name, in detection order (the first whose ``detect`` accepts a file reads it)."""


def format_names() -> tuple[str, ...]:
    """The names ``--upstream`` takes."""
    return tuple(FORMATS)


def _formats_list() -> str:
    return "; ".join(f"{f.name} ({f.benchmark or 'any benchmark'}): {f.description}" for f in FORMATS.values())


def detect_format(path: str | Path) -> UpstreamFormat:
    """The format of ``path``: the first of ``FORMATS`` whose ``detect`` accepts its ``sniff``.

    Raises:
        InputError: for an unreadable file, or one no format recognises (listing them).
    """
    s = sniff(path)
    for fmt in FORMATS.values():
        if fmt.detect(s):
            return fmt
    seen = f"a JSON {s.shape} whose first object has keys {', '.join(sorted(s.keys)[:12]) or '(none)'}" if s.shape else "not JSON"
    line = 1 if s.first is not None else None  # the first line (JSONL) or row (a list) is what no format recognises
    raise InputError(f"not a judgment file format judgebench score reads ({seen}). The formats: {_formats_list()}. Force one with --upstream NAME", path=path, line=line)


def read_upstream_file(path: str | Path, *, upstream: str | None = None, data_dir: str | Path | None = None) -> JudgmentFile:
    """Read one judgment file in any format of ``FORMATS``: ``upstream`` (a name) forces one, else it is detected.

    Raises:
        InputError: for an unknown ``upstream`` name, an unrecognised file (listing the formats), or a malformed
            file (file, line or row, field).
    """
    path = Path(path)
    if upstream is not None:
        if upstream not in FORMATS:
            raise InputError(f"unknown upstream format {upstream!r}; use one of: {', '.join(FORMATS)}", field="--upstream")
        fmt = FORMATS[upstream]
    else:
        fmt = detect_format(path)
    jf = fmt.read(path, Path(data_dir) if data_dir is not None else None)
    return jf
