"""SQLAlchemy 2 models, the unit of work and the audit chain.  No Flask here."""
