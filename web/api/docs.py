"""What each endpoint reads and answers, declared beside the view, so that the OpenAPI document
is built from the same schemas the views use and no endpoint can go undescribed."""
from dataclasses import dataclass, field

from marshmallow import Schema


@dataclass(frozen=True)
class Operation:
    summary: str
    description: str = ""
    tag: str = "cases"
    body: type[Schema] | None = None
    body_type: str = "application/json"      # or "application/xml" for BPMN
    query: type[Schema] | None = None
    responses: dict = field(default_factory=dict)   # status -> (schema or None, description)
    errors: tuple = ()                              # extra error statuses: (status, schema, description)
    public: bool = False
    produces: tuple = ("application/json",)


OPERATIONS: dict[str, Operation] = {}


def operation(summary: str, **details):
    """Describe the decorated view for the OpenAPI document (keyed by its endpoint name)."""

    def decorator(view):
        OPERATIONS[f"api.{view.__name__}"] = Operation(summary=summary, **details)
        return view
    return decorator
