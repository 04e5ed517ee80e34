# Two commands for a newcomer: `make run` (the app on the simulated car) and `make test`.
# Both install exactly what requirements.lock says (hash-checked), so a fresh clone gets
# what CI tested; `make lock` refreshes the lock from pyproject.toml's ranges.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed
LOCK    = requirements.lock
LATEST  = .venv-latest

.PHONY: run test bench venv lock test-latest clean

$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/carvrooom

test: $(STAMP)
	$(PY) -m mypy
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m benchmarks

# Resolve every supported Python and platform at once (markers keep PySide6 < 6.12 on 3.11), with hashes.
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --extra build --universal --generate-hashes \
		--python-version 3.11 --quiet -o $(LOCK)

# The suite on the newest releases the ranges in pyproject.toml allow: what the next lock would bring.
test-latest:
	test -x $(LATEST)/bin/python || $(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[test]'
	QT_QPA_PLATFORM=offscreen $(LATEST)/bin/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(LATEST) .pytest_cache .mypy_cache
