"""The import direction of the layers: runtime <- grading <- authoring.

- ``autograder/runtime`` imports only numpy, yaml, the standard library and itself
  (the student release vendors it);
- ``autograder/grading`` imports the runtime and itself;
- ``autograder/authoring`` may import both;
- nothing in ``autograder/`` imports ``tests``; ``solutions/`` imports nothing of ``autograder``.

Imports are read with ``ast`` (relative imports resolved), never by importing the code.
"""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STDLIB = set(sys.stdlib_module_names)
LAYERS = ("runtime", "grading", "authoring")
ALLOWED = {  # layer -> the autograder layers it may import
    "runtime": {"runtime"},
    "grading": {"runtime", "grading"},
    "authoring": {"runtime", "grading", "authoring"},
}


def imported_modules(path):
    """Absolute names of every module imported by a file (relative imports resolved against its package)."""
    package = list(path.relative_to(ROOT).with_suffix("").parts)[:-1]
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
                names += [module] if node.module else [f"{module}.{alias.name}" for alias in node.names]
            else:
                names.append(node.module)
    return names


def python_files(directory):
    return sorted(p for p in (ROOT / directory).rglob("*.py") if "__pycache__" not in p.parts)


def layer_of(module):
    parts = module.split(".")
    return parts[1] if parts[0] == "autograder" and len(parts) > 1 and parts[1] in LAYERS else None


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_imports_only_the_layers_below_it(layer):
    problems = []
    for path in python_files(f"autograder/{layer}"):
        for module in imported_modules(path):
            top = module.split(".")[0]
            if top == "tests":
                problems.append(f"{path.relative_to(ROOT)} imports {module} (nothing in autograder imports tests)")
            elif top == "autograder":
                target = layer_of(module)
                if target not in ALLOWED[layer]:
                    problems.append(f"{path.relative_to(ROOT)} ({layer}) imports {module}")
            elif layer == "runtime" and top not in STDLIB | {"numpy", "yaml"}:
                problems.append(f"{path.relative_to(ROOT)} (runtime) imports {module}: only numpy, yaml, stdlib")
    assert not problems, "\n".join(problems)


def test_every_autograder_module_belongs_to_a_layer():
    stray = [str(p.relative_to(ROOT)) for p in python_files("autograder")
             if p.parent != ROOT / "autograder" and p.relative_to(ROOT / "autograder").parts[0] not in LAYERS]
    stray += [str(p.relative_to(ROOT)) for p in python_files("autograder")
              if p.parent == ROOT / "autograder" and p.name != "__init__.py"]
    assert not stray


def test_solutions_import_nothing_of_the_autograder_or_tests():
    problems = [f"{path.relative_to(ROOT)} imports {module}" for path in python_files("solutions")
                for module in imported_modules(path) if module.split(".")[0] in ("autograder", "tests")]
    assert not problems, "\n".join(problems)


def test_the_checker_sees_relative_imports():
    """The rule would be empty if relative imports were missed: grading's use of the runtime must show."""
    modules = imported_modules(ROOT / "autograder" / "grading" / "grade.py")
    assert "autograder.runtime.harness" in modules or "autograder.runtime" in " ".join(modules)
    assert any(m.startswith("autograder.grading.") for m in modules)
