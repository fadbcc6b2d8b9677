"""Validating and deploying process models.  A right to deploy is a right to run code, so
deploying is a privileged, audited act, and every script in the model must compile in the sandbox.

Deploy also proves, on the graph, that the diagram cannot leave a right unguarded
(``engine.domain.proof``), and compares the new version with the latest one: an element guarded
by fewer rights than before is refused; a guarded element removed waits for a second person's
confirmation (``engine.services.pending``)."""
import hashlib
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..domain import acts, catalogue, guarding, proof, roles
from ..domain.errors import InvalidBpmn
from ..domain.stages import STAGE_IDS
from ..persistence import audit
from ..persistence.models import ProcessVersion
from ..workflow import diff as model_diff
from ..workflow.adapter import ProcessModel
from ..workflow.bpmn_xml import lint, parse_xml_safely
from ..workflow.connections import MESSAGES as CONNECTION_MESSAGES
from ..workflow.graph import extract, guarded_elements
from . import access
from .context import Actor, Habeas


CONNECTION_RULES = frozenset(CONNECTION_MESSAGES)


@dataclass(frozen=True)
class Validation:
    problems: list[dict]  # {"element", "message", "severity"} (+ "rule", "path" for the proof's)
    model: ProcessModel | None
    guarded: dict = field(default_factory=dict)  # element id -> guarding.Guarded
    proof: str = "not run"                        # holds | refused | not run (the lint found errors)

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
    problems = [p.to_dict() for p in lint(root, STAGE_IDS, catalogue.CHECKPOINT_IDS, acts.ACT_KINDS)]
    # A disconnected element or a plain Task leaves the graph readable: the proof still runs, so
    # the designer sees every finding at once.  Any other error may leave it meaningless.
    if any(p["severity"] == "error" and p.get("rule") not in CONNECTION_RULES for p in problems):
        return Validation(problems, None)
    findings = [f.to_problem() for f in proof.prove(extract(root))]
    if findings:
        return Validation(problems + findings, None, proof="refused")
    if any(p["severity"] == "error" for p in problems):
        return Validation(problems, None, proof="holds")
    try:
        model = ProcessModel.from_bpmn(xml)
    except InvalidBpmn as err:
        return Validation(problems + [{**p, "severity": "error"} for p in err.problems], None, proof="holds")
    return Validation(problems, model, guarded_elements(root), proof="holds")


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


def deployable(xml: bytes | str) -> Validation:
    """The validation of a model about to be deployed; InvalidBpmn listing every error."""
    result = validate(xml)
    if not result.ok:
        raise InvalidBpmn(f"the model cannot be deployed: {len(result.errors)} problem(s)", result.errors)
    return result


def deploy(ctx: Habeas, actor: Actor, xml: bytes | str) -> Deployment:
    """Deploy a new immutable version; the same content deployed again is the same version.

    Refused (InvalidBpmn) when an element of the latest version is guarded by fewer rights;
    ConfirmationRequired (with a pending deployment) when guarded elements are removed."""
    from . import pending  # imported here: pending builds on this module

    access.require_role(actor, roles.DEPLOYERS, "deploy process models")
    result = deployable(xml)
    raw = xml.encode() if isinstance(xml, str) else xml
    digest = hashlib.sha256(raw).hexdigest()
    model = result.model
    with ctx.unit_of_work() as session:
        existing = session.execute(select(ProcessVersion).where(ProcessVersion.content_hash == digest)).scalar_one_or_none()
        if existing is not None:
            return Deployment(existing.process_id, existing.version, existing.id, False, result.warnings)
        latest = latest_row(session, model.process_id)
        gone = compare_with(latest, result)
        if gone:
            waiting = pending.request(ctx, session, actor, latest, raw, digest, gone)
        else:
            row = store(ctx, session, model, raw, digest, actor.username)
    if gone:
        raise waiting
    ctx.models.put(row.id, model)
    return Deployment(row.process_id, row.version, row.id, True, result.warnings)


def latest_row(session, process_id: str) -> ProcessVersion | None:
    return session.execute(select(ProcessVersion).where(ProcessVersion.process_id == process_id)
                           .order_by(ProcessVersion.version.desc()).limit(1)).scalars().first()


def compare_with(latest: ProcessVersion | None, result: Validation) -> list[guarding.Removal]:
    """Refuse a silent weakening of the latest version; return the guarded elements removed."""
    if latest is None:
        return []
    old = guarded_elements(parse_xml_safely(latest.bpmn_xml))
    weaker = guarding.weakened(old, result.guarded)
    if weaker:
        raise InvalidBpmn(f"this version guards {len(weaker)} element(s) by fewer rights than version "
                          f"{latest.version}", [{"element": w.element, "message": w.message,
                                                 "rights": list(w.dropped)} for w in weaker])
    return guarding.removed(old, result.guarded)


def changes_between(old_xml: str, new_xml: bytes | str) -> list[dict]:
    """The structural diff, each removed guarded element naming the rights it carried."""
    old = guarded_elements(parse_xml_safely(old_xml))
    out = []
    for change in model_diff.diff(old_xml, new_xml):
        item = change.to_dict()
        if change.action == "removed" and change.element in old:
            rights = sorted(guarding.guards_of(old[change.element]))
            if rights:
                item["rights"] = rights
                item["message"] += (f" (guarded by {', '.join(rights)}: deploying this needs a second "
                                    "designer's or administrator's confirmation)")
        out.append(item)
    return out


def store(ctx: Habeas, session, model: ProcessModel, raw: bytes, digest: str, deployed_by: str,
          confirmed_by: str | None = None) -> ProcessVersion:
    """Add the next version of the model and audit it, in the caller's transaction."""
    last = session.execute(select(func.max(ProcessVersion.version))
                           .where(ProcessVersion.process_id == model.process_id)).scalar() or 0
    now = ctx.now()
    row = ProcessVersion(process_id=model.process_id, version=last + 1, title=model.title,
                         content_hash=digest, bpmn_xml=raw.decode(), spec_json=model.to_json(),
                         deployed_at=now, deployed_by=deployed_by)
    session.add(row)
    session.flush()
    payload = {"process": row.process_id, "version": row.version, "content_hash": digest}
    if confirmed_by:
        payload["confirmed_by"] = confirmed_by
    audit.append(session, at=now, actor=confirmed_by or deployed_by, action="process.deployed", case_id=None,
                 payload=payload)
    return row


def list_versions(ctx: Habeas) -> list[dict]:
    with ctx.unit_of_work() as session:
        rows = session.execute(select(ProcessVersion.id, ProcessVersion.process_id, ProcessVersion.version,
                                      ProcessVersion.title, ProcessVersion.deployed_at, ProcessVersion.deployed_by,
                                      ProcessVersion.content_hash)
                               .order_by(ProcessVersion.process_id, ProcessVersion.version)).all()
        return [{"id": r.id, "process": r.process_id, "version": r.version, "title": r.title,
                 "deployed_at": r.deployed_at.isoformat(), "deployed_by": r.deployed_by,
                 "content_hash": r.content_hash} for r in rows]
