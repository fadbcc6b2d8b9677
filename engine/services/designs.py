"""Use cases of process designers beside validate and deploy: read a deployed version, compare
two versions, see what the catalogue already enforces per stage, and move running cases to a
new version.

Why a separate module: ``processes`` owns the privileged act (deploy); this one owns what a
designer reads while preparing it.  Reading deployed models is a designer's and an
administrator's business: they run as code, so their text is not for every role.
"""
from sqlalchemy import func, select

from ..domain import catalogue, roles
from ..domain.errors import NotFound
from ..domain.forms import FIELD_TYPES
from ..domain.stages import STAGE_IDS, STAGES
from ..persistence.models import Case, ProcessVersion
from ..workflow import diff as model_diff
from . import access
from .context import Actor, Habeas

DESIGN_READERS = roles.DEPLOYERS


def _version_row(session, process_id: str, version: int | None) -> ProcessVersion:
    query = select(ProcessVersion).where(ProcessVersion.process_id == process_id)
    if version is None:
        query = query.order_by(ProcessVersion.version.desc()).limit(1)
    else:
        query = query.where(ProcessVersion.version == version)
    row = session.execute(query).scalars().first()
    if row is None:
        which = f"version {version} of " if version is not None else ""
        raise NotFound(f"no {which}process '{process_id}' is deployed")
    return row


def deployed_version(ctx: Habeas, actor: Actor, process_id: str, version: int | None = None) -> dict:
    """One deployed version with its BPMN text (the latest when ``version`` is None)."""
    access.require_role(actor, DESIGN_READERS, "read process models")
    with ctx.unit_of_work() as session:
        row = _version_row(session, process_id, version)
        return {"process": row.process_id, "version": row.version, "title": row.title,
                "deployed_at": row.deployed_at.isoformat(), "deployed_by": row.deployed_by,
                "content_hash": row.content_hash, "xml": row.bpmn_xml}


def version_summary(ctx: Habeas, actor: Actor, process_id: str, version: int) -> list[dict]:
    """The user tasks of a version as a table: who completes them, the stage they enter, the
    checkpoints the catalogue enforces there and those the diagram adds, the evidence recorded."""
    deployed = deployed_version(ctx, actor, process_id, version)
    rows = []
    for element in model_diff.outline(deployed["xml"]).elements.values():
        if element.kind != "userTask":
            continue
        stage = element.properties.get("stage")
        enforced = [c.id for c in catalogue.guarding(stage)] if stage in STAGE_IDS else []
        rows.append({"id": element.id, "name": element.name, "lane": element.lane, "stage": stage,
                     "enforced": enforced, "added": model_diff.ids(element.properties.get("checkpoints")),
                     "evidence": model_diff.ids(element.properties.get("evidence")),
                     "fields": len(model_diff.form_fields(element.properties.get("form")) or {})})
    return rows


def diff_versions(ctx: Habeas, actor: Actor, process_id: str, from_version: int, to_version: int) -> dict:
    """The changes from one deployed version to another, each naming its element."""
    older = deployed_version(ctx, actor, process_id, from_version)
    newer = deployed_version(ctx, actor, process_id, to_version)
    from .processes import changes_between  # removed guarded elements name their rights
    return {"process": process_id, "from": from_version, "to": to_version,
            "changes": changes_between(older["xml"], newer["xml"])}


def compare_draft(ctx: Habeas, actor: Actor, process_id: str, version: int, draft: bytes | str) -> dict:
    """A draft (not deployed, maybe not even valid) against a deployed version: the structural
    changes, each naming its element, for the modeler's visual diff.  Stores nothing."""
    base = deployed_version(ctx, actor, process_id, version)
    from .processes import changes_between
    return {"process": process_id, "from": version, "changes": changes_between(base["xml"], draft)}


def open_cases_by_version(ctx: Habeas, actor: Actor, process_id: str) -> dict[int, int]:
    """How many open cases run on each version of a process (what a migration would move)."""
    access.require_role(actor, DESIGN_READERS, "read process models")
    with ctx.unit_of_work() as session:
        rows = session.execute(select(ProcessVersion.version, func.count(Case.id))
                               .join(Case, Case.process_version_id == ProcessVersion.id)
                               .where(ProcessVersion.process_id == process_id, Case.status == "open")
                               .group_by(ProcessVersion.version)).all()
        return {version: count for version, count in rows}


def modeler_vocabulary() -> dict:
    """What the modeler's properties panel offers: stages (with the checkpoints the catalogue
    enforces on entry, which no diagram can remove), checkpoints, and form field types."""
    stages = [{"id": s.id, "title": s.title, "guarded_by": [c.id for c in catalogue.guarding(s.id)]}
              for s in STAGES]
    checkpoints = [{"id": c.id, "right": c.right, "failure": c.failure.value, "legal_basis": c.legal_basis}
                   for c in catalogue.CATALOGUE.values()]
    return {"stages": stages, "checkpoints": checkpoints, "field_types": list(FIELD_TYPES)}
