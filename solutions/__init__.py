"""Reference solutions of the RNN course: the single source of truth.

The body of every graded function sits between a BEGIN and an END solution
marker line (see ``autograder/authoring/solution_markers.py``); ``course stubs`` strips
those blocks to generate the student stubs in ``assignments/``.
"""
