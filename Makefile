# judgebench: every target bootstraps .venv on first use (python3 -m venv + pinned install), then runs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared/data
PAIRS_DIR ?= $(wildcard $(SHARED)/judgebench/pairs)
OUTPUTS ?= $(SHARED)/judgebench/outputs

JUDGE ?= longer
DATA ?= judgebench:gpt
MODEL ?=
BASE_URL ?=
ARGS ?=

export MPLBACKEND := Agg
ifneq ($(PAIRS_DIR),)
export JUDGEBENCH_PAIRS_DIR := $(abspath $(PAIRS_DIR))
endif
# offline copies of every benchmark (llmbar/, ...) when ../shared/data is there; else they are downloaded
ifneq ($(wildcard $(SHARED)),)
export JUDGEBENCH_DATA_DIR := $(abspath $(SHARED))
endif

.PHONY: venv test bench reproduce leaderboard check perf serve-fake pairs-demo clean-venv

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev,hf,anthropic,ray]'
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/judgebench bench --judge $(JUDGE) --data $(DATA) $(if $(MODEL),--model $(MODEL)) $(if $(BASE_URL),--base-url $(BASE_URL)) $(ARGS)

reproduce: $(STAMP)
	$(BIN)/judgebench score $(OUTPUTS)/*.jsonl --out results/reproduction.md

# every run under results/ plus JudgeBench's released judgments (when $(OUTPUTS) has them): tables and figures
LEADERBOARD_INCLUDE = $(if $(wildcard $(OUTPUTS)/*.jsonl),--include $(OUTPUTS))
leaderboard: $(STAMP)
	$(BIN)/judgebench leaderboard results --write --group-by response_model --baseline $(LEADERBOARD_INCLUDE)
	$(BIN)/judgebench plot all results --baseline $(LEADERBOARD_INCLUDE) -o results/figures

check: $(STAMP)
	$(BIN)/ruff check judgebench tests
	$(BIN)/mypy judgebench

perf: $(STAMP)
	$(BIN)/python -m tests.perf.run_all

FAKE_PORT ?= 8000
FAKE_ARGS ?=
serve-fake: $(STAMP)
	$(BIN)/judgebench fake-server --port $(FAKE_PORT) --pairs judgebench:gpt $(FAKE_ARGS)

# offline demo of the data recipes: GSM8K pairs from OpenAI's released solutions in $(SHARED)
pairs-demo: $(STAMP)
	JUDGEBENCH_SHARED_DATA=$(abspath $(SHARED)) $(BIN)/judgebench recipe run gsm8k_solutions --out results/pairs-demo

clean-venv:
	rm -rf $(VENV)
