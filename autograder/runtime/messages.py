"""The message catalogue: every user-facing message, one YAML file per language, keyed by message ID.

    t("output.shape", name="h", got=(2, 3), want=(2, 4))  ->  "output 'h' has shape (2, 3), expected (2, 4)"

The language is ``$RNN_COURSE_LANG`` (``en`` by default; ``ko``): the public
tests' conftest sets it from ``course.yml``'s ``course.language`` and
``course grade --lang`` sets it for the graders. Task titles and hints are not
in the catalogue: ``course.yml`` holds them in every language (:func:`task_text`).
"""

import os
from pathlib import Path

MESSAGES_DIR = Path(__file__).resolve().parent / "messages"
LANG_ENV = "RNN_COURSE_LANG"
LANGUAGES = ("en", "ko")
_CATALOGUES = {}


def language():
    lang = os.environ.get(LANG_ENV, "en")
    if lang not in LANGUAGES:
        raise ValueError(f"${LANG_ENV} is {lang!r}; the course speaks {', '.join(LANGUAGES)}")
    return lang


def safe_yaml(text):
    """The YAML document ``text`` read with a safe loader (libyaml's when PyYAML has it: much faster).

    PyYAML is imported here, on first use: the grading sandbox's child reads no YAML (its course.yml is written
    in JSON, a form of YAML it parses with the standard library) and so does not pay for the import."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader


def catalogue(lang):
    if lang not in _CATALOGUES:
        _CATALOGUES[lang] = safe_yaml((MESSAGES_DIR / f"{lang}.yml").read_text(encoding="utf-8"))
    return _CATALOGUES[lang]


def t(key, lang=None, **fields):
    """The message ``key`` in the current (or given) language, with its fields filled in."""
    return catalogue(lang or language())[key].format(**fields)


def task_text(task, field, lang=None):
    """A task's ``field`` ("title", "hint" or "nudge") in the current (or given) language, from its course.yml entry.

    Inputs:
    - task: a :class:`~.manifest.Task`
    - field: "title", "hint" or "nudge" (the stub's TODO and the handout's table; the hint when there is none)
    - lang: a language of the course (default: :func:`language`)
    """
    return task.text(field, lang or language())
