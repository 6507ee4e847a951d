"""Shared pytest set-up: one marker per task ID from course.yml, and the PyTorch oracle.

``-m task3_4`` selects the tests of task 3.4. Markers are registered from the
manifest, so with ``--strict-markers`` a test marked with an unknown task fails.

The ``torch`` fixture returns PyTorch configured for float64. Without torch the
oracle tests are skipped, unless ``RNN_COURSE_REQUIRE_ORACLE=1`` (set by
``make test`` and ``.ci/run``), where a missing oracle is an error.
"""

import os
from importlib.metadata import version as _version

import numpy as np
import pytest

UNGROUPED = pytest.StashKey[str]()

from autograder.authoring.samples import write_samples

from tests.public.conftest import pytest_configure as register_task_markers


def pytest_configure(config):
    register_task_markers(config)  # task and assignment markers, from course.yml (shared with the public tests)
    config.addinivalue_line("markers", "oracle: compares against PyTorch")
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    # pytest-xdist's marker (registered here too, so that a run without xdist still accepts it): `make test` runs
    # `-n 2 --dist loadgroup`, which sends the tests of one group to one worker, one after the other
    config.addinivalue_line("markers", "xdist_group(name): run these tests in one xdist worker")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under ``--dist loadgroup``, note when pytest-xdist could not group the tests (it marks each grouped test's
    node ID with ``@<group>``; pytest 9 ignores that mark): the tests that must share a worker (they watch
    processes system-wide, or build one nbgrader course) would then run in both workers at once."""
    if not getattr(config.option, "loadgroup", False):
        return
    grouped = [item for item in items if item.get_closest_marker("xdist_group")]
    if grouped and not any("@" in item.nodeid for item in grouped):
        config.stash[UNGROUPED] = (f"pytest-xdist {_version('pytest-xdist')} cannot group tests under pytest "
                                   f"{pytest.__version__} (xdist_group is ignored): install pytest<9 "
                                   "(pip install -e '.[test]')")


def pytest_runtest_setup(item):
    """Each grouped test fails at once, before its fixtures, when the groups could not be kept."""
    if UNGROUPED in item.config.stash and item.get_closest_marker("xdist_group"):
        pytest.fail(item.config.stash[UNGROUPED], pytrace=False)


@pytest.fixture
def rng():
    """A fresh float64 random generator, seeded per test for reproducibility."""
    return np.random.default_rng(231)


@pytest.fixture(scope="session")
def torch():
    """PyTorch as a float64 oracle (skipped without torch unless the oracle is required)."""
    try:
        import torch as torch_module
    except ImportError:
        if os.environ.get("RNN_COURSE_REQUIRE_ORACLE") == "1":
            pytest.fail("RNN_COURSE_REQUIRE_ORACLE=1 but torch is not installed: pip install -e '.[oracle]'")
        pytest.skip("torch not installed (pip install -e '.[oracle]')")
    torch_module.set_default_dtype(torch_module.float64)
    return torch_module


@pytest.fixture(scope="session")
def sample_submissions(tmp_path_factory):
    """The sample submissions of ``course samples`` (complete, empty, partial, mistake_*), written once per run."""
    directory = tmp_path_factory.mktemp("samples")
    write_samples(directory)
    return directory


# In this repository the public tests (tests/public/) check the reference solutions;
# `RNN_COURSE_IMPL=assignments pytest tests/public` checks the generated stubs instead.
os.environ.setdefault("RNN_COURSE_IMPL", "solutions")
