"""Display names of judges, models and runs in tables, figures and reports, from a small mapping file.

``--names names.yaml`` (or ``.yml``, ``.json``, ``.toml``) maps ids to the names a paper prints, as AlpacaEval's
``pretty_name``::

    judges:                      # judge registry name (with options, as in its results folder) -> name
      arena_hard: Arena-Hard
      reward_model: RM
    models:                      # model id, as given to --model -> name
      openai:gpt-4o-2024-08-06: GPT-4o
      hf:Skywork/Skywork-Reward-Llama-3.1-8B-v0.2: Skywork-RM-8B
    runs:                        # a run, "judge: model" as the run's id (judge and --model) -> name; wins over the two above
      "arena_hard: openai:o1-mini": Arena-Hard (o1-mini)
    benchmarks:                  # benchmark or data set -> name
      judgebench:gpt: JudgeBench (GPT-4o pairs)

Every key is optional. Without a file (or for an id it does not name), a judge is its registry name and a model its
id without the provider prefix, organisation and date suffix (``openai:gpt-4o-2024-08-06`` -> ``gpt-4o``); a run is
``judge (model)``, or the judge alone for a baseline without a model. :func:`unique_run_names` makes the names of
distinct runs distinct (no two models collapse into one label): runs whose names would repeat get what tells them
apart (the full model id, then the pair source, then the benchmark).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError

SECTIONS = ("judges", "models", "runs", "benchmarks")
_DATE_SUFFIX = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$")
_NO_MODEL = ("", "none", "?")


def default_model_name(model: str) -> str:
    """A model id as a short name: provider prefix (``openai:``), organisation (``Skywork/``) and date suffix
    (``-2024-08-06``, ``-20240806``) dropped."""
    name = model.split(":", 1)[1] if re.match(r"^[a-z][a-z0-9_-]*:", model) else model
    return _DATE_SUFFIX.sub("", name.rsplit("/", 1)[-1]) or model


@dataclass(frozen=True)
class Names:
    """A names mapping (module docstring); the empty mapping gives the defaults."""

    judges: Mapping[str, str] = field(default_factory=dict)
    models: Mapping[str, str] = field(default_factory=dict)
    runs: Mapping[str, str] = field(default_factory=dict)
    benchmarks: Mapping[str, str] = field(default_factory=dict)
    path: str = ""

    @classmethod
    def load(cls, path: str | Path | None) -> Names:
        """The mapping in ``path`` (YAML, JSON or TOML by its suffix); ``None``: the defaults.

        Raises:
            InputError: for a missing or unreadable file, an unknown section, or a value that is not text (naming
                the file and the section / key).
        """
        if path is None:
            return cls()
        p = Path(path)
        if not p.is_file():
            raise InputError("no such names file", path=p)
        text = p.read_text(encoding="utf-8")
        try:
            if p.suffix.lower() in (".yaml", ".yml"):
                import yaml

                data = yaml.safe_load(text)
            elif p.suffix.lower() == ".toml":
                import tomllib

                data = tomllib.loads(text)
            elif p.suffix.lower() == ".json":
                data = json.loads(text)
            else:
                raise InputError("a names file is .yaml, .yml, .json or .toml", path=p)
        except InputError:
            raise
        except Exception as e:  # yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError
            line = getattr(getattr(e, "problem_mark", None), "line", None)
            raise InputError(f"not a valid {p.suffix.lstrip('.').upper()} file: {e}", path=p, line=None if line is None else line + 1) from None
        data = data or {}
        if not isinstance(data, dict):
            raise InputError(f"a names file is a mapping with the sections {', '.join(SECTIONS)}", path=p)
        unknown = sorted(set(data) - set(SECTIONS))
        if unknown:
            raise InputError(f"unknown section(s) {', '.join(map(repr, unknown))}; a names file has {', '.join(SECTIONS)}", path=p, field=unknown[0])
        sections: dict[str, dict[str, str]] = {}
        for section in SECTIONS:
            values = data.get(section) or {}
            if not isinstance(values, dict):
                raise InputError(f"section {section!r} must map ids to names", path=p, field=section)
            for key, value in values.items():
                if not isinstance(value, str) or not value.strip():
                    raise InputError(f"the name of {key!r} must be non-empty text, got {value!r:.40}", path=p, field=f"{section}.{key}")
            sections[section] = {str(k): v.strip() for k, v in values.items()}
        return cls(**sections, path=str(p))

    def judge(self, judge: str) -> str:
        """A judge's display name; a judge with options (``judgelm@bpc=true``) not named itself is its base name's
        display name with the options kept."""
        if judge in self.judges:
            return self.judges[judge]
        base, sep, options = judge.partition("@")
        return f"{self.judges[base]}@{options}" if sep and base in self.judges else judge

    def model(self, model: str) -> str:
        """A model's display name (``""`` for none)."""
        if model in _NO_MODEL:
            return ""
        return self.models.get(model) or default_model_name(model)

    def benchmark(self, name: str) -> str:
        """A benchmark's or data set's display name."""
        return self.benchmarks.get(name, name)

    def run(self, judge: str, model: str) -> str:
        """A run's display name: ``runs["judge: model"]``, else ``judge (model)``, else the judge alone."""
        key = f"{judge}: {model}" if model not in _NO_MODEL else judge
        if key in self.runs:
            return self.runs[key]
        m = self.model(model)
        return f"{self.judge(judge)} ({m})" if m else self.judge(judge)


def unique_run_names(rows: Sequence[Mapping[str, Any]], names: Names | None = None) -> list[str]:
    """The display names of ``rows`` (leaderboard rows: ``judge``, ``model``, ``response_model``, ``benchmark``),
    distinct for distinct runs: a group of rows whose names repeat is told apart by the first of the full model id,
    the pair source, the benchmark, the pair set (``pairs <hash>``) and the number of pairs judged (``n=<n>``: a
    ``--limit`` run beside the full one) and the data folder (the same pairs in two files) that differs within it, in brackets (repeated until the names differ or
    nothing tells them apart: rows of one run keep one name)."""
    names = names or Names()
    out = [names.run(str(r.get("judge", "?")), str(r.get("model") or "")) for r in rows]
    shown = {
        "model": lambda v: v,
        "response_model": default_model_name,
        "benchmark": names.benchmark,
        "pair_set": lambda v: f"pairs {v}",
        "n": lambda v: f"n={v}",
        "dataset": lambda v: v,
    }
    for key, show in shown.items():
        groups: dict[str, list[int]] = {}
        for i, name in enumerate(out):
            groups.setdefault(name, []).append(i)
        for idx in groups.values():
            values = [str(rows[i].get(key) or "") for i in idx]
            if len(idx) > 1 and len(set(values)) > 1:
                for i, v in zip(idx, values, strict=True):
                    out[i] = f"{out[i]} [{show(v) if v else '-'}]"
    return out
