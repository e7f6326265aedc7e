# Two entry points for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv run test bench mutate clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv
	$(BIN)/uv pip install -q --python $(BIN)/python --compile-bytecode -e '.[test]'
	touch $(STAMP)

## Build .venv only: the package with its test tools and DVC (docs/dvc.md uses it)
venv: $(STAMP)

## Run the pipeline on the bundled corpus: records in out/records/, report in out/report.yml
run: $(STAMP)
	$(BIN)/policy-pipeline run corpus/raw -o out

## Run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest

## Benchmarks (not part of the tests): writes docs/benchmarks.md
bench: $(STAMP)
	$(BIN)/uv pip install -q --python $(BIN)/python '.[bench]'
	@# pdftotext (poppler-utils) is a peer in the PDF section; the benchmark says so when it is missing
	command -v pdftotext >/dev/null || { apt-get install -y -q poppler-utils || (apt-get update -q && apt-get install -y -q poppler-utils); } || true
	$(BIN)/python tools/benchmark.py --out docs/benchmarks.md

## Mutation sweep (not part of the tests): deletes each rule in turn, writes docs/rule-coverage.md
mutate: $(STAMP)
	$(BIN)/python tools/mutate_rules.py -j 2 --out docs/rule-coverage.md

clean:
	rm -rf $(VENV) out
