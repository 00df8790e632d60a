"""The definition of a run (``RunSpec``), shared by the runner, its executors and the judges' backends."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class RunSpec:
    """Everything that defines a run; saved in ``run.json``. Holds no secrets.

    Attributes (the CLI flag of each is its name with dashes): ``data`` (a benchmark ``NAME[:SPLIT]``, a pair file
    or folder, ``hf:NAME``), ``judge`` and ``judge_options``, ``model`` and ``base_url``, the protocol's order
    (``orders``, or ``games`` 1/2), the call policy (``concurrency``, ``rpm``, ``tpm``, ``timeout``,
    ``max_retries``, ``cache``, ``refresh``, ``cache_dir``), which pairs a pairwise judge sees of a best-of-K item
    (``pairs``: ``all`` or ``target_vs_each``; ``None``: the run's default), how many rotations a listwise judge
    sees (``rotations``: ``"all"`` or a whole number; ``None``: the benchmark's), ``limit``, ``seed``, ``rule`` (``None``: the
    benchmark's), a judge from a file (``judge_file``: ``{"path", "name", "sha256"}`` of the file given to
    ``--judge-file``, whose resolved definition, templates inlined, is ``judge_options``; ``judges.from_file``), where results go (``results_dir``), the local copy of the data (``data_dir``), the column mapping of a file or ``hf:`` source (``fields``,
    ``labels``: ``benchmarks.local.FieldMap.parse``) and the executor
    (``executor``, ``ray_address``, ``workers``).
    """

    data: str
    judge: str
    model: str | None = None
    base_url: str | None = None
    games: int | None = None
    orders: str | None = None
    pairs: str | None = None
    rotations: str | int | None = None
    concurrency: int = 32
    rpm: float | None = None
    tpm: float | None = None
    timeout: float = 120.0
    max_retries: int = 6
    cache: bool = True
    refresh: bool = False
    cache_dir: str | None = None
    limit: int | None = None
    seed: int = 0
    rule: str | None = None
    results_dir: str = "results"
    data_dir: str | None = None
    fields: str | None = None
    labels: str | None = None
    judge_options: dict[str, Any] = field(default_factory=dict)
    judge_file: dict[str, str] | None = None
    progress: bool = True
    executor: str = "local"
    ray_address: str | None = None
    workers: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
