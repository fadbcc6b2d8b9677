"""Validating and deploying process models.  A right to deploy is a right to run code, so
deploying is a privileged, audited act, and every script in the model must compile in the sandbox."""
import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select

from ..domain import catalogue, roles
from ..domain.errors import InvalidBpmn
from ..domain.stages import STAGE_IDS
from ..persistence import audit
from ..persistence.models import ProcessVersion
from ..workflow.adapter import ProcessModel
from ..workflow.bpmn_xml import lint, parse_xml_safely
from . import access
from .context import Actor, Habeas


@dataclass(frozen=True)
class Validation:
    problems: list[dict]  # {"element", "message", "severity"}
    model: ProcessModel | None

    @property
    def errors(self) -> list[dict]:
        return [p for p in self.problems if p["severity"] == "error"]

    @property
    def warnings(self) -> list[dict]:
        return [p for p in self.problems if p["severity"] == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(xml: bytes | str) -> Validation:
    """Everything ``habeas validate`` and the modeler's save report, each problem with its element."""
    try:
        root = parse_xml_safely(xml)
    except InvalidBpmn as err:
        return Validation([{**p, "severity": "error"} for p in err.problems], None)
    problems = [p.to_dict() for p in lint(root, STAGE_IDS, catalogue.CHECKPOINT_IDS)]
    if any(p["severity"] == "error" for p in problems):
        return Validation(problems, None)
    try:
        model = ProcessModel.from_bpmn(xml)
    except InvalidBpmn as err:
        return Validation(problems + [{**p, "severity": "error"} for p in err.problems], None)
    return Validation(problems, model)


@dataclass(frozen=True)
class Deployment:
    process_id: str
    version: int
    version_id: int
    created: bool
    warnings: list[dict]

    def to_dict(self) -> dict:
        return {"process": self.process_id, "version": self.version, "created": self.created,
                "warnings": self.warnings}


def deploy(ctx: Habeas, actor: Actor, xml: bytes | str) -> Deployment:
    """Deploy a new immutable version; the same content deployed again is the same version."""
    access.require_role(actor, roles.DEPLOYERS, "deploy process models")
    result = validate(xml)
    if not result.ok:
        raise InvalidBpmn(f"the model cannot be deployed: {len(result.errors)} problem(s)", result.errors)
    raw = xml.encode() if isinstance(xml, str) else xml
    digest = hashlib.sha256(raw).hexdigest()
    model = result.model
    with ctx.unit_of_work() as session:
        existing = session.execute(select(ProcessVersion).where(ProcessVersion.content_hash == digest)).scalar_one_or_none()
        if existing is not None:
            return Deployment(existing.process_id, existing.version, existing.id, False, result.warnings)
        last = session.execute(select(func.max(ProcessVersion.version))
                               .where(ProcessVersion.process_id == model.process_id)).scalar() or 0
        now = ctx.now()
        row = ProcessVersion(process_id=model.process_id, version=last + 1, title=model.title,
                             content_hash=digest, bpmn_xml=raw.decode(), spec_json=model.to_json(),
                             deployed_at=now, deployed_by=actor.username)
        session.add(row)
        session.flush()
        audit.append(session, at=now, actor=actor.username, action="process.deployed", case_id=None,
                     payload={"process": row.process_id, "version": row.version, "content_hash": digest})
    ctx.models.put(row.id, model)
    return Deployment(row.process_id, row.version, row.id, True, result.warnings)


def list_versions(ctx: Habeas) -> list[dict]:
    with ctx.unit_of_work() as session:
        rows = session.execute(select(ProcessVersion.id, ProcessVersion.process_id, ProcessVersion.version,
                                      ProcessVersion.title, ProcessVersion.deployed_at, ProcessVersion.deployed_by,
                                      ProcessVersion.content_hash)
                               .order_by(ProcessVersion.process_id, ProcessVersion.version)).all()
        return [{"id": r.id, "process": r.process_id, "version": r.version, "title": r.title,
                 "deployed_at": r.deployed_at.isoformat(), "deployed_by": r.deployed_by,
                 "content_hash": r.content_hash} for r in rows]
