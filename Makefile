# Two commands for a newcomer: `make run` (the app on the simulated car) and `make test`.
# Both install exactly what requirements.lock says (hash-checked), so a fresh clone gets
# what CI tested; `make lock` refreshes the lock from pyproject.toml's ranges.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed
LOCK    = requirements.lock
# `make run` gets its own venv from the run-time lock: the app's packages only, pinned as in requirements.lock,
# without the test and build extras (ELM327-emulator, CC-BY-NC-SA, is a test peer and stays in the test venv).
RUN_VENV ?= .venv-run
RUN_LOCK  = requirements-run.lock
RUN_STAMP = $(RUN_VENV)/.installed
LATEST  = .venv-latest

.PHONY: run test bench venv lock test-latest clean bundle

$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $(STAMP)

$(RUN_STAMP): pyproject.toml $(RUN_LOCK)
	test -x $(RUN_VENV)/bin/python || $(PYTHON) -m venv $(RUN_VENV)
	$(RUN_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r $(RUN_LOCK)
	$(RUN_VENV)/bin/python -m pip install --quiet --no-deps -e .
	$(RUN_VENV)/bin/python -m pip check
	touch $(RUN_STAMP)

venv: $(STAMP)

run: $(RUN_STAMP)
	$(RUN_VENV)/bin/carvrooom

test: $(STAMP)
	$(PY) -m mypy
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) -m benchmarks

# The Linux installer: one-folder PyInstaller build + tarball (.desktop, icon, file types), then its smoke test;
# PyInstaller pinned in the lock's `build` extra. Windows: build/windows/build_windows.ps1 on a Windows machine.
bundle: $(STAMP)
	PY=$(PY) build/build_linux.sh

# Resolve every supported Python and platform at once (markers keep PySide6 < 6.12 on 3.11), with hashes.
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --extra build --universal --generate-hashes \
		--python-version 3.11 --quiet -o $(LOCK)
	$(VENV)/bin/uv pip compile pyproject.toml --universal --generate-hashes --python-version 3.11 --quiet \
		-c $(LOCK) -o $(RUN_LOCK)

# The suite on the newest releases the ranges in pyproject.toml allow: what the next lock would bring.
test-latest:
	test -x $(LATEST)/bin/python || $(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[test]'
	QT_QPA_PLATFORM=offscreen $(LATEST)/bin/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) $(RUN_VENV) $(LATEST) .pytest_cache .mypy_cache
