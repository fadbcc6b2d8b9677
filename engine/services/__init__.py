"""Use cases: deploy, open a case, complete a task, record evidence, override, report, audit.

Each service call is one unit of work: it loads what it needs, changes it, appends to the audit
trail and commits, or changes nothing and raises a domain error."""
