"""Authoring: the ``course`` CLI verbs that build stubs, releases, fixtures, bundles and notebooks."""
