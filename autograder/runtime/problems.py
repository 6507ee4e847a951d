"""A problem found by a check, as data: a message-catalogue key and the fields of its message.

    Problem("output.shape", {"name": "h", "got": (2, 3), "want": (2, 4)})

Checks (the harness, the property checks of the cases, the graders) return
problems; only the edges (the graders' reports, the public tests' failure
messages) render them as text, with ``messages.t(problem.code, lang,
**problem.fields)``. Field values are plain Python (str, int, float, bool,
None, tuples and lists of them), so a JSON report can carry them beside the text.
"""

import json
from dataclasses import dataclass, field

import numpy as np


def _plain(value):
    """A JSON-friendly Python value: numpy scalars become Python numbers, dtypes and other objects strings."""
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


@dataclass(frozen=True)
class Problem:
    """What went wrong: ``code`` is a message key (e.g. "output.shape"), ``fields`` fill in its message."""
    code: str
    fields: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "fields", {str(key): _plain(value) for key, value in self.fields.items()})

    def __hash__(self):
        return hash((self.code, json.dumps(self.fields, sort_keys=True, default=str)))

    def to_dict(self):
        """{"code", "fields"} (fields JSON-serialisable; tuples become lists)."""
        return {"code": self.code, "fields": dict(self.fields)}


def problem(code, /, **fields):
    """Shorthand: ``problem("output.missing", name="h")``."""
    return Problem(code, fields)
