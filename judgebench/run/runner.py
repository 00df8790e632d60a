"""Run a judge over a benchmark's items under a protocol, concurrently, with resume, and write the results folder.

The protocol (``judgebench.protocols``; by default the benchmark's, e.g. pairwise in both orders) says which
views of each item the judge is shown; the executor judges every view; the benchmark's rule scores the results.

Layout: ``<results_dir>/<dataset>/<judge>/<model>/`` with ``judgments.jsonl`` (one line per item with every view's
judgment, raw outputs kept; ``schema.ItemResult``), ``metrics.json`` and ``run.json``. While a run is in progress,
finished items are appended to ``judgments.jsonl.partial``; the complete files are written atomically only at the
end, so a crashed run never leaves a file that parses as complete. Starting the same run again reuses every
successful judgment (from the complete file or the partial one) and redoes only failed or missing views.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from itertools import islice
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol

from .._collector import GC_THRESHOLDS
from ..analysis.scoring import RunMetrics, RunScorer, check_scorable
from ..benchmarks import Benchmark, load_items, stream_items
from ..benchmarks.local import FieldMap, PairStream
from ..errors import InputError, JudgebenchError, RunAborted
from ..files import atomic_write_json, atomic_write_lines, iter_jsonl, open_append_log, remove_stale_temporaries
from ..judges import AnyJudge, Judge, build_judge, get_judge_info
from ..protocols import JudgingProtocol, get_protocol, get_reducer
from ..schema import (
    NO_USAGE,
    SCHEMA_VERSION,
    BestOf,
    Decision,
    Item,
    ItemResult,
    Judgment,
    Pair,
    Preference,
    Ratings,
    Usage,
    response_models_label,
)
from ..secrets import holds_credentials, redact, redact_data, secret_values
from .background import Background
from .executors import WorkItem, get_executor
from .forked import Forked, can_fork
from .identity import DataIdentity, data_folder, dataset_name, item_set_sha256, pair_line, stream_identity
from .progress import Progress, RunBar
from .spec import RunSpec

logger = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".partial"

_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
"""``json.dumps(obj, ensure_ascii=False)`` without building an encoder per call: a result's line, the same text. A
result's ``to_dict`` is a tree (no object in it twice), so the encoder's cycle check is skipped: a fifth of the time
of encoding a 1 kB line (18 -> 14.6 us)."""

FLUSH_CALL_FREE_S = 0.2
"""Seconds between writes of the partial log while the items that finish made no call (a baseline judge): a run
killed with SIGKILL loses at most the call-free items of the last such stretch, which the same command redoes in
microseconds. Every item that made a call, failed or came from the call cache is written and flushed as it finishes
(with the lines before it); the lines waiting are written whenever the run stops otherwise (an error, Ctrl-C). The
waiting lines go out in one write of whole lines, never split at a buffer's edge."""


KEEP_RESULTS_MAX = 100_000
"""A run of at most this many items returns its results in memory (``RunOutcome.results`` is a tuple); a larger one
returns ``StoredResults``, which reads them back from ``judgments.jsonl`` each time it is iterated, so a million-pair
run never holds them all."""

WINDOW = 10_000
"""Items planned and judged at a time by a judge that needs no model or server (``JudgeInfo.backend == "none"``):
what a run holds at once besides its scores. Other judges get every item in one window, as before."""


@dataclass(frozen=True)
class RunOutcome:
    """What ``run`` returns: the results folder, the results in item order (a tuple for a run of at most
    ``KEEP_RESULTS_MAX`` items, else ``StoredResults`` read lazily from ``judgments.jsonl``), the scores and
    ``run.json``'s content."""

    out_dir: Path
    results: Sequence[ItemResult]
    metrics: RunMetrics
    run_info: dict[str, Any]


class StoredResults(Sequence[ItemResult]):
    """The results of a finished run read back from its ``judgments.jsonl`` on each iteration (one line at a time),
    for runs too large to hold: ``len`` is known, iteration streams, indexing reads up to the index."""

    def __init__(self, path: Path, n: int) -> None:
        self.path, self._n = path, n

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[ItemResult]:
        return (ItemResult.from_dict(row) for _, row in iter_jsonl(self.path, judgments=True))

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [r for i, r in enumerate(self) if i in range(*index.indices(self._n))]
        i = range(self._n)[index]
        return next(r for k, r in enumerate(self) if k == i)


def safe_name(text: str) -> str:
    """A folder-safe version of a model or judge name (``openai:gpt-4o`` -> ``openai_gpt-4o``)."""
    return re.sub(r"[^A-Za-z0-9._=@,+-]+", "_", text).strip("_") or "none"


def judge_label(spec: RunSpec) -> str:
    """The judge's folder name: its registry name, plus its options when given (``judgelm@bpc=true,mec_k=3``),
    so runs of one judge with different options never share (or resume from) one results folder. A judge from a
    file (``spec.judge_file``) is ``file:<name>@<hash of its resolved definition>``: editing its prompt, parser or
    generation parameters gives a new folder."""
    if spec.judge_file:
        from ..judges.from_file import file_label

        return file_label(spec.judge_file)
    if not spec.judge_options:
        return spec.judge
    opts = ",".join(f"{k}={json.dumps(v, sort_keys=True, separators=(',', ':')) if not isinstance(v, str) else v}" for k, v in sorted(spec.judge_options.items()))
    label = f"{spec.judge}@{opts}"
    # long options (a jury's member list) are summarised by a stable hash, and so are options that hold a credential
    # (a member's server URL with user:password@ or ?api-key=): a folder name is written everywhere a path is
    if len(label) > 120 or holds_credentials(opts):
        label = f"{spec.judge}@{hashlib.sha256(opts.encode()).hexdigest()[:12]}"
    return label


def run_label(spec: RunSpec, protocol_tag: str = "") -> str:
    """The judge's folder name and results label: ``judge_label`` plus the protocol when the run does not use its
    default one (``longer@orders=first``, ``vanilla@orders=random,seed=3``), so runs under different protocols
    never share (or resume from, or replace) one results folder."""
    label = judge_label(spec)
    if not protocol_tag:
        return label
    return f"{label},{protocol_tag}" if "@" in label else f"{label}@{protocol_tag}"


def protocol_tag(protocol: JudgingProtocol, default: JudgingProtocol) -> str:
    """``""`` when ``protocol`` is the run's default, else the options in which it differs from the default as
    ``key=value,...`` (``orders=first``, ``orders=random,seed=3``, ``pairs=all`` on a best-of-K benchmark whose
    default is ``target_vs_each``, ``rotations=2,seed=0``)."""
    if protocol.describe() == default.describe():
        return ""
    ours, theirs = (_options(p.describe()) for p in (protocol, default))
    return ",".join(part for part in ours if part not in theirs)


def _options(described: str) -> list[str]:
    """The ``key=value`` parts of a protocol's description (``pairwise(orders=both, pairs=all)``)."""
    inner = described.split("(", 1)[1].rstrip(")") if "(" in described else ""
    return [part.strip() for part in inner.split(",") if part.strip()]


def run_dir(spec: RunSpec, folder: str, protocol_tag: str = "") -> Path:
    """``<results_dir>/<folder>/<judge label>/<model>``: ``folder`` is the data's ``DataIdentity.folder``, which
    names the pairs' content, so different pair sets, or a ``--limit`` subset and the whole set, never share a
    folder."""
    return Path(spec.results_dir) / safe_name(folder) / safe_name(run_label(spec, protocol_tag)) / model_folder(spec.model or "none")


def model_folder(model: str) -> str:
    """The model's folder name (``safe_name``), or ``model-<hash>`` for a model name that holds a credential (a key
    given as the model by mistake): a folder name is written everywhere a path is."""
    return f"model-{hashlib.sha256(model.encode()).hexdigest()[:12]}" if holds_credentials(model) else safe_name(model)


def check_same_data(out_dir: Path, data: DataIdentity) -> None:
    """Refuse to reuse a results folder whose finished run judged other pairs.

    Only a named set (``judgebench:gpt``) can meet this: its folder keeps its readable name, so a different copy
    of it (another download, an edited local file) lands in the same folder. A ``run.json`` written before it
    recorded ``pairs`` is checked by the items its finished ``judgments.jsonl`` holds (their ``item_set_sha256``
    against the items to judge).

    Raises:
        InputError: naming the folder's ``run.json``, both hashes, and what to do.
    """
    path = out_dir / "run.json"
    if not path.exists():
        return
    try:
        old = json.loads(path.read_text(encoding="utf-8")).get("pairs") or {}
    except (OSError, ValueError, AttributeError):
        return  # unreadable or not an object: nothing finished to protect that previous_results could read either
    if not isinstance(old, dict):
        return
    if not old.get("judged_sha256") and (out_dir / "judgments.jsonl").is_file():
        finished = previous_results_file(out_dir / "judgments.jsonl")
        if finished is not None:
            old = {"judged_sha256": item_set_sha256(r.item for r in finished.values()), "judged": len(finished)}
    for key in ("set_sha256", "judged_sha256"):
        if old.get(key) not in (None, getattr(data, key)):
            raise InputError(
                f"this folder holds a finished run on other pairs than {data.source} has now ({key} {str(old[key])[:12]}..., "
                f"{old.get('judged', '?')} pairs; now {getattr(data, key)[:12]}..., {data.judged} pairs). Move the folder "
                "away (or pass another --results-dir) to keep both; nothing was written",
                path=path,
                field=f"pairs.{key}",
            )


SERVER_FILE = ".server.json"
"""Written into a results folder when a run starts: the normalised URL of the server that judges (``cache.endpoint_id``;
empty for a judge without a server), so that no later run against another server reuses or replaces its judgments."""


def check_same_server(out_dir: Path, server: str, *, refresh: bool) -> None:
    """Refuse to resume from, or replace, a results folder whose judgments came from another server; then record
    ``server`` in it.

    The folder is named by judge and model name, and one name can be served by two servers with different
    checkpoints (``--model openai:test`` on two ``--base-url`` values): those are two judges, whose judgments must
    never mix. ``--refresh`` judges every pair again, so it may take the folder over, and so may any run when the
    folder holds no judgment its server gave (its results file and partial log absent or holding only failed calls:
    a run that could not reach its server saved no verdict, and the run that fixes its ``--base-url`` resumes as
    advised). Folders written before the server was recorded (no ``.server.json``, no ``server`` in ``run.json``)
    are not checked.

    Raises:
        InputError: naming the recorded and the current server and what to do; nothing is written.
    """
    recorded: str | None = None
    for name, field_name in ((SERVER_FILE, "endpoint"), ("run.json", "server")):
        path = out_dir / name
        if recorded is None and path.exists():
            try:
                value = json.loads(path.read_text(encoding="utf-8")).get(field_name)
            except (OSError, ValueError, AttributeError):
                value = None
            if isinstance(value, str):
                recorded = value
    if recorded is not None and recorded != server and not refresh and _holds_judgments(out_dir):
        raise InputError(
            f"this folder holds judgments from another server ({recorded or 'no server'}; now {server or 'no server'}): "
            "one model name on two servers is two judges. Pass another --results-dir to keep both, or --refresh to judge "
            "every pair again against the new server; nothing was written",
            path=out_dir / SERVER_FILE,
            field="endpoint",
        )
    atomic_write_json(out_dir / SERVER_FILE, {"endpoint": server})


def _holds_judgments(out_dir: Path) -> bool:
    """Whether the folder holds a judgment its server gave: a line of the finished results file or of the partial
    log with a judgment that is not a failure (a failed call carries no verdict and is retried on resume; an
    unreadable line counts, as it may be one). Read only when a run names another server than the folder's."""
    for name in ("judgments.jsonl", "judgments.jsonl" + PARTIAL_SUFFIX):
        try:
            with open(out_dir / name, encoding="utf-8") as f:
                for line in f:
                    if not line.strip():
                        continue
                    try:
                        if any(not j.get("error") for j in json.loads(line)["judgments"]):
                            return True
                    except (ValueError, KeyError, TypeError, AttributeError):
                        return True
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError):
            return True
    return False


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on a results folder, so two runs never interleave writes to the same files.

    The lock file is opened without following a symlink and without truncating: a ``.lock`` planted as a symlink
    is refused (``ELOOP``), never written through.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir / ".lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    with os.fdopen(fd, "rb") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.warning("another run is writing to %s; waiting for it to finish", out_dir)
            fcntl.flock(f, fcntl.LOCK_EX)
        yield


_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.EEXIST, errno.ENOTDIR, errno.EISDIR, errno.ELOOP}


@contextmanager
def writing_results(out_dir: Path) -> Iterator[None]:
    """Turn a failure to write the results folder into an ``InputError`` (exit 2) that says what to do.

    A file where a folder should be, a read-only or full file system, or a symlink in the run folder stops the run
    with the file and the cure named. Nothing finished is lost: judgments already made stay in the partial file
    (complete files are only ever replaced whole), and running the same command again reuses them.
    """
    try:
        yield
    except OSError as e:
        if e.errno not in _WRITE_ERRNOS:
            raise
        where = e.filename if e.filename is not None else out_dir
        if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            cure = "free some space (or pass another --results-dir), then run the same command again to resume"
        elif e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            cure = "make it writable or pass another --results-dir"
        elif e.errno == errno.ELOOP:
            cure = "it is a symlink, and judgebench never writes through one in a results folder: remove it"
        else:
            cure = "a file stands where a folder should be (or the reverse): move it away or pass another --results-dir"
            where = next((p for p in (Path(where), *Path(where).parents) if p.exists() and not p.is_dir()), where)
        partial = out_dir / ("judgments.jsonl" + PARTIAL_SUFFIX)
        kept = f"; the judgments finished so far are kept in {partial} and reused by the next run" if partial.is_file() and not partial.is_symlink() else ""
        raise InputError(f"cannot write the results ({e.strerror}): {cure}{kept}", path=where, field="--results-dir") from None


def previous_results_file(path: Path) -> dict[str, ItemResult] | None:
    """The results of a finished ``judgments.jsonl`` by item id, or ``None`` when it does not read whole (then
    ``previous_results`` says why when the run resumes)."""
    found: dict[str, ItemResult] = {}
    try:
        for _, row in iter_jsonl(path, judgments=True):
            r = ItemResult.from_dict(row)
            found[r.item_id] = r
    except (InputError, KeyError, TypeError, ValueError, AttributeError):
        return None
    return found


REFRESH_MARK = ".refresh"
"""Written into a results folder when a ``--refresh`` run starts and removed when it finishes: while it is there,
the finished ``judgments.jsonl`` is the run being replaced, and a resume reuses only the partial log."""


def previous_results(out_dir: Path, *, finished: bool = True) -> dict[str, ItemResult]:
    """Results of earlier attempts at this run: the complete file (unless ``finished`` is false: a stopped
    ``--refresh`` run being resumed, whose finished file is the run it replaces), then the partial log (later lines
    win).

    The complete ``judgments.jsonl`` must read whole. A line of the partial log that does not read (torn by a crash
    or a full disk, then followed by more appends) is skipped with a warning: its pair is judged again.
    """
    found: dict[str, ItemResult] = {}
    for name, is_log in (("judgments.jsonl", False), ("judgments.jsonl" + PARTIAL_SUFFIX, True)):
        if not (finished or is_log):
            continue
        path = out_dir / name
        if not path.exists():
            continue
        bad: list[InputError] = []
        skipped: list[str] = []
        line: int | None = None
        try:
            for line, row in iter_jsonl(path, judgments=True, on_bad_line=bad.append if is_log else None):
                try:
                    r = ItemResult.from_dict(row)
                except (KeyError, TypeError, ValueError, AttributeError) as e:
                    if not is_log:
                        raise
                    skipped.append(f"line {line}: not a pair result ({e!r})")
                    continue
                found[r.pair_id] = r
        except InputError as e:
            raise InputError(f"cannot resume from this file ({e.reason}); move it away to start the run afresh", path=path, line=e.line, field=e.field) from None
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise InputError(f"cannot resume from this file ({e}); move it away to start the run afresh", path=path, line=line) from None
        skipped = [f"line {e.line}: {e.reason}" for e in bad] + skipped
        if skipped:
            logger.warning("%s: skipped %d unreadable line(s) of the partial log (torn by a crash or a full disk); their pairs are judged again: %s", path, len(skipped), "; ".join(skipped[:3]))
    return found


def _same_item(a: Item, b: Item) -> bool:
    """The same item to judge: equal in everything but its category (which a benchmark derives, and results written
    before items carried one lack). ``a`` is the stored one: an item whose text holds a known secret is stored
    redacted, so ``b`` is compared redacted too (else such an item would be judged again on every resume)."""
    if replace(a, category="") == replace(b, category=""):
        return True
    if not secret_values():
        return False
    redacted = Item.from_dict(redact_data(b.to_dict()))
    return redacted != b and replace(a, category="") == replace(redacted, category="")


def _reusable(prev: ItemResult | None, item: Item, game: int, view: tuple[int, ...]) -> Judgment | None:
    if prev is None or not _same_item(prev.item, item):
        return None
    for g in prev.judgments:
        if g.shown == view and not g.is_failed:
            return g.on_view(game, view)
    return None


def _versions() -> dict[str, str]:
    # imported here: 20-25 ms, needed only when the run is written, never before its first request
    from importlib import metadata

    out = {"python": platform.python_version()}
    for pkg in ("judgebench", "numpy", "pandas", "openai", "datasets", "scikit-learn", "krippendorff", "torch", "transformers", "anthropic"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def _git_revision() -> str | None:
    try:
        root = Path(__file__).resolve().parents[2]
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True, timeout=5)
        if rev.returncode == 0:
            return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return None


def plan_work(items: Sequence[Item], protocol: JudgingProtocol, prev: dict[str, ItemResult]) -> list[WorkItem]:
    """For each item, the protocol's views (numbered from 1), the judgments reusable from an earlier attempt on the
    same item and view, and the views still to judge."""
    work = []
    described = protocol.describe()
    for item in items:
        old = prev.get(item.id)
        kept: list[Judgment] = []
        todo: list[tuple[int, tuple[int, ...]]] = []
        for game, view in enumerate(protocol.views(item), start=1):
            j = _reusable(old, item, game, view) if old is not None else None
            if j is None:
                todo.append((game, view))
            else:
                kept.append(j)
        work.append(WorkItem(item=item, kept=tuple(kept), todo=tuple(todo), protocol=described))
    return work


class JudgeLike(Protocol):
    """What ``choose_protocol`` reads of a judge: its kind and whether it is order-invariant."""

    @property
    def kind(self) -> str: ...
    @property
    def order_invariant(self) -> bool: ...


@dataclass(frozen=True)
class JudgeKindOnly:
    """A judge known by its registered kind alone (before it is built), for checking what a run can score."""

    kind: str
    order_invariant: bool = False


_PAIRWISE_FLAGS = (("orders", "--orders"), ("games", "--games"), ("pairs", "--pairs"))


def _best_of(items: Sequence[Item]) -> bool:
    """Whether ``items`` are best-of-K items (a ``BestOf`` target): a pairwise judge then sees the target's response
    against each other one by default (RMB's rule)."""
    return any(isinstance(i.target, BestOf) for i in items)


def choose_protocol(spec: RunSpec, benchmark: Benchmark | None, judge: Judge | JudgeLike, items: Sequence[Item] = ()) -> JudgingProtocol:
    """The run's protocol, from the benchmark's (``Benchmark.protocol``; pairwise in both orders for pair files) and
    the judge's kind (``Judge.kind``):

    * a **pairwise** judge runs ``Pairwise``: the benchmark's options when its protocol is pairwise, else both
      orders; on best-of-K items (``BestOf`` targets) each correct response against each incorrect one
      (``pairs=target_vs_each``: RMB's rule for one correct, RM-Bench's 3x3 for several) unless the benchmark or ``spec.pairs`` (``--pairs all``: the round
      robin) says otherwise; in the item's own order only for an order-invariant judge (a reward model scores each
      response alone: the second order would repeat the first); ``spec.orders`` / ``spec.games`` (1 = first,
      2 = both) override the order;
    * a **pointwise** judge runs ``Pointwise``: the benchmark's options when its protocol is pointwise, else one
      rating per response; on a pairwise benchmark its preference is lifted in scoring (the higher rating wins);
    * a **listwise** judge runs ``Listwise``: the benchmark's options when its protocol is listwise, else every
      rotation; ``spec.rotations`` (``--rotations all|N``) overrides them (``N``: a subset seeded by ``spec.seed``).

    Whether the items can be scored under it is ``analysis.scoring.check_scorable``'s to say.

    Raises:
        InputError: for a flag that does not apply to the judge's kind (``--orders`` for a pointwise judge), or a
            bad value of one.
    """
    name, options = benchmark.protocol if benchmark is not None else ("pairwise", {"orders": "both"})
    kind = getattr(judge, "kind", "pairwise")
    for attr, flag in (*_PAIRWISE_FLAGS, ("rotations", "--rotations")):
        applies = kind == "pairwise" if attr != "rotations" else kind == "listwise"
        if getattr(spec, attr) is not None and not applies:
            raise InputError(f"{flag} does not apply to judge {spec.judge!r}, a {kind} judge", field=flag)
    if kind == "pointwise":
        return get_protocol("pointwise", **(dict(options) if name == "pointwise" else {}))
    if kind == "listwise":
        opts: dict[str, Any] = dict(options) if name == "listwise" else {"rotations": "all"}
        if spec.rotations is not None:
            opts["rotations"] = parse_rotations(spec.rotations)
        return get_protocol("listwise", seed=spec.seed, **opts)
    opts = dict(options) if name == "pairwise" else {"orders": "both"}
    if _best_of(items):
        opts.setdefault("pairs", "target_vs_each")
    if judge.order_invariant:
        opts["orders"] = "first"
    if spec.games is not None:
        if spec.games not in (1, 2):
            raise JudgebenchError(f"games must be 1 or 2, got {spec.games}")
        opts["orders"] = "both" if spec.games == 2 else "first"
    if spec.orders is not None:
        opts["orders"] = spec.orders
    if spec.pairs is not None:
        opts["pairs"] = spec.pairs
    return get_protocol("pairwise", seed=spec.seed, **opts)


def parse_rotations(value: str | int) -> str | int:
    """``--rotations``: ``all`` or a whole number >= 1.

    Raises:
        InputError: for anything else.
    """
    if value == "all" or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return value
    if isinstance(value, str) and value.strip().isdigit() and int(value) >= 1:
        return int(value)
    raise InputError(f"--rotations must be 'all' or a whole number >= 1, got {value!r}", field="--rotations")


def default_protocol(spec: RunSpec, benchmark: Benchmark | None, judge: Judge | JudgeLike, items: Sequence[Item] = ()) -> JudgingProtocol:
    """The protocol the run would use without ``--orders`` / ``--games`` / ``--pairs`` / ``--rotations`` (see
    ``choose_protocol``)."""
    return choose_protocol(replace(spec, games=None, orders=None, pairs=None, rotations=None), benchmark, judge, items)


@dataclass
class _Tally:
    """What the judging counts as it goes (``_judged``)."""

    counts: dict[str, int] = field(default_factory=lambda: {"reused": 0, "new": 0, "failed": 0, "cached": 0})
    done: int = 0
    games: int = 0
    stats: dict[str, Any] | None = None


def _judged(
    judge: AnyJudge,
    backend: Any,
    windows: Iterable[list[WorkItem]],
    spec: RunSpec,
    labels: tuple[str, str],
    partial: Path,
    total: int,
    progress: Progress | None,
    tally: _Tally,
    on_finished: Callable[[], None] = lambda: None,
) -> Iterator[tuple[ItemResult, str]]:
    """Run the executor over each window of planned items in turn, logging each finished item to the partial file as
    it finishes, and yield every window's results in item order with their JSON line (serialised once, for the log
    and the complete file) (``total``: the number of views planned; ``progress``: the display to advance, ``None``
    for none)."""
    counts = tally.counts
    bar = progress
    if bar is not None:
        bar.start(total, labels[0])
    executor = get_executor(spec.executor, spec)
    with open_append_log(partial) as log:
        finished: dict[str, tuple[ItemResult, str]] = {}
        secrets: list[str] = []

        pending: list[str] = []  # finished lines of call-free work not yet written (whole lines, one write)
        last_flush = time.monotonic()

        def write_pending() -> None:
            nonlocal last_flush
            log.write("".join(pending))
            log.flush()
            pending.clear()
            last_flush = time.monotonic()

        def on_result(result: ItemResult, fresh_games: tuple[int, ...]) -> None:
            on_finished()
            judgments = result.judgments
            new = failed = cached = calls = done = 0
            for g in judgments:
                if g.error is None:
                    done += 1
                if g.game in fresh_games:
                    new += 1
                    failed += g.error is not None
                    # from the call cache only when no call of it was made afresh (usage.calls counts those; a jury
                    # whose one member was asked anew is not from the cache)
                    cached += (g.usage.cached_calls > 0 and g.usage.calls == 0) or bool(g.extra.get("cached"))
                    calls += g.usage.calls
            counts["reused"] += len(judgments) - new
            counts["new"] += new
            counts["failed"] += failed
            counts["cached"] += cached
            tally.done += done
            row = result.to_dict()
            text = _dumps(row)
            if secrets and any(secret in text for secret in secrets):  # as secrets.dumps_redacted, with the secrets read per window
                text = _dumps(redact_data(row))
            line = text + "\n"
            finished[result.pair_id] = (result, line)
            # written and flushed as it finishes when the item made a call, failed or was served from the cache, so a
            # killed run keeps every such item; lines of call-free work (a baseline judge: microseconds to redo) are
            # written together, whole, every FLUSH_CALL_FREE_S (a write and flush per line was 3% of a million pairs)
            pending.append(line)
            if calls or failed or cached or time.monotonic() - last_flush >= FLUSH_CALL_FREE_S:
                write_pending()
            if bar is not None:
                bar.advance(len(result.judgments), new=counts["new"], cached=counts["cached"], reused=counts["reused"], failed=counts["failed"])

        try:
            for work in windows:
                # every known secret as JSON writes it, read once a window (dumps_redacted reads them once a line)
                secrets = [json.dumps(v, ensure_ascii=False)[1:-1] for v in secret_values()]
                tally.games = max(tally.games, max((len(w.kept) + len(w.todo) for w in work), default=0))
                try:
                    stats = executor.execute(judge, backend, work, spec, labels, on_result)
                except RunAborted as e:  # what finished is in the partial file; say how much, and where
                    raise RunAborted(f"{e}; {tally.done} of {total} judgments are done and kept in {partial} (no results written); fix the cause, then run the same command to resume") from None
                tally.stats = stats if stats is not None else tally.stats
                for w in work:
                    yield finished.pop(w.item.id)
        finally:
            if pending:  # finished items are kept whatever stopped the run
                write_pending()
            if bar is not None:
                bar.finish()


SECOND_PROCESS_MIN_ITEMS = 100_000
"""A run of at least this many pairs from a pair file, with a judge that makes no call (a baseline, judged a window
at a time), judges its second half in a forked process on a second core (``run.forked``): the first half's lines
are written as usual, then the second's, so ``judgments.jsonl`` and the scores are those of one process. Both
halves append to the partial log, so a killed run resumes the same way. ``JUDGEBENCH_ONE_PROCESS=1`` keeps every
run in one process; ``JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS`` changes the threshold. Below it the fork and the
hand-over cost more than they save. ``run.json`` records the processes a run used (``processes``). As with the Ray
executor, a judge is called for each item on its own: nothing it keeps from one item reaches the next."""


def _second_half(streamed: object, n_items: int, window: int | None) -> tuple[int, Iterator[Item]] | None:
    """Where a forked second process takes over (the first row it judges) and its items from there on, or ``None``
    to judge in one process: see ``SECOND_PROCESS_MIN_ITEMS``."""
    if not isinstance(streamed, PairStream) or window is None:
        return None
    if os.environ.get("JUDGEBENCH_ONE_PROCESS", "") not in ("", "0") or n_items < _second_process_min_items() or not can_fork():
        return None
    items = streamed.items_from(n_items // 2)  # None unless the first read fingerprinted every row
    return (n_items // 2, items) if items is not None else None


@dataclass
class _Totals:
    """What a run adds up over its results as they come in item order: the scores, the usage and the judgments
    with a confidence; a second process sends its own (``state``) for the first to ``merge``."""

    scorer: RunScorer
    usage: Usage = NO_USAGE
    with_confidence: int = 0

    def add(self, result: ItemResult) -> None:
        self.scorer.add(result)
        for g in result.judgments:
            if g.usage != NO_USAGE:
                self.usage = self.usage + g.usage
            self.with_confidence += g.confidence is not None

    def state(self, tally: _Tally) -> dict[str, Any]:
        """These totals and ``tally``'s counts as plain values (picklable)."""
        return {"scorer": self.scorer.state(), "usage": asdict(self.usage), "with_confidence": self.with_confidence, "counts": tally.counts, "done": tally.done, "games": tally.games}

    def merge(self, state: dict[str, Any], tally: _Tally) -> None:
        """Take in another process's ``state`` (its results follow these), and its counts into ``tally``."""
        self.scorer.merge(state["scorer"])
        self.usage = self.usage + Usage(**state["usage"])
        self.with_confidence += state["with_confidence"]
        for key, value in state["counts"].items():
            tally.counts[key] += value
        tally.done += state["done"]
        tally.games = max(tally.games, state["games"])


def _second_process_min_items() -> int:
    """``$JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS``, else ``SECOND_PROCESS_MIN_ITEMS``.

    Raises:
        InputError: when the variable is not a whole number >= 2.
    """
    raw = os.environ.get("JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS")
    if not raw:
        return SECOND_PROCESS_MIN_ITEMS
    if re.fullmatch(r"[0-9]+", raw.strip()) is None or int(raw) < 2:
        raise InputError(f"JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS={raw!r} must be a whole number of items >= 2 (default {SECOND_PROCESS_MIN_ITEMS})", field="JUDGEBENCH_SECOND_PROCESS_MIN_ITEMS")
    return int(raw)


def _windows(items: Iterable[Item], protocol: JudgingProtocol, prev: dict[str, ItemResult], size: int | None) -> Iterator[list[WorkItem]]:
    """``plan_work`` over ``items`` in windows of ``size`` items (``None``: one window of all)."""
    if size is None:
        yield plan_work(list(items), protocol, prev)
        return
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield plan_work(chunk, protocol, prev)


def _shape(item: Item) -> tuple[Any, ...]:
    """What decides whether an item can be scored (``check_scorable``) and how many views a protocol gives it: its
    number of responses and its target's kind (with a preference's tie and a best-of-K item's correct set)."""
    t = item.target
    detail: Any = None
    if isinstance(t, Preference):
        detail = t.winner is None
    elif isinstance(t, BestOf):
        detail = tuple(t.correct)
    elif isinstance(t, Ratings):
        detail = None
    return (len(item.responses), type(t).__name__ if t is not None else None, detail)


@dataclass
class _Scan:
    """What one read of the judged items gathers before anything is judged (``run``)."""

    shapes: dict[tuple[Any, ...], list[Any]]  # shape -> [first item of that shape, count], in order of first appearance
    models: set[str]
    all_pairs: bool = True
    n: int = 0

    def add(self, item: Item) -> None:
        self.n += 1
        entry = self.shapes.get(shape := _shape(item))
        if entry is None:
            self.shapes[shape] = [item, 1]
        else:
            entry[1] += 1
        self.models.update(r.model for r in item.responses if r.model)
        if self.all_pairs and not (len(item.responses) == 2 and isinstance(item.target, Preference)):
            self.all_pairs = False

    def add_pair(self, pair: Pair) -> None:
        """``add(Item.from_pair(pair))``, building the item only for the first pair of its shape."""
        self.n += 1
        shape = (2, "Preference", pair.label is Decision.TIE)  # _shape of the pair's item
        entry = self.shapes.get(shape)
        if entry is None:
            self.shapes[shape] = [Item.from_pair(pair), 1]
        else:
            entry[1] += 1
        if pair.response_model:
            self.models.add(pair.response_model)

    @property
    def examples(self) -> list[Item]:
        """One item of each shape, in order of first appearance (so ``check_scorable`` names the first bad item)."""
        return [entry[0] for entry in self.shapes.values()]

    def views(self, protocol: JudgingProtocol) -> int:
        """The number of views ``protocol`` plans over every item scanned."""
        return sum(count * len(protocol.views(item)) for item, count in self.shapes.values())


def _warm_scoring() -> None:
    """Pay numpy's first-call costs of what ``RunScorer.finish`` runs (a binomial draw, the exact bootstrap of a few
    distinct values, quantiles): about 10 ms the first time in a process, here while the judge's calls are in flight
    instead of after the last answer (the run's own numbers come from its own seeded calls, unaffected)."""
    from ..metrics.stats import bootstrap_mean_ci

    bootstrap_mean_ci([0.0, 1.0, 1.0], n_resamples=100)
    bootstrap_mean_ci([0.0, 0.5, 1.0], n_resamples=100)


WARM: tuple[str | Callable[[], object], ...] = ("numpy", "judgebench.metrics.stats", _warm_scoring)
"""What scoring imports after the judging (about 0.15 s) and its first numpy calls, done by the run's background
thread while the judge's calls are in flight (``run.background``)."""


def run(spec: RunSpec, *, progress: Progress | None = None, warm: Sequence[str | Callable[[], object]] = ()) -> RunOutcome:
    """Judge every item of ``spec.data`` with ``spec.judge`` under the run's protocol (``choose_protocol``), score it
    with the benchmark's rule (``spec.rule``, else the benchmark's default, else ``vote``) and write the results
    folder. ``progress``: the display the judging advances (``suite`` passes one for all its runs); default a bar of
    this run's own when ``spec.progress``. ``warm``: modules the caller imports once the run is done (a command's
    report code; names, or functions that import them), imported in the background while the judge's calls are in
    flight, with ``WARM`` and the facts ``run.json`` records (package versions, git revision), so that none of it
    waits for the last answer.

    Raises:
        InputError: for bad input (data, options, a results folder that belongs to another run), exit 2.
        RunAborted: when a non-retryable error stops the run (what finished is kept for a resume).
    """
    with _collecting_rarely():
        return _run(spec, progress, warm)


@contextmanager
def _collecting_rarely() -> Iterator[None]:
    """Run the body with the cyclic garbage collector out of the way of a long run: everything alive when it starts
    (the imported modules) is frozen, never scanned again until the end, and collections run ``GC_THRESHOLDS``
    apart instead of Python's 700 allocations. Objects are still freed when their last reference goes; only cycles
    wait longer. The collector's state is restored afterwards."""
    import gc

    old = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0  # a caller that froze objects itself keeps its own freeze
    if freeze:
        gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if freeze:
            gc.unfreeze()


def _run(spec: RunSpec, progress: Progress | None, warm: Sequence[str | Callable[[], object]]) -> RunOutcome:
    """``run``'s body."""
    started = datetime.now(UTC)
    # started when the first item finishes (not before: until the first request is on the wire the process has
    # better use for its interpreter lock), joined when run.json is written
    facts = Background(lambda: (_versions(), _git_revision()), warm=(*WARM, *warm))
    t0 = time.perf_counter()
    if spec.limit is not None and spec.limit < 0:
        raise InputError(f"--limit must be a number of items >= 0 (0: all), got {spec.limit}", field="--limit")
    if spec.seed < 0:  # numpy's generators take none: refused before anything is judged or written
        raise InputError(f"--seed must be an integer >= 0, got {spec.seed}", field="--seed")
    _second_process_min_items()  # a bad value is refused before anything is read or written
    fields = FieldMap.parse(spec.fields or "", spec.labels) if (spec.fields or spec.labels) else None
    # a local pair file or folder is read as a stream, twice (once for its identity and shape, once to judge), so a
    # million pairs are never held at once; a registered benchmark or hf: set is loaded whole (they are small)
    streamed = stream_items(spec.data, fields=fields)
    benchmark: Benchmark | None = None
    split = ""
    if streamed is None:
        loaded = load_items(spec.data, data_dir=spec.data_dir, fields=fields)
        benchmark, split, all_items = loaded.benchmark, loaded.split, loaded.items
        read_all: Callable[[], Iterable[Item]] = lambda: all_items  # noqa: E731
    else:
        read_all = streamed
    limit = spec.limit or None

    def read_judged() -> Iterable[Item]:
        return islice(read_all(), limit)

    # a registered benchmark is named NAME:SPLIT whatever the user typed (judgebench = judgebench:gpt), so one set
    # always lands in one results folder
    source = f"{benchmark.name}:{split}" if benchmark is not None and split else spec.data
    scan = _Scan({}, set())
    data: DataIdentity | None
    if isinstance(streamed, PairStream):  # a pair file's identity and shapes are read from its pairs: no item is built
        data = stream_identity(
            source, streamed.pairs, spec.limit, on_item=lambda i, pair: scan.add_pair(pair) if limit is None or i < limit else None, line=pair_line, id_of=attrgetter("pair_id")
        )
        folder = data.folder
    elif benchmark is not None:
        # a registered benchmark's items are in memory and its folder is its name: its content hashes are needed
        # only against a finished run in that folder (check_same_data, below) and for run.json, so in a fresh
        # folder they are computed in the background while the calls are in flight (issue 17: 12-16 ms of JSON
        # encoding for JudgeBench's 350 pairs, before the first request)
        for item in read_judged():
            scan.add(item)
        data = None

        def named_identity() -> DataIdentity:
            return stream_identity(source, read_all, spec.limit, named=True)

        set_size = len(all_items)
        folder = data_folder(dataset_name(source), set_size, min(limit, set_size) if limit else set_size)
    else:
        data = stream_identity(source, read_all, spec.limit, on_item=lambda i, item: scan.add(item) if limit is None or i < limit else None)
        folder = data.folder
    if streamed is not None and data is not None and data.set_size == 0:
        raise InputError("no pairs found (the file or folder is empty)", path=spec.data)
    examples = scan.examples
    rule = spec.rule or (benchmark.rule if benchmark is not None else "vote")
    get_reducer(rule)  # an unknown rule fails before any call is made
    # what cannot be scored is refused before the judge is built (a local model loaded) or any call made; the judge's
    # registered kind is what chooses the protocol (its order invariance only sets the orders)
    info = get_judge_info(spec.judge)
    kind = info.kind
    check_scorable(examples, choose_protocol(spec, benchmark, JudgeKindOnly(kind), examples), kind)
    judge, backend = build_judge(spec)
    protocol = choose_protocol(spec, benchmark, judge, examples)
    tag = protocol_tag(protocol, default_protocol(spec, benchmark, judge, examples))
    label = run_label(spec, tag)
    out_dir = run_dir(spec, folder, tag)
    model_label = spec.model or "none"
    # a judge without a model or server (a baseline) is judged a window at a time; any other in one window, as before
    # (its backend and event loop live for one executor call)
    window = WINDOW if info.backend == "none" and spec.executor == "local" and backend is None else None
    with writing_results(out_dir), locked(out_dir):
        # a run killed while writing judgments.jsonl leaves its temporary file; under the lock no run is writing one
        for stale in remove_stale_temporaries(out_dir / "judgments.jsonl"):
            logger.info("removed %s, left by a run that was stopped while writing its results", stale)
        if data is None and (out_dir / "run.json").exists():  # a finished run to compare with: the hashes now
            data = named_identity()
        if data is not None:
            check_same_data(out_dir, data)
        hashes = Background(named_identity) if data is None else None

        def start_background() -> None:  # at the first finished item
            facts.start()
            if hashes is not None:
                hashes.start()

        server = str(getattr(backend, "endpoint", "") or "") if backend is not None else ""
        check_same_server(out_dir, server, refresh=spec.refresh)
        partial = out_dir / ("judgments.jsonl" + PARTIAL_SUFFIX)
        if spec.refresh:  # re-judge every item: no earlier judgment is reused (the finished files stay until replaced)
            # marked first, so that a stopped refresh resumed without --refresh (as its message advises) goes on as a
            # refresh: it reuses only what the refresh judged and asks its calls again, never taking the finished
            # run's judgments or the call cache's answers to it
            atomic_write_json(out_dir / REFRESH_MARK, {"refresh": True})
            partial.unlink(missing_ok=True)
            prev = {}
        else:
            resuming_refresh = (out_dir / REFRESH_MARK).exists()
            if resuming_refresh:
                logger.info("%s: resuming a --refresh run: the finished results it replaces are not reused", out_dir)
                if backend is not None:
                    backend.refresh = True
            prev = previous_results(out_dir, finished=not resuming_refresh)
        total = scan.views(protocol)
        scorer = RunScorer(rule=rule, seed=spec.seed, benchmark=benchmark)
        n_judged = scan.n
        # a long call-free run judges its second half in a forked process, on the second core
        # (``SECOND_PROCESS_MIN_ITEMS``); its results are then read back from the file, as a run too large to keep
        # them in memory does
        rest = _second_half(streamed, n_judged, window)
        half = rest[0] if rest is not None else None
        keep = scan.n <= KEEP_RESULTS_MAX and half is None
        kept: list[ItemResult] = []
        totals = _Totals(scorer)
        tally = _Tally()

        main_items: Iterable[Item] = read_judged() if half is None else islice(read_all(), half)
        main_total = total if half is None else total * half // max(n_judged, 1)
        second: Forked | None = None
        shard: Path | None = None

        def lines() -> Iterator[str]:
            judged = _judged(judge, backend, _windows(main_items, protocol, prev, window), spec, (label, model_label), partial, main_total, progress if progress is not None else (RunBar() if spec.progress else None), tally, start_background)
            for result, line in judged:
                totals.add(result)
                if keep:
                    kept.append(result)
                yield line
            if second is not None and shard is not None:  # the second half's lines follow the first's, as judged
                totals.merge(second.result(), tally)
                with shard.open(encoding="utf-8") as f:
                    while piece := f.read(1 << 20):
                        yield piece

        def second_half(items: Iterable[Item], fd: int) -> dict[str, Any]:
            """The forked process's work: judge ``items`` as ``lines`` does, into the shard; what to merge back."""
            own = _Totals(RunScorer(rule=rule, seed=spec.seed, benchmark=benchmark))
            own_tally = _Tally()
            with os.fdopen(fd, "w", encoding="utf-8", buffering=1 << 20) as out:
                for result, line in _judged(judge, backend, _windows(items, protocol, prev, window), spec, (label, model_label), partial, total - main_total, None, own_tally):
                    own.add(result)
                    out.write(line)
            return own.state(own_tally)

        t_judging = time.perf_counter()
        try:
            if rest is not None and half is not None:
                fd, name = tempfile.mkstemp(prefix=".judgments.jsonl.second-half-", suffix=".tmp", dir=out_dir)
                shard = Path(name)
                # without --limit the second process reads to the end of the file, as one process does, so rows
                # appended since the first read are refused there
                rest_items = rest[1] if limit is None else islice(rest[1], n_judged - half)
                try:
                    second = Forked(lambda: second_half(rest_items, fd))
                except OSError as e:  # no process to be had (EAGAIN, ENOMEM): everything is judged here
                    logger.info("judging in one process: cannot fork a second one (%s)", e)
                    shard.unlink(missing_ok=True)
                    shard = None
                    main_items, main_total = read_judged(), total
                finally:
                    os.close(fd)
            # the complete file is written as the items finish, in item order, into a temporary file that replaces
            # judgments.jsonl only when every item is done (a stopped run leaves neither it nor a part of it)
            atomic_write_lines(out_dir / "judgments.jsonl", lines())
        finally:
            if second is not None:
                second.stop()
            if shard is not None:
                try:
                    shard.unlink(missing_ok=True)
                except OSError as e:  # never hides why the run stopped; the next run removes it (stale temporaries)
                    logger.warning("could not remove %s: %s", shard, e)
            if backend is not None and hasattr(backend, "close"):
                backend.close()
        judging_seconds = time.perf_counter() - t_judging
        counts = tally.counts
        backend_stats = tally.stats
        metrics = scorer.finish()
        results: Sequence[ItemResult] = tuple(kept) if keep else StoredResults(out_dir / "judgments.jsonl", scan.n)
        versions, git_revision = facts.result()
        if data is None:
            assert hashes is not None
            data = hashes.result()
        run_info = {
            "schema_version": SCHEMA_VERSION,
            "command": [redact(a) for a in sys.argv],
            "spec": spec.to_dict(),
            "judge": label,
            "model": model_label,
            "dataset": data.name,
            "benchmark": benchmark.name if benchmark is not None else None,
            "protocol": protocol.describe(),
            "rule": rule,
            "server": server,
            # which items: the source set's size and content hash, and the judged subset ("partial" when smaller)
            "pairs": data.to_dict(),
            "response_model": response_models_label(scan.models),
            "games": tally.games,
            "versions": versions,
            "git_revision": git_revision,
            "host": platform.node(),
            "started": started.isoformat(),
            "finished": datetime.now(UTC).isoformat(),
            "wall_seconds": round(time.perf_counter() - t0, 3),
            "judging_seconds": round(judging_seconds, 3),
            "processes": 1 if second is None else 2,  # a long call-free run judges its second half in a fork
            # "pairs" counts the items (its name kept for older readers); "unit" says what they are
            "counts": {"pairs": scan.n, "unit": "pairs" if scan.all_pairs else "items", "judgments": total, **counts},
            # how many judgments carry a confidence (verdict-token probability or stated): an option such as
            # logprobs=true that the server ignores shows here as 0 instead of silently empty calibration
            "confidence": {"judgments_with_confidence": totals.with_confidence},
            "usage": asdict(totals.usage),
        }
        if backend_stats is not None:
            run_info["backend"] = backend_stats
        atomic_write_json(out_dir / "metrics.json", metrics.to_dict())
        atomic_write_json(out_dir / "run.json", json.loads(redact(json.dumps(run_info))))
        partial.unlink(missing_ok=True)
        (out_dir / REFRESH_MARK).unlink(missing_ok=True)  # the finished files are the refresh's own now
    return RunOutcome(out_dir=out_dir, results=results, metrics=metrics, run_info=run_info)
