"""The OpenAPI 3 document, built from the app's own URL rules and the schemas the views use.

Every /api/v1 rule is looked up in ``docs.OPERATIONS``; the error bodies each endpoint can give
(401/403 without the right credentials, 404 for unknown ids, 400/413/415/422 for bad bodies) are
added from what the endpoint reads, so the document cannot promise less than the code does."""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify

from . import bp, schemas as s
from .docs import OPERATIONS, Operation, operation

RULE_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
TAGS = [{"name": "cases", "description": "open, read and advance cases"},
        {"name": "rights", "description": "evidence, overrides and escalations of the rights checkpoints"},
        {"name": "acts", "description": "acts the engine defines beside the diagram: release, custody "
                                         "extension, re-qualification, derogation from counsel"},
        {"name": "complaints", "description": "complaints about a case's acts (CPC 105-106) and ill-treatment "
                                               "allegations (UNCAT 12-13)"},
        {"name": "reports", "description": "compliance and the legal clocks"},
        {"name": "audit", "description": "the SHA-256-chained audit trail"},
        {"name": "processes", "description": "deployed BPMN process models"},
        {"name": "training", "description": "practice cases on a virtual clock, debriefs, trainers' reports"},
        {"name": "incidents", "description": "cases the engine could not load or move on, and their repair"},
        {"name": "meta", "description": "this document"}]
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "the API token printed once by `habeas user add`"},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session",
                      "description": "a logged-in browser session; every POST must then carry the page's "
                                     "CSRF token in an `X-CSRFToken` header"},
}


@bp.get("/openapi.json")
@operation("This OpenAPI document", tag="meta", public=True,
           responses={200: (None, "the OpenAPI 3 document of /api/v1")})
def openapi_document():
    document = current_app.extensions.get("habeas_openapi")
    if document is None:
        document = current_app.extensions["habeas_openapi"] = build(current_app)
    return jsonify(document)


def build(app) -> dict:
    spec = APISpec(title="Habeas API", version="1.0.0", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": "Criminal cases with human-rights checkpoints: the same services and "
                                        "rules as the web pages.  Every error is a JSON object with `error` "
                                        "(a code) and `message`."},
                   tags=TAGS, security=[{"bearerAuth": []}, {"sessionCookie": []}])
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    paths: dict[str, dict] = {}
    parameters: dict[str, list] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        op = OPERATIONS.get(rule.endpoint)
        if not rule.endpoint.startswith(f"{bp.name}.") or op is None:
            continue
        path, params = _path(rule.rule)
        parameters[path] = params
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(op, has_ids=bool(params),
                                                                    name=rule.endpoint.split(".", 1)[1])
    for path, operations in paths.items():
        spec.path(path=path, operations=operations, parameters=parameters[path])
    return spec.to_dict()


def _path(rule: str) -> tuple[str, list]:
    """'/cases/<int:case_id>' -> ('/cases/{case_id}', [its path parameter])."""
    params = [{"in": "path", "name": name, "required": True,
               "schema": {"type": "integer", "minimum": 1, "maximum": s.MAX_ID} if converter == "int"
               else {"type": "string", "maxLength": 100}}
              for converter, name in RULE_ARGUMENT.findall(rule)]
    return RULE_ARGUMENT.sub(lambda m: "{" + m.group(2) + "}", rule), params


def _operation(op: Operation, *, has_ids: bool, name: str) -> dict:
    out = {"summary": op.summary, "operationId": name, "tags": [op.tag], "responses": _responses(op, has_ids)}
    if op.description:
        out["description"] = op.description
    if op.public:
        out["security"] = []
    if op.query is not None:
        out["parameters"] = [{"in": "query", "schema": op.query}]
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": {op.body_type: {"schema": op.body}}}
    elif op.body_type != "application/json":
        out["requestBody"] = {"required": True, "description": "BPMN 2.0 XML in the spiffworkflow dialect",
                              "content": {t: {"schema": {"type": "string"}} for t in ("application/xml", "text/xml")}}
    return out


def _responses(op: Operation, has_ids: bool) -> dict:
    out = {}
    for status, (schema, description) in op.responses.items():
        content = {"application/json": {"schema": schema}} if schema is not None else \
            {"application/json": {"schema": {"type": "object"}}}
        if "text/csv" in op.produces:
            content["text/csv"] = {"schema": {"type": "string"}}
        out[str(status)] = {"description": description, "content": content}
    for status, schema, description in _errors(op, has_ids):
        out[str(status)] = {"description": description, "content": {"application/json": {"schema": schema}}}
    return out


def _errors(op: Operation, has_ids: bool):
    """The error answers this endpoint can give, most general first; its own ``errors`` last."""
    found = {}
    if not op.public:
        found[401] = (s.Error, "unauthenticated: no credentials (send 'Authorization: Bearer TOKEN'), or an "
                               "unknown, revoked or expired token")
        found[403] = (s.Error, "forbidden: a role that may not do this (audited)")
    if has_ids:
        found[404] = (s.Error, "not_found: no such case, task or escalation (ids are positive integers)")
    if op.query is not None:
        found[422] = (s.InvalidDataError, "invalid_data: a query parameter is missing, unknown or of the wrong type")
    if op.body is not None or op.body_type != "application/json":
        found[400] = (s.Error, "malformed_json: the body is not JSON; or csrf: a session POST without X-CSRFToken")
        found[413] = (s.Error, "too_large: the body is larger than 2 MB")
        found[415] = (s.Error, "unsupported_media_type: the body has the wrong content type")
        found[422] = (s.InvalidDataError, "invalid_data: the body does not match the schema (messages per field)")
    for status, schema, description in op.errors:
        found[status] = (schema, description)
    return [(status, schema, description) for status, (schema, description) in sorted(found.items())]
