# Quick start on a fresh machine:  make demo   |   make test
# Both create .venv/ and install the course (with the test and PyTorch-oracle extras) on first use.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
COURSE := $(VENV)/bin/course
INSTALLED := $(VENV)/.installed

.PHONY: demo test stubs release nbgrader clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,oracle]'
	touch $@

## demo: the course's main job on bundled sample data
demo: $(INSTALLED)
	$(COURSE) demo

## test: every test, the slow ones included, with the PyTorch oracle required (not skipped)
test: $(INSTALLED)
	RNN_COURSE_REQUIRE_ORACLE=1 $(PY) -m pytest -m "slow or not slow"

## stubs: regenerate assignments/ from solutions/ (commit the result)
stubs: $(INSTALLED)
	$(COURSE) stubs

## release: write the standalone student repository to out/student
release: $(INSTALLED)
	$(COURSE) release --out out/student

## nbgrader: write the nbgrader course (source/ and release/) to out/nbgrader
nbgrader: $(INSTALLED)
	$(COURSE) nbgrader --out out/nbgrader

clean:
	rm -rf $(VENV) out .pytest_cache
