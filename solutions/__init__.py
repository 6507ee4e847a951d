"""Reference solutions of the RNN course: the single source of truth.

Every graded function body sits between ``# BEGIN SOLUTION`` and ``# END SOLUTION``
markers; ``course release`` strips those blocks to generate the student stubs in
``assignments/``.
"""
