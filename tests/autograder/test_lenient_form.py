"""Lenient on form, strict on values (issue 12, part 4): what a student returns in another form than documented.

- a list or tuple where one array is documented is converted with np.array and checked like the array
  (full marks when its values are right); when the converted shape is wrong, the message says it was a list;
- a function that returns something else than the documented tuple is told what it returned and what was
  expected, instead of "output 'dx' is missing" for every output;
- a dict with other keys than documented names the keys it has and the keys expected.
The checks run in the grader on the flat arrays the sandbox returns (:func:`harness.flatten`), as here.
"""

import numpy as np
import pytest

from autograder.runtime import harness
from autograder.runtime.messages import t

SPECS = harness.all_specs()
REFERENCE = harness.make_loader("solutions")
DIMS = {"N": 2, "T": 3, "D": 4, "H": 5}


def case(task_id, seed=0):
    spec = SPECS[task_id]
    args = spec.inputs(np.random.default_rng(seed), **DIMS)
    expected, _ = harness.run_case(spec, REFERENCE, args)
    return spec, args, expected


def problems_of(task_id, change):
    """The problems of the reference's outputs of task_id, changed by change(returned) before flattening."""
    spec, args, expected = case(task_id)
    task = harness.course_manifest().task(task_id)
    function = harness.task_function(task_id, REFERENCE)

    class Changed:  # the reference module of the task, with the task's function changed
        def __getattr__(self, name):
            if name == task.function:
                return lambda *a, **k: change(function(*a, **k))
            return getattr(REFERENCE(task.module), name)

    def load(module):
        return Changed() if module == task.module else REFERENCE(module)

    outputs = harness.flatten(spec.run(load, args))
    found = harness.check_outputs(spec, outputs, expected, 1e-8)
    return found, [t(found_one.code, "en", **found_one.fields) for found_one in found]


def test_a_list_of_rows_is_converted_and_keeps_full_marks():
    assert problems_of("1.1", lambda r: (list(r[0]), r[1]))[0] == []
    assert problems_of("1.1", lambda r: (r[0].tolist(), r[1]))[0] == []


def test_a_list_of_time_steps_is_converted_and_its_shape_reported_as_a_list():
    found, text = problems_of("1.3", lambda r: ([r[0][:, k] for k in range(r[0].shape[1])], r[1]))
    assert [f.code for f in found] == ["output.list_shape"]
    assert text == ["output 'h' is a list or tuple of 3 items; as one array (np.array) it has shape (3, 2, 5), "
                    "expected an ndarray of shape (2, 3, 5) (stack the items along the right axis)"]


def test_a_ragged_list_names_its_items():
    found, text = problems_of("1.3", lambda r: ([r[0][:, 0], r[0][:, 1:]], r[1]))
    assert [f.code for f in found] == ["output.not_array"]
    assert "list or tuple of 2 items (shapes [(2, 5), (2, 2, 5)])" in text[0] and "(2, 3, 5)" in text[0]


@pytest.mark.parametrize("change,message", [
    (lambda r: r[:4], "returned a tuple or list of 4 values; expected a tuple of 5 values (dx, dh_prev, dWx, dWh, db)"),
    (lambda r: r[0], "returned one ndarray of shape (2, 4); expected a tuple of 5 values (dx, dh_prev, dWx, dWh, db)"),
    (lambda r: dict(zip(("dx", "dh", "dWx", "dWh", "db"), r)),
     "returned a dict with the keys ['dWh', 'dWx', 'db', 'dh', 'dx']; expected a tuple of 5 values "
     "(dx, dh_prev, dWx, dWh, db)"),
])
def test_another_return_than_the_documented_tuple_says_what_was_returned(change, message):
    found, text = problems_of("1.2", change)
    assert text == [message]


def test_a_mis_keyed_dict_names_its_keys():
    def rename(r):
        loss, grads, h_last = r
        return loss, {("W_x" if k == "Wx" else k): v for k, v in grads.items()}, h_last

    found, text = problems_of("1.9", rename)
    assert text == ["'grads' has the keys ['W_x', 'Wh', 'Wy', 'b', 'by']; expected the keys ['Wh', 'Wx', 'Wy', 'b', 'by']"]


def test_every_new_code_has_an_english_and_a_korean_message():
    fields = {"name": "h", "count": 2, "got": (1,), "want": (2,), "names": "a, b", "shapes": []}
    frequency = {"what": "x", "bin": "1", "got": 0.5, "want": 0.25, "draws": 10, "margin": 0.1}
    for code in ("output.list_shape", "output.returned_array", "output.returned_tuple", "output.returned_dict",
                 "output.returned_other", "output.dict_keys", "output.not_array", "output.missing", "prop.frequency"):
        for lang in ("en", "ko"):
            text = t(code, lang, **(frequency if code == "prop.frequency" else fields))
            assert text != code and "{" not in text, (code, lang)
