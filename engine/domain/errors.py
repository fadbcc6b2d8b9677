"""One exception type per domain failure; the web layer maps each to an HTTP answer."""


class HabeasError(Exception):
    """Base of every failure the engine reports to a user."""

    code = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict:
        return {"error": self.code, "message": self.message}


class NotFound(HabeasError):
    code = "not_found"


class Forbidden(HabeasError):
    code = "forbidden"


class Conflict(HabeasError):
    """The case changed since it was read: reload and try again."""

    code = "conflict"


class InvalidData(HabeasError):
    code = "invalid_data"

    def __init__(self, message: str, fields: dict):
        super().__init__(message)
        self.fields = fields

    def to_dict(self) -> dict:
        return {**super().to_dict(), "fields": self.fields}


class InvalidBpmn(HabeasError):
    code = "invalid_bpmn"

    def __init__(self, message: str, problems: list):
        super().__init__(message)
        self.problems = problems  # [{"element": id or None, "message": str}]

    def to_dict(self) -> dict:
        return {**super().to_dict(), "problems": self.problems}


class ConfirmationRequired(HabeasError):
    """A deploy that removes guarded elements waits for a second person's confirmation."""

    code = "confirmation_required"

    def __init__(self, message: str, pending: int, removed: list, changes: list):
        super().__init__(message)
        self.pending, self.removed, self.changes = pending, removed, changes

    def to_dict(self) -> dict:
        return {**super().to_dict(), "pending": self.pending, "removed": self.removed, "changes": self.changes}


class CheckpointBlocked(HabeasError):
    """A stage may not be entered: the rights guarding it are not shown respected."""

    code = "checkpoint_blocked"

    def __init__(self, stage: str, failures: list):
        names = ", ".join(f"{f['id']} ({f['legal_basis']})" for f in failures)
        super().__init__(f"Cannot enter stage '{stage}': rights not shown respected: {names}")
        self.stage = stage
        self.failures = failures  # [{"id", "right", "legal_basis", "missing", "reasons"}]

    def to_dict(self) -> dict:
        return {**super().to_dict(), "stage": self.stage, "checkpoints": self.failures}


class OverrideRefused(Forbidden):
    code = "override_refused"


class WorkflowError(HabeasError):
    """The process model failed while running (a script error, a gateway with no way out)."""

    code = "workflow_error"


class Unauthenticated(HabeasError):
    """No valid credentials.  ``username`` names the user when the credentials were theirs but
    no longer hold (a revoked or expired token, a wrong password): such refusals are audited."""

    code = "unauthenticated"

    def __init__(self, message: str, username: str | None = None):
        super().__init__(message)
        self.username = username


class Throttled(HabeasError):
    """Too many failed logins for this user name or from this address; try again later."""

    code = "throttled"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
