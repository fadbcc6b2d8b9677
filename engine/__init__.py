"""Habeas engine: criminal cases run through BPMN stages guarded by rights checkpoints.

Layers (dependencies point inward): ``services`` use ``domain`` (pure rules),
``workflow`` (the only code that imports SpiffWorkflow) and ``persistence``
(SQLAlchemy models and the unit of work).  Nothing here imports Flask or ``web``.
"""

# The one place the version lives: setup.cfg reads it (``version = attr:``), ``habeas --version``
# shows it, CHANGELOG.md says what each one changed.  A ``.devN`` suffix: unreleased work after the
# last release.
__version__ = "0.2.0.dev0"
