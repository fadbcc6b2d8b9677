"""Habeas engine: criminal cases run through BPMN stages guarded by rights checkpoints.

Layers (dependencies point inward): ``services`` use ``domain`` (pure rules),
``workflow`` (the only code that imports SpiffWorkflow) and ``persistence``
(SQLAlchemy models and the unit of work).  Nothing here imports Flask or ``web``.
"""
