"""Benchmarks: where each one's data lives, how its rows become items, its default protocol and its scoring rule.

A benchmark is one module in this package that calls ``register_benchmark`` at import; modules are discovered with
``pkgutil`` on first use (as judges are), so adding one edits nothing else. ``load_items`` resolves what a user
passes as ``--data`` / ``--benchmark``:

* ``NAME`` or ``NAME:SPLIT`` of a registered benchmark (``judgebench:gpt``, ``llmbar``, ``llmbar:natural``): its
  module loads it from a local copy (``data_dir``, its own environment variable, or ``$JUDGEBENCH_DATA_DIR/<name>``)
  or, without one, from its public source (a Hugging Face id);
* anything else: the generic loader (``local.py``): a pair file or folder (JSONL / JSON / Parquet / gzip) in
  today's pair format, or ``hf:OWNER/NAME[:SPLIT]``.

Every loader error names the file, the line (row) and the field.
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._plugins import import_own_module
from ..errors import InputError, JudgebenchError
from ..protocols import JudgingProtocol, get_protocol
from ..schema import Item, Pair

if TYPE_CHECKING:
    from .local import FieldMap

logger = logging.getLogger(__name__)

DATA_DIR_ENV = "JUDGEBENCH_DATA_DIR"
"""A folder holding offline copies of benchmarks, one sub-folder per benchmark name (``$JUDGEBENCH_DATA_DIR/llmbar``)."""


def data_root() -> Path | None:
    """Where offline copies of benchmarks are looked for, the same from ``make`` and from the command line:
    ``$JUDGEBENCH_DATA_DIR`` when set (set but empty: nowhere, every benchmark loads from its source), else
    ``../shared/data`` beside the checkout the package runs from (the folder the Makefile points at) when it
    exists, else nowhere."""
    value = os.environ.get(DATA_DIR_ENV)
    if value is not None:
        return Path(value) if value.strip() else None
    checkout = Path(__file__).resolve().parents[2]
    beside = checkout.parent / "shared" / "data"
    return beside if (checkout / "pyproject.toml").is_file() and beside.is_dir() else None


@dataclass(frozen=True)
class Benchmark:
    """A registered benchmark.

    Attributes:
        name: the registry name (``judgebench``, ``llmbar``).
        description: one line for ``judgebench benchmarks``.
        source: where users get it (a Hugging Face id or a repository), shown by ``judgebench benchmarks``.
        citation: the paper (arXiv id) and the upstream code whose rule is implemented (repository, file, commit).
        splits: the names accepted after ``NAME:`` (empty: none); ``default_split`` is used for a bare ``NAME``.
        size: the number of items of each split, as published (for ``judgebench benchmarks``).
        protocol: the default protocol, as a registry name and options (``("pairwise", {"orders": "both"})``).
        rule: the default reducer (``vote``, ``average``, ...; see ``judgebench.protocols.REDUCERS``).
        metrics: the metrics the benchmark reports, in order (``accuracy``, ``position_consistency``, ...).
        categories: the categories (sections, subsets) in report order; others follow alphabetically.
        load: ``load(split, data_dir)`` -> items; ``data_dir`` is a local copy or ``None`` (then the public source).
        category_of: the category of an item from its ``source`` (for results written before items carried one).
        suite_splits: the splits ``judgebench suite`` runs for a bare ``NAME``, by judge kind (``pairwise``,
            ``pointwise``, ``listwise``), when they differ from ``default_split``: Prometheus' rated sets for a
            pointwise judge, its ``hhh_alignment`` pairs for a pairwise one.
        details: the benchmark's own rule on top of the generic scores, ``details(results, metrics, rule)`` -> a
            JSON-able dict stored as ``RunMetrics.extra["benchmark"]`` and printed by ``bench`` and ``score``:
            ``{"headline": {"name", "value", "ci_low", "ci_high"}, "rows": [{"name", "value", "n"[, "digits"]}, ...],
            "note"}`` (values in percent unless a row gives its ``digits``: a kappa or a correlation, ``"digits": 3``;
            a headline that is not a percentage says ``"percent": false``)
            (RewardBench's weighted sections, RM-Bench's 3x3 matrix, JudgeBench's macro average); ``None``: the
            generic scores are the benchmark's.
    """

    name: str
    description: str
    source: str
    citation: str
    load: Callable[[str, Path | None], list[Item]]
    splits: tuple[str, ...] = ()
    default_split: str = ""
    size: dict[str, int] = field(default_factory=dict)
    protocol: tuple[str, dict[str, Any]] = ("pairwise", {"orders": "both"})
    rule: str = "vote"
    metrics: tuple[str, ...] = ("accuracy", "position_consistency")
    categories: tuple[str, ...] = ()
    category_of: Callable[[str], str] | None = None
    data_env: str | None = None
    details: Callable[..., dict[str, Any]] | None = None
    suite_splits: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def default_protocol(self) -> JudgingProtocol:
        """The protocol this benchmark is judged with unless the user chooses another."""
        name, options = self.protocol
        return get_protocol(name, **options)

    def protocol_text(self) -> str:
        """The default protocol as ``name(option=value, ...)``."""
        name, options = self.protocol
        return f"{name}({', '.join(f'{k}={v}' for k, v in options.items())})" if options else name

    def to_dict(self) -> dict[str, Any]:
        """Everything ``judgebench benchmarks --json`` shows about this benchmark."""
        name, options = self.protocol
        return {
            "name": self.name,
            "description": self.description,
            "splits": [{"name": s, "size": self.size.get(s), "default": s == self.default_split} for s in self.splits],
            "default_split": self.default_split,
            "source": self.source,
            "data_env": self.data_env,
            "protocol": {"name": name, "options": dict(options)},
            "rule": self.rule,
            "metrics": list(self.metrics),
            "categories": list(self.categories),
            "citation": self.citation,
            "local_copy": str(copy) if (copy := self.local_copy(None)) is not None else None,
        }

    def describe(self) -> str:
        """This benchmark as ``judgebench benchmarks`` prints it: name and description, then one line each for its
        splits (with sizes), source and offline copies, protocol, rule and metrics, categories and citation."""
        splits = ", ".join(f"{self.name}:{s} ({self.size[s]})" if s in self.size else f"{self.name}:{s}" for s in self.splits)
        lines = [
            f"{self.name}  {self.description}",
            f"  splits:    {splits or '-'}" + (f"; default {self.name}:{self.default_split}" if self.default_split else ""),
            f"  source:    {self.source} (offline copy: --data-dir, {'$' + self.data_env + ', ' if self.data_env else ''}{' or '.join(f'${DATA_DIR_ENV}/{f}' for f in self.folder_names())})",
            f"  local copy: {copy if (copy := self.local_copy(None)) is not None else 'none found (loads from the source)'}",
            f"  protocol:  {self.protocol_text()}; rule {self.rule}; metrics {', '.join(self.metrics)}",
        ]
        if self.categories:
            lines.append(f"  categories: {', '.join(self.categories)}")
        lines.append(f"  citation:  {self.citation}")
        return "\n".join(lines) + "\n"

    def ordered(self, names: Sequence[str]) -> list[str]:
        """``names`` in report order: this benchmark's categories first, then the others alphabetically."""
        present = set(names)
        return [c for c in self.categories if c in present] + sorted(present - set(self.categories))

    def local_copy(self, data_dir: str | Path | None) -> Path | None:
        """The folder of this benchmark's offline copy: ``data_dir``, else ``$<data_env>``, else ``<data root>/<name>``
        (:func:`data_root`: ``$JUDGEBENCH_DATA_DIR``, else ``../shared/data`` beside the checkout; the name with
        ``-`` for ``_`` too: ``rm-bench``) when it exists; ``None``: load from the public source."""
        if data_dir:
            return Path(data_dir)
        if self.data_env and os.environ.get(self.data_env):
            return Path(os.environ[self.data_env])
        root = data_root()
        if root is not None:
            for folder in self.folder_names():
                if (Path(root) / folder).exists():
                    return Path(root) / folder
        return None

    def folder_names(self) -> tuple[str, ...]:
        """The names this benchmark's offline copy may have under the data root, in the order they are looked for:
        its name, then the name with ``-`` for ``_`` (``auto_j``, ``auto-j``; the name alone when it has no ``_``)."""
        return tuple(dict.fromkeys((self.name, self.name.replace("_", "-"))))


_REGISTRY: dict[str, Benchmark] = {}
_discovered = False


def register_benchmark(benchmark: Benchmark) -> Benchmark:
    """Register ``benchmark`` under its name (called by each benchmark module at import).

    Raises:
        ValueError: when another benchmark already has the name.
    """
    if benchmark.name in _REGISTRY and _REGISTRY[benchmark.name] is not benchmark:
        raise ValueError(f"benchmark {benchmark.name!r} is registered twice")
    _REGISTRY[benchmark.name] = benchmark
    return benchmark


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_") and mod.name != "local":
            importlib.import_module(f"{__name__}.{mod.name}")
    _discovered = True


def _lookup(name: str) -> Benchmark | None:
    """The benchmark ``name``, importing only its own module (``benchmarks/<name>.py``, the usual place) before
    discovering every module: a command that needs one benchmark does not import the others."""
    if name not in _REGISTRY and not _discovered and name != "local":
        import_own_module(__name__, name)
    if name not in _REGISTRY:
        _discover()
    return _REGISTRY.get(name)


def list_benchmarks() -> list[Benchmark]:
    """Every registered benchmark, sorted by name."""
    _discover()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def get_benchmark(name: str) -> Benchmark:
    """The benchmark registered as ``name``.

    Raises:
        JudgebenchError: for an unknown name, listing the known ones.
    """
    found = _lookup(name)
    if found is None:
        raise JudgebenchError(f"unknown benchmark {name!r}; `judgebench benchmarks` lists them: {', '.join(sorted(_REGISTRY))}")
    return found


FALLBACK_BENCHMARK = "judgebench"
"""The benchmark whose category rule and order apply to results that name none (runs written before benchmarks
were recorded, JudgeBench's released files, generic pair files): JudgeBench's source-prefix rule groups any
other source by its prefix."""


def fallback_benchmark() -> Benchmark:
    """The benchmark named ``FALLBACK_BENCHMARK``."""
    return get_benchmark(FALLBACK_BENCHMARK)


def find_benchmark(source: str | Path) -> tuple[Benchmark, str] | None:
    """The registered benchmark and split a ``--data`` value names (``judgebench:gpt`` -> judgebench, ``gpt``), or
    ``None`` for a file, a folder or ``hf:NAME``. A bare registered name is the benchmark even when a folder of that
    name is in the working directory (write ``./judgebench`` for the folder).

    Raises:
        InputError: for a registered name with an unknown split.
    """
    s = str(source)
    if s.startswith("hf:") or "/" in s or "\\" in s:
        return None
    name, _, split = s.partition(":")
    bench = _lookup(name)
    if bench is None:
        return None
    split = split or bench.default_split
    if bench.splits and split not in bench.splits:
        raise InputError(f"unknown {name} split {split!r}; use one of: {', '.join(f'{name}:{x}' for x in bench.splits)}", path=s)
    return bench, split


@dataclass(frozen=True)
class LoadedData:
    """Items loaded for a run, with the benchmark they belong to (``None`` for a generic file or hub dataset)."""

    source: str
    items: list[Item]
    benchmark: Benchmark | None = None
    split: str = ""


def load_items(source: str | Path, *, data_dir: str | Path | None = None, limit: int | None = None, fields: FieldMap | None = None) -> LoadedData:
    """Load validated items from a registered benchmark (``NAME[:SPLIT]``), a pair file or folder, or
    ``hf:NAME[:SPLIT]``.

    Args:
        source: what to load (see the module docstring).
        data_dir: a local copy of the benchmark (overrides its environment variable).
        limit: keep only the first ``limit`` items.
        fields: for a file, folder or ``hf:`` source, which of its columns hold the pair fields
            (``local.FieldMap``); a registered benchmark maps its own rows.

    Raises:
        InputError: for a missing or malformed source; the message names file, line and field.
    """
    from .local import read_pairs

    found = find_benchmark(source)
    if found is None:
        items = [Item.from_pair(p) for p in read_pairs(source, fields=fields)]
        loaded = LoadedData(str(source), items)
    else:
        bench, split = found
        if fields is not None and not fields.is_identity:
            raise InputError(f"--fields maps the columns of a file or hf: dataset; {bench.name} maps its own rows", field="--fields")
        items = bench.load(split, bench.local_copy(data_dir))
        if not items:
            raise InputError(f"no items found for {bench.name}:{split}", path=str(source))
        expected = bench.size.get(split)
        if expected is not None and expected != len(items):
            logger.warning("%s:%s has %d items here, but the published set has %d: this copy differs from the source (%s)", bench.name, split, len(items), expected, bench.source)
        loaded = LoadedData(str(source), items, bench, split)
    if limit:
        return LoadedData(loaded.source, loaded.items[:limit], loaded.benchmark, loaded.split)
    return loaded


def stream_items(source: str | Path, *, fields: FieldMap | None = None) -> Callable[[], Iterator[Item]] | None:
    """For a local pair file or folder (not a registered benchmark, not ``hf:``): a function that reads its items
    afresh as a stream each time it is called (validated row by row, a JSONL file line by line), so a run over a
    million pairs never holds them all; ``None`` for any other source (``load_items`` loads those whole).

    Iterating raises ``InputError`` as ``load_items`` would, at the row where the problem is found; a read after a
    complete one checks that the file is unchanged instead of validating it again (``local.PairStream``).
    """
    from .local import PairStream, local_pair_paths

    if find_benchmark(source) is not None:
        return None
    paths = local_pair_paths(source)
    if paths is None:
        return None
    return PairStream(paths, fields)


def load_pairs(source: str | Path, *, local_dir: str | Path | None = None, limit: int | None = None) -> list[Pair]:
    """Pairs (today's two-response format) from any source ``load_items`` reads whose items are pairs.

    Raises:
        InputError: for a missing or malformed source, or items that are not pairs (naming the first).
    """
    loaded = load_items(source, data_dir=local_dir, limit=limit)
    try:
        return [item.to_pair() for item in loaded.items]
    except ValueError as e:
        raise InputError(f"{e}; this source is not a set of pairs", path=str(source)) from None
