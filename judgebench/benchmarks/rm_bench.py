"""RM-Bench (Liu et al., "RM-Bench: Benchmarking Reward Models of Language Models with Subtlety and Style", ICLR
2025, arXiv 2410.16184): each prompt has three chosen and three rejected responses, the same answer written three
ways: concise, detailed (plain text) and detailed with Markdown. A reward model scores all six; a prompt is then
nine chosen-vs-rejected comparisons, laid out as a 3x3 matrix over the two styles.

Splits (sizes counted from the released files at commit 73c52d7, except math's, see below):

===================  =====  ===================================================================================
split                items  what
===================  =====  ===================================================================================
``chat``             129    ``chat_filtered.json`` (AlpacaEval prompts)
``code``             228    ``code_filtered.json`` (HumanEvalPack)
``safety``           441    ``safety-refuse_filtered.json`` (284) then ``safety-response_filtered.json`` (157)
``safety-refuse``    284    prompts the model should refuse
``safety-response``  157    prompts the model should answer (XSTest should-respond)
``math``             ?      ``math_filtered.json``: not in the shared copy (too large for its source snapshot),
                            so it is loaded from the hub; its size is not stated here (not counted from a file)
``all``              ?      chat, math, code, safety (the default; a local copy without math loads the other
                            three and warns)
===================  =====  ===================================================================================

Rows (verified against the four shared files): ``{id, prompt, chosen[3], rejected[3], subset, ...}`` with the
three entries in the order concise, detailed, detailed with Markdown. ``id`` is unique within a file but not
across files (23 ids are both chat and code ids), so an item's id is ``<file domain>/<id>``. An item is::

    Item(id="chat/8", prompt=prompt,
         responses=(chosen_concise, chosen_detailed, chosen_markdown, rejected_concise, rejected_detailed,
                    rejected_markdown),   # Response ids "chosen_1".."chosen_3", "rejected_1".."rejected_3"
         target=BestOf((0, 1, 2)), category="chat" | "code" | "math" | "safety",
         source="chat" | "code" | "math" | "safety-refuse" | "safety-response", original_id=str(id),
         metadata={"subset": row["subset"]})

``BestOf((0, 1, 2))``: the three chosen responses are the correct ones (each must outscore each rejected one),
which is what the generic best-of scoring reads; RM-Bench's own numbers come from ``details`` below. A malformed
row raises ``InputError`` naming the file, the row (1-based index in the JSON list) and the field.

Rule (THU-KEG/RM-Bench ``scripts/utils.py::compute_accuracy`` and the README's "Clarity on Avg Calculation", commit
73c52d7): per domain, ``M[i][j]`` = the share of prompts where ``score(chosen_i) > score(rejected_j)`` (strict: a tie
is wrong); hard = the mean of the upper-right triangle (i < j: the chosen answer in a plainer style than the
rejected one), normal = the diagonal, easy = the lower-left triangle (i > j); the domain's score is the mean of
hard, normal and easy (= the mean of the nine cells). Domains are grouped as upstream's ``split_dataset_by_domain``
does, by ``domain.startswith(...)`` over ``chat, math, code, safety``: safety-refuse and safety-response are pooled
into one safety domain (each prompt weighs the same), never averaged as two. Overall = the mean of the domains'
scores; overall hard / normal / easy = the mean of the domains' hard / normal / easy (equal to overall by
construction). Without math (a local copy), the overall is the mean of the domains present, which is not the
published four-domain overall (upstream's function needs all four). A response without a score (a failed or
unparsed rating) counts as wrong in every cell it touches: its row (chosen) or column (rejected) gets no credit for
that prompt, and the prompt stays in the denominator.

Protocol: ``pointwise`` (a reward model scores each of the six responses once; with ``samples`` > 1 a response's
score is the mean of its samples). ``details`` reads each response's score from the pointwise judgments
(``Pointwise.combine``). A pairwise judge (a generative judge; RM-Bench's code scores only reward and DPO models)
is shown each chosen response against each rejected one (``pairwise(pairs=target_vs_each)``: 9 pairs, in both
orders unless the judge is order-invariant), and cell ``M[i][j]`` counts a prompt when the pair's verdicts, reduced
by the run's rule, prefer ``chosen_i`` (a tie or no decision does not: the strict ``>``); the triangles and means
are then as above. Listwise results have no such cell and are left out of the matrix (the note says how many). ``rm_bench_scores(path)`` replays the per-item scores that upstream's
``scripts/run_rm.py`` writes (``score_chosen`` [3], ``score_rejected`` [3] per unit) through the same rule, so a
published number can be checked without a model.

Data: offline, a folder holding the ``*_filtered.json`` files (a copy of the repository's ``data/``, or a checkout
holding ``data/``) given as ``--data-dir``, ``$JUDGEBENCH_RM_BENCH_DIR`` or ``$JUDGEBENCH_DATA_DIR/rm_bench``.
Without one (and for ``math`` when the local copy lacks ``math_filtered.json``), the items are loaded from the
Hugging Face dataset ``THU-KEG/RM-Bench`` (split ``train``: the repository's ``total_dataset.json``, each row with a
``domain`` of ``chat``, ``code``, ``math``, ``safety-refuse`` or ``safety-response``) with ``datasets`` (cached by the
library).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..files import iter_json_list
from ..protocols import Pairwise, Pointwise, get_reducer
from ..schema import BestOf, Decision, Item, ItemResult, Judgment, Response
from . import Benchmark, register_benchmark

logger = logging.getLogger(__name__)

REPO = "THU-KEG/RM-Bench"
COMMIT = "73c52d7b27b361621361ec959ac6c0eb9bb7a689"
HF_ID = "THU-KEG/RM-Bench"
HF_SPLIT = "train"
RM_BENCH_DIR_ENV = "JUDGEBENCH_RM_BENCH_DIR"

DOMAINS = ("chat", "math", "code", "safety")
"""Upstream's domains, in ``split_dataset_by_domain``'s order (a file or row domain belongs to the first it starts with)."""
FILE_DOMAINS = ("chat", "code", "math", "safety-refuse", "safety-response")
"""The released files' domains (``<domain>_filtered.json``); the safety files are sub-domains of ``safety``."""
STYLES = ("concise", "detailed", "detailed with Markdown")
SIZE = len(STYLES)

SPLIT_FILES: dict[str, tuple[str, ...]] = {
    "chat": ("chat",),
    "code": ("code",),
    "safety": ("safety-refuse", "safety-response"),
    "safety-refuse": ("safety-refuse",),
    "safety-response": ("safety-response",),
    "math": ("math",),
    "all": ("chat", "math", "code", "safety-refuse", "safety-response"),
}
SIZES = {"chat": 129, "code": 228, "safety": 441, "safety-refuse": 284, "safety-response": 157}
"""Items per split, counted from the released files; math (and so ``all``) is not counted here: its file is hub-only."""
"""Items per split: counted from the released files (math: the paper's Table 1, its file is not in the shared copy)."""

FIELDS = ("id", "prompt", "chosen", "rejected")


def domain_of(name: str) -> str:
    """The RM-Bench domain of a file or row domain (``safety-refuse`` -> ``safety``), by prefix as upstream groups
    them; other names are kept as they are (``Other`` when empty)."""
    for d in DOMAINS:
        if name.startswith(d):
            return d
    return name.strip() or "Other"


# ---------------------------------------------------------------------------------------------------------------
# the rule


Score = float | None


@dataclass(frozen=True)
class DomainScore:
    """One domain's 3x3 accuracy matrix (shares in [0, 1]; rows chosen, columns rejected, in ``STYLES`` order)
    over ``n`` prompts."""

    matrix: tuple[tuple[float, ...], ...]
    n: int

    @property
    def hard(self) -> float:
        """The mean of the upper-right triangle (i < j)."""
        return sum(self.matrix[i][j] for i in range(SIZE) for j in range(SIZE) if i < j) / (SIZE * (SIZE - 1) / 2)

    @property
    def normal(self) -> float:
        """The mean of the diagonal."""
        return sum(self.matrix[i][i] for i in range(SIZE)) / SIZE

    @property
    def easy(self) -> float:
        """The mean of the lower-left triangle (i > j)."""
        return sum(self.matrix[i][j] for i in range(SIZE) for j in range(SIZE) if i > j) / (SIZE * (SIZE - 1) / 2)

    @property
    def score(self) -> float:
        """The domain's score: the mean of hard, normal and easy (= the mean of the nine cells)."""
        return (self.hard + self.normal + self.easy) / 3


@dataclass(frozen=True)
class RMBenchScore:
    """RM-Bench's numbers for a set of domains (shares in [0, 1])."""

    domains: dict[str, DomainScore]

    def _mean(self, values: list[float]) -> float:
        return sum(values) / len(values) if values else float("nan")

    @property
    def overall(self) -> float:
        """The mean of the domains' scores."""
        return self._mean([d.score for d in self.domains.values()])

    @property
    def hard(self) -> float:
        return self._mean([d.hard for d in self.domains.values()])

    @property
    def normal(self) -> float:
        return self._mean([d.normal for d in self.domains.values()])

    @property
    def easy(self) -> float:
        return self._mean([d.easy for d in self.domains.values()])


def accuracy_matrix(prompts: Iterable[tuple[Sequence[Score], Sequence[Score]]]) -> DomainScore:
    """The 3x3 matrix over ``prompts``, each ``(chosen scores, rejected scores)`` in ``STYLES`` order: ``M[i][j]``
    is the share of prompts with ``chosen[i] > rejected[j]`` (strict); a ``None`` score wins no comparison.

    Raises:
        ValueError: for a prompt without three chosen and three rejected scores, or no prompts at all.
    """
    counts = [[0] * SIZE for _ in range(SIZE)]
    n = 0
    for chosen, rejected in prompts:
        if len(chosen) != SIZE or len(rejected) != SIZE:
            raise ValueError(f"an RM-Bench prompt has {SIZE} chosen and {SIZE} rejected scores, got {len(chosen)} and {len(rejected)}")
        n += 1
        for i, c in enumerate(chosen):
            for j, r in enumerate(rejected):
                if c is not None and r is not None and c > r:
                    counts[i][j] += 1
    if n == 0:
        raise ValueError("no prompts to score")
    return DomainScore(tuple(tuple(c / n for c in row) for row in counts), n)


def prompt_credit(chosen: Sequence[Score], rejected: Sequence[Score]) -> float:
    """One prompt's share of the 9 cells it wins (``chosen[i] > rejected[j]``, strict; a ``None`` score wins none):
    a domain's score (the mean of its matrix's 9 cells) is the mean of its prompts' credits."""
    return sum(c is not None and r is not None and c > r for c in chosen for r in rejected) / (len(chosen) * len(rejected))


def rm_bench_rule(by_domain: Mapping[str, Sequence[tuple[Sequence[Score], Sequence[Score]]]]) -> RMBenchScore:
    """RM-Bench's rule over prompts grouped by domain (names grouped by ``domain_of``; report order ``DOMAINS``,
    then others alphabetically)."""
    grouped: dict[str, list[tuple[Sequence[Score], Sequence[Score]]]] = {}
    for name, prompts in by_domain.items():
        grouped.setdefault(domain_of(name), []).extend(prompts)
    order = [d for d in DOMAINS if d in grouped] + sorted(set(grouped) - set(DOMAINS))
    return RMBenchScore({d: accuracy_matrix(grouped[d]) for d in order if grouped[d]})


def _score_value(value: Any, *, path: Path, index: int, field: str) -> Score:
    if isinstance(value, list) and len(value) == 1:  # run_rm.py unwraps these; older outputs kept [x]
        value = value[0]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"expected a number (or null), got {value!r:.40}", path=path, line=index, field=field)
    return float(value) if value == value else None  # NaN: no score


def _file_domain(path: Path) -> str:
    stem = path.name
    for d in sorted(FILE_DOMAINS, key=len, reverse=True):
        if stem.startswith(d):
            return domain_of(d)
    return "all"


def score_file_rows(path: str | Path) -> list[tuple[int, Any]]:
    """The units of an RM-Bench scores file as ``(unit number from 1, unit)``: a JSON list (what
    ``scripts/run_rm.py`` writes) or JSONL (one unit a line; the number is the line).

    Raises:
        InputError: for a missing or unreadable file, or broken JSON (file, line).
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.is_file() else None
    if text is None:
        raise InputError("no such file", path=path)
    rows: list[tuple[int, Any]]
    if text.lstrip().startswith("["):
        rows = list(iter_json_list(path, what="RM-Bench scores file"))
    else:
        rows = []
        for k, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append((k, json.loads(line)))
                except json.JSONDecodeError as e:
                    raise InputError(f"not JSON: {e.msg}", path=path, line=k) from None
    return rows


def unit_scores(unit: Any, *, path: str | Path, index: int) -> tuple[list[Score], list[Score]]:
    """One unit's ``(score_chosen, score_rejected)``, three each (``None``: no score).

    Raises:
        InputError: for a unit that is no object or lacks either list of three numbers (file, unit, field).
    """
    if not isinstance(unit, dict):
        raise InputError(f"expected an object, got {type(unit).__name__}", path=path, line=index)
    scores = []
    for key in ("score_chosen", "score_rejected"):
        values = unit.get(key)
        if not isinstance(values, list) or len(values) != SIZE:
            raise InputError(f"expected a list of {SIZE} scores, got {values!r:.60}", path=path, line=index, field=key)
        scores.append([_score_value(v, path=Path(path), index=index, field=f"{key}[{k}]") for k, v in enumerate(values)])
    return scores[0], scores[1]


def rm_bench_scores(path: str | Path, *, domain: str | None = None) -> RMBenchScore:
    """RM-Bench's numbers from the per-item scores upstream's ``scripts/run_rm.py`` (or ``run_dpo.py``) writes: a
    JSON list (or JSONL) of units, each with ``score_chosen`` [3] and ``score_rejected`` [3] (``null`` or NaN: no
    score, wrong in every cell). Units with a ``domain`` (a run on ``total_dataset.json``) are grouped by it; the
    others under ``domain``, else the domain the file name starts with (``chat_filtered_<model>_...json``), else
    ``all``.

    Raises:
        InputError: for an unreadable file or a malformed unit (file, unit, field).
    """
    path = Path(path)
    rows = score_file_rows(path)
    fallback = domain or _file_domain(path)
    by_domain: dict[str, list[tuple[list[Score], list[Score]]]] = {}
    for index, unit in rows:
        chosen, rejected = unit_scores(unit, path=path, index=index)
        named = unit.get("domain")
        name = named if isinstance(named, str) else fallback
        by_domain.setdefault(name, []).append((chosen, rejected))
    if not by_domain:
        raise InputError("no scored units", path=path)
    return rm_bench_rule(by_domain)


def item_cells(result: ItemResult, rule: str) -> tuple[tuple[bool, ...], ...] | None:
    """A result judged pairwise as its 3x3 cells: ``cells[i][j]`` is True when the verdicts on (chosen ``i``,
    rejected ``j``), reduced by ``rule`` in the frame "chosen is A", prefer the chosen response; ``None`` when the
    result has no pairwise judgment or is not an RM-Bench item (six responses)."""
    if len(result.item.responses) != 2 * SIZE or not result.judgments or any(len(j.shown) != 2 for j in result.judgments):
        return None
    pred = Pairwise().combine(result.item, result.judgments)  # reads each shown pair, whatever the run's pairs option
    reducer = get_reducer(rule)
    pairs = {frozenset(j.shown) for j in result.judgments}
    out = []
    for i in range(SIZE):
        row = []
        for j in range(SIZE):
            verdicts = pred.of(i, SIZE + j) if frozenset((i, SIZE + j)) in pairs else ()
            row.append(bool(verdicts) and reducer.verdict(verdicts) == 1.0)
        out.append(tuple(row))
    return tuple(out)


def cells_matrix(prompts: Sequence[tuple[tuple[bool, ...], ...]]) -> DomainScore:
    """The 3x3 matrix over prompts given as cells (:func:`item_cells`): ``M[i][j]`` = the share of prompts whose
    cell ``(i, j)`` is won."""
    n = len(prompts)
    if n == 0:
        raise ValueError("no prompts to score")
    return DomainScore(tuple(tuple(sum(p[i][j] for p in prompts) / n for j in range(SIZE)) for i in range(SIZE)), n)


def item_scores(result: ItemResult) -> tuple[list[Score], list[Score]] | None:
    """The six responses' scores of a result judged pointwise, as ``(chosen, rejected)`` (``None`` for a response
    without a score), or ``None`` when it was judged otherwise or is not an RM-Bench item (six responses)."""
    if len(result.item.responses) != 2 * SIZE:
        return None
    pointwise = result.protocol.startswith("pointwise") or (
        not result.protocol and bool(result.judgments) and all(j.view is not None and len(j.view) == 1 for j in result.judgments)
    )
    if not pointwise:
        return None
    pred = Pointwise().combine(result.item, result.judgments)
    scores = [pred.mean(i) for i in range(2 * SIZE)]
    return scores[:SIZE], scores[SIZE:]


def _pairwise_details(by_domain: dict[str, list[tuple[tuple[bool, ...], ...]]], skipped: int, rule: str) -> dict[str, Any]:
    """RM-Bench's numbers from a pairwise judge's cells (module docstring)."""
    from ..metrics.stats import stratified_mean_ci

    order = [d for d in DOMAINS if d in by_domain] + sorted(set(by_domain) - set(DOMAINS))
    score = RMBenchScore({d: cells_matrix(by_domain[d]) for d in order})
    note = (
        "RM-Bench (scripts/utils.py compute_accuracy @ 73c52d7) from a pairwise judge: M[i][j] = share of prompts whose "
        f"verdicts on (chosen_i, rejected_j), reduced by the {rule!r} rule, prefer chosen_i (a tie or no decision is wrong, "
        "as upstream's strict >); hard = i<j, normal = i=j, easy = i>j; a domain = the mean of its 9 cells; overall = the "
        "mean of the domains."
    )
    if skipped:
        note += f" {skipped} result(s) were not judged pairwise on six responses and are left out."
    if set(score.domains) != set(DOMAINS):
        note += f" Domains present: {', '.join(score.domains)}; the published overall averages all four ({', '.join(DOMAINS)})."
    credits = {d: [sum(map(sum, cells)) / SIZE**2 for cells in by_domain[d]] for d in order}
    _, interval = stratified_mean_ci(credits)
    return _details_dict(score, note, interval)


def _details_dict(score: RMBenchScore, note: str, interval: Any) -> dict[str, Any]:
    domains = list(score.domains)
    rows: list[dict[str, Any]] = [{"name": d, "value": 100 * s.score, "n": s.n} for d, s in score.domains.items()]
    rows += [
        {"name": "hard (chosen plainer than rejected; mean of the domains)", "value": 100 * score.hard, "n": len(domains)},
        {"name": "normal (same style; mean of the domains)", "value": 100 * score.normal, "n": len(domains)},
        {"name": "easy (chosen more styled than rejected; mean of the domains)", "value": 100 * score.easy, "n": len(domains)},
    ]
    missing = [d for d in DOMAINS if d not in score.domains]
    name = "Overall (RM-Bench, mean of the domains)" if not missing else f"Overall (RM-Bench, mean of {len(domains)} of {len(DOMAINS)} domains: no {', '.join(missing)})"
    return {
        "headline": {
            "name": name,
            "value": 100 * score.overall,
            "ci_low": 100 * interval.low if interval else None,
            "ci_high": 100 * interval.high if interval else None,
        },
        "rows": rows,
        "note": note,
        "matrices": {d: [[100 * x for x in row] for row in s.matrix] for d, s in score.domains.items()},
    }


def details(results: Sequence[ItemResult], metrics: Any, rule: str) -> dict[str, Any]:
    """RM-Bench's own numbers (percent): overall (the mean of the domains), each domain (the mean of its 3x3 matrix)
    and hard / normal / easy (each the mean over the domains), with the matrices under ``matrices``."""
    by_domain: dict[str, list[tuple[list[Score], list[Score]]]] = {}
    by_domain_cells: dict[str, list[tuple[tuple[bool, ...], ...]]] = {}
    skipped = 0
    for r in results:
        got = item_scores(r)
        cells = item_cells(r, rule) if got is None else None
        if got is None and cells is None:
            skipped += 1
            continue
        domain = domain_of(r.item.category or r.item.source)
        if got is not None:
            by_domain.setdefault(domain, []).append(got)
        elif cells is not None:
            by_domain_cells.setdefault(domain, []).append(cells)
    if by_domain_cells:
        return _pairwise_details(by_domain_cells, skipped + sum(map(len, by_domain.values())), rule)
    note = (
        "RM-Bench (scripts/utils.py compute_accuracy @ 73c52d7): per domain, M[i][j] = share of prompts with "
        "score(chosen_i) > score(rejected_j), strict (a tie is wrong; a missing score is wrong in every cell it touches); "
        "hard = i<j, normal = i=j, easy = i>j; a domain = the mean of its 9 cells; safety pools safety-refuse and "
        "safety-response; overall = the mean of the domains."
    )
    if skipped:
        note += f" {skipped} result(s) had no per-response scores (not judged pointwise, or not six responses) and are left out."
    if not by_domain:
        return {"headline": {"name": "Overall (RM-Bench, mean of the domains)", "value": None, "ci_low": None, "ci_high": None}, "rows": [], "note": note}
    score = rm_bench_rule(by_domain)
    domains = list(score.domains)
    if set(domains) != set(DOMAINS):
        note += f" Domains present: {', '.join(domains)}; the published overall averages all four ({', '.join(DOMAINS)})."
    from ..metrics.stats import stratified_mean_ci

    # 95% CI of the overall: prompts resampled within each domain (the overall is the unweighted mean of the domains,
    # each the mean of its prompts' 9-cell credits)
    credits: dict[str, list[float]] = {}
    for name, prompts in by_domain.items():
        credits.setdefault(domain_of(name), []).extend(prompt_credit(c, r) for c, r in prompts)
    _, interval = stratified_mean_ci(credits)
    return _details_dict(score, note, interval)


# ---------------------------------------------------------------------------------------------------------------
# loading


def _text(value: Any, *, path: str | Path, index: int, field: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"expected a string, got {type(value).__name__}", path=path, line=index, field=field)
    return value


def row_to_item(row: dict[str, Any], *, file_domain: str, index: int, path: str | Path) -> Item:
    """One validated row of a ``<file_domain>_filtered.json`` file (or a hub row with that ``domain``) as an item.

    Raises:
        InputError: naming ``path``, the row (1-based) and the field that is missing or malformed.
    """
    for name in FIELDS:
        if row.get(name) is None:
            raise InputError(f"missing required field (an RM-Bench row needs {', '.join(FIELDS)})", path=path, line=index, field=name)
    uid = row["id"]
    if isinstance(uid, bool) or not isinstance(uid, str | int) or str(uid) == "":
        raise InputError(f"expected a non-empty id, got {uid!r}", path=path, line=index, field="id")
    responses = []
    for key in ("chosen", "rejected"):
        values = row[key]
        if not isinstance(values, list) or len(values) != SIZE:
            raise InputError(f"expected a list of {SIZE} responses ({', '.join(STYLES)}), got {values!r:.60}", path=path, line=index, field=key)
        responses += [Response(_text(v, path=path, index=index, field=f"{key}[{k}]"), id=f"{key}_{k + 1}") for k, v in enumerate(values)]
    subset = row.get("subset")
    return Item(
        id=f"{file_domain}/{uid}",
        prompt=_text(row["prompt"], path=path, index=index, field="prompt"),
        responses=tuple(responses),
        target=BestOf(tuple(range(SIZE))),
        category=domain_of(file_domain),
        source=file_domain,
        original_id=str(uid),
        metadata={"subset": subset} if isinstance(subset, str) else {},
    )


def data_root(data_dir: Path) -> Path:
    """The folder holding the ``*_filtered.json`` files: ``data_dir/data`` (a checkout) or ``data_dir``."""
    return data_dir / "data" if (data_dir / "data" / "chat_filtered.json").is_file() else data_dir


def read_file(path: Path, file_domain: str) -> list[Item]:
    """The items of one ``<file_domain>_filtered.json`` file."""
    return [row_to_item(row, file_domain=file_domain, index=i, path=path) for i, row in iter_json_list(path, what="RM-Bench file")]


def load_hub(file_domains: Sequence[str]) -> list[Item]:
    """The items of ``file_domains`` from the Hugging Face dataset (its rows' ``domain``), in that order.

    Raises:
        InputError: when it cannot be loaded (offline), saying where to put a local copy.
    """
    from ..hub import load_hub_dataset

    ds = load_hub_dataset(HF_ID, hint=f"Offline? Put a copy of {REPO}'s data/ folder in ${RM_BENCH_DIR_ENV}, $JUDGEBENCH_DATA_DIR/rm-bench (or rm_bench) or --data-dir", split=HF_SPLIT)
    by_domain: dict[str, list[Item]] = {d: [] for d in file_domains}
    where = f"hf:{HF_ID}:{HF_SPLIT}"
    for i, row in enumerate(ds, start=1):
        d = row.get("domain")
        if d in by_domain:
            by_domain[d].append(row_to_item(dict(row), file_domain=d, index=i, path=where))
    return [item for d in file_domains for item in by_domain[d]]


def load(split: str, data_dir: Path | None) -> list[Item]:
    """The items of ``split``: from the local copy's files when given (math, when its file is absent, from the hub
    for the ``math`` split; the ``all`` split warns and goes without it), else from the hub.

    Raises:
        InputError: for an unknown split, a local copy without the split's files, a malformed row, or a failed
            hub load.
    """
    if split not in SPLIT_FILES:
        raise InputError(f"unknown rm_bench split {split!r}; use one of: {', '.join(f'rm_bench:{x}' for x in SPLIT_FILES)}", path=f"rm_bench:{split}")
    wanted = SPLIT_FILES[split]
    if data_dir is None:
        return load_hub(wanted)
    root = data_root(Path(data_dir))
    present = [d for d in wanted if (root / f"{d}_filtered.json").is_file()]
    missing = [d for d in wanted if d not in present]
    if not present:
        if wanted == ("math",):
            logger.info("this RM-Bench copy has no math_filtered.json; loading math from the hub (%s)", HF_ID)
            return load_hub(wanted)
        raise InputError(f"no RM-Bench file {', '.join(f'{d}_filtered.json' for d in wanted)} in this folder (expected a copy of {REPO}'s data/)", path=root)
    if missing:
        logger.warning("this RM-Bench copy lacks %s; rm_bench:%s goes without it (rm_bench:math loads math from the hub)", ", ".join(f"{d}_filtered.json" for d in missing), split)
    items: list[Item] = []
    for d in present:
        items.extend(read_file(root / f"{d}_filtered.json", d))
    return items


def _reward_judgment(score: Score, k: int) -> Judgment:
    if score is None:
        return Judgment(Decision.NONE, game=k + 1, view=(k,), score_kind="reward", error="no score in the file (null or NaN)")
    return Judgment(Decision.NONE, game=k + 1, view=(k,), rating=score, score_kind="reward", output=f"score={score:.6g}")


def score_file_results(path: str | Path, data_dir: Path | None = None, *, domain: str | None = None, model: str = "") -> list[ItemResult]:
    """The per-item scores of an RM-Bench scores file (``rm_bench_scores``'s input: what upstream's
    ``scripts/run_rm.py`` @ 73c52d7 writes, the data file's units each with ``score_chosen`` [3] and
    ``score_rejected`` [3]) as results judged pointwise: six judgments per item, view ``(k,)`` for response ``k``
    (chosen 1-3, then rejected 1-3), the score as ``rating`` with ``score_kind="reward"`` (a missing score: a failed
    judgment). The items are built from the units themselves (``row_to_item``: they carry ``prompt``, ``chosen``,
    ``rejected``), grouped as ``rm_bench_scores`` groups them (the unit's ``domain``, else ``domain``, else the file
    name's); units without the texts are matched by ``<domain>/<id>`` against ``load(domain, data_dir)`` (the local
    copy, else the hub). The ``rm_bench`` benchmark's ``details`` on these results are ``rm_bench_scores(path)``.

    Raises:
        InputError: for an unreadable file, a malformed unit, a duplicate item, or an id the local copy lacks
            (file, unit, field).
    """
    path = Path(path)
    fallback = domain or _file_domain(path)
    local: dict[str, dict[str, Item]] = {}
    out: list[ItemResult] = []
    seen: set[str] = set()
    for index, unit in score_file_rows(path):
        chosen, rejected = unit_scores(unit, path=path, index=index)
        named = unit.get("domain")
        file_domain = named if isinstance(named, str) else fallback
        if all(unit.get(k) is not None for k in FIELDS):
            item = row_to_item(unit, file_domain=file_domain, index=index, path=path)
        else:
            if "id" not in unit:
                raise InputError("missing required field (a unit needs its id, or its texts: id, prompt, chosen, rejected)", path=path, line=index, field="id")
            if file_domain not in local:
                if file_domain not in SPLIT_FILES:
                    raise InputError(f"units without their texts are matched against RM-Bench's files by domain; this file names none (unit 'domain', or a file name starting with one of {', '.join(FILE_DOMAINS)})", path=path, line=index, field="domain")
                local[file_domain] = {it.id: it for it in load(file_domain, data_dir)}
            found = local[file_domain].get(f"{file_domain}/{unit['id']}")
            if found is None:
                raise InputError(f"no RM-Bench {file_domain} item with id {unit['id']!r} in the benchmark's copy", path=path, line=index, field="id")
            item = found
        if item.id in seen:
            raise InputError(f"duplicate item {item.id!r}", path=path, line=index, field="id")
        seen.add(item.id)
        judgments = tuple(_reward_judgment(s, k) for k, s in enumerate([*chosen, *rejected]))
        out.append(ItemResult(item, "rm-bench:run_rm.py", model, judgments, protocol="pointwise(samples=1)"))
    if not out:
        raise InputError("no scored units", path=path)
    return out


BENCHMARK = register_benchmark(
    Benchmark(
        name="rm_bench",
        description="3 chosen x 3 rejected responses per prompt in three styles; hard/normal/easy accuracy from the 3x3 matrix (chat, code, math, safety)",
        source=f"hf:{HF_ID} (github:{REPO} data/ @ {COMMIT[:7]})",
        citation=(
            "Liu et al. 2025, RM-Bench: Benchmarking Reward Models of Language Models with Subtlety and Style (ICLR 2025), arXiv 2410.16184; "
            f"rule: {REPO} scripts/utils.py compute_accuracy and README 'Clarity on Avg Calculation' @ {COMMIT[:7]}"
        ),
        load=load,
        splits=tuple(SPLIT_FILES),
        default_split="all",
        size=dict(SIZES),
        protocol=("pointwise", {}),
        rule="vote",
        metrics=("best_of_accuracy",),
        categories=DOMAINS,
        category_of=domain_of,
        data_env=RM_BENCH_DIR_ENV,
        details=details,
    )
)
