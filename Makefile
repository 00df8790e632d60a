# judgebench: every target bootstraps .venv on first use (python3 -m venv + pinned install), then runs.
# bench, reproduce, leaderboard, serve-fake and pairs-demo install the core only; test, check and perf (and
# `make venv-full`) add the extras the tests need: dev, hf (torch), anthropic, ray, browser.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORE_STAMP := $(VENV)/.installed-core
FULL_STAMP := $(VENV)/.installed-full
EXTRAS ?= dev,hf,anthropic,ray,browser
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

.PHONY: venv venv-full test bench reproduce leaderboard readme-assets check perf serve-fake pairs-demo clean-venv

$(CORE_STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e .
	touch $(CORE_STAMP)

$(FULL_STAMP): $(CORE_STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[$(EXTRAS)]'
	touch $(FULL_STAMP)

venv: $(CORE_STAMP)

venv-full: $(FULL_STAMP)

test: $(FULL_STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(CORE_STAMP)
	$(BIN)/judgebench bench --judge $(JUDGE) --data $(DATA) $(if $(MODEL),--model $(MODEL)) $(if $(BASE_URL),--base-url $(BASE_URL)) $(ARGS)

reproduce: $(CORE_STAMP)
	$(BIN)/judgebench score $(OUTPUTS)/*.jsonl --out results/reproduction.md

# every run under results/ plus JudgeBench's released judgments (when $(OUTPUTS) has them): tables and figures,
# written to $(LEADERBOARD_OUT) (not tracked). The tables and figures the README shows are tracked in results/ and
# regenerated on purpose only, with `make readme-assets`.
LEADERBOARD_INCLUDE = $(if $(wildcard $(OUTPUTS)/*.jsonl),--include $(OUTPUTS))
LEADERBOARD_OUT ?= leaderboard
leaderboard: $(CORE_STAMP)
	$(BIN)/judgebench leaderboard results --write --out-dir $(LEADERBOARD_OUT) --group-by response_model --baseline $(LEADERBOARD_INCLUDE)
	$(BIN)/judgebench plot all results --baseline $(LEADERBOARD_INCLUDE) -o $(LEADERBOARD_OUT)/figures

readme-assets: $(CORE_STAMP)
	$(BIN)/judgebench leaderboard results --write --group-by response_model --baseline $(LEADERBOARD_INCLUDE)
	$(BIN)/judgebench plot all results --baseline $(LEADERBOARD_INCLUDE) -o results/figures

check: $(FULL_STAMP)
	$(BIN)/ruff check judgebench tests
	$(BIN)/mypy judgebench

perf: $(FULL_STAMP)
	$(BIN)/python -m tests.perf.run_all

FAKE_PORT ?= 8000
FAKE_ARGS ?=
serve-fake: $(CORE_STAMP)
	$(BIN)/judgebench fake-server --port $(FAKE_PORT) --pairs judgebench:gpt $(FAKE_ARGS)

# offline demo of the data recipes: GSM8K pairs from OpenAI's released solutions in $(SHARED)
pairs-demo: $(CORE_STAMP)
	JUDGEBENCH_SHARED_DATA=$(abspath $(SHARED)) $(BIN)/judgebench recipe run gsm8k_solutions --out results/pairs-demo

clean-venv:
	rm -rf $(VENV)
