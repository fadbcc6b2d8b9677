"""Which rights guard a diagram element, and whether a new version guards it less.

An element's guard is what the step would check on it: the rights of its act kind
(``acts.guards``), the rights the catalogue binds to the stage it declares, and the checkpoints
the diagram adds.  A release is never refused, so it is guarded by nothing whatever its stage.

Why compare versions at all: each version, taken alone, may be lawful, yet a new version that
re-tags the custody decision's stage, or drops a checkpoint a designer had added, quietly lowers
what the running system checks.  Deploy refuses that (``weakened``); removing a guarded element
altogether is allowed only with a second person's confirmation (``removed``).
"""
from dataclasses import dataclass

from . import acts, catalogue
from .stages import STAGE_IDS


@dataclass(frozen=True)
class Guarded:
    """What a diagram declares about one element that decides its guard."""

    id: str
    act: str | None = None
    stage: str | None = None
    checkpoints: tuple[str, ...] = ()


def guards_of(element: Guarded) -> frozenset[str]:
    """The rights the step would check on this element (as ids)."""
    if element.act == acts.ActKind.RELEASE:
        return frozenset()
    ids = set(acts.guards(element.act))
    if element.stage in STAGE_IDS:
        ids.update(cp.id for cp in catalogue.guarding(element.stage))
    ids.update(c for c in element.checkpoints if c in catalogue.CATALOGUE)
    return frozenset(ids)


@dataclass(frozen=True)
class Weakening:
    """An element present in both versions whose new guard lacks rights the old one had."""

    element: str
    dropped: tuple[str, ...]

    @property
    def message(self) -> str:
        return (f"this version guards the element by fewer rights than the deployed one: it would drop "
                f"{', '.join(self.dropped)} (keep its act kind and stage, or give it these rights back "
                f"with the 'checkpoints' property)")


@dataclass(frozen=True)
class Removal:
    """A guarded element of the deployed version that the new version no longer has."""

    element: str
    rights: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"element": self.element, "rights": list(self.rights)}


def _stage_guards(element: Guarded) -> frozenset[str]:
    if element.stage not in STAGE_IDS:
        return frozenset()
    return frozenset(cp.id for cp in catalogue.guarding(element.stage))


def _kind_guards(element: Guarded) -> frozenset[str]:
    return frozenset(acts.guards(element.act))


def weakened(old: dict[str, Guarded], new: dict[str, Guarded]) -> list[Weakening]:
    """Elements (same id in both) that the new version guards by fewer rights, by id.

    The kind and the stage are compared each on its own, as well as the whole guard: a re-tag of
    the interrogation's stage as ``investigation`` is refused even though the act kind still
    brings counsel with it, because the stage also decides what the case enters and what the
    reviewers count (an interrogation re-tagged away would drop out of the counsel indicator)."""
    out = []
    for element_id in sorted(set(old) & set(new)):
        was, now = old[element_id], new[element_id]
        dropped = (guards_of(was) - guards_of(now)) | (_kind_guards(was) - _kind_guards(now))
        if now.act != acts.ActKind.RELEASE:
            dropped |= _stage_guards(was) - _stage_guards(now)
        if dropped:
            out.append(Weakening(element_id, tuple(sorted(dropped))))
    return out


def removed(old: dict[str, Guarded], new: dict[str, Guarded]) -> list[Removal]:
    """Guarded elements of the old version that are gone from the new one, by id."""
    return [Removal(element_id, tuple(sorted(guards_of(old[element_id]))))
            for element_id in sorted(set(old) - set(new)) if guards_of(old[element_id])]
