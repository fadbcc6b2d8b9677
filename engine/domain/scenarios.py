"""Training scenarios: practice cases drawn from a real standard, kept as JSON data files beside
the processes (``processes/training/*.json``).  Pure: loading, checking and the time tokens a
walk's data may use; playing a scenario is ``engine.services.training``.

A scenario gives the facts and timeline, the trainee's role, the decisions to make, for each
right the expected outcome with its reasoning and legal basis, the events the virtual clock
delivers, a reference walk (the steps through the real engine that respect every right) and a
mistake walk (the same case with a deliberate legal mistake, naming the rights it breaks)."""
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from . import catalogue
from .errors import InvalidData

# what a right's record can show at the end of a walk
RESPECTED, LATE, MISSED, OVERRIDDEN_WITHOUT_GROUND, OVERRIDDEN, NOT_REACHED = (
    "respected", "late", "missed", "overridden_without_ground", "overridden", "not_reached")
OUTCOMES = (RESPECTED, LATE, MISSED, OVERRIDDEN_WITHOUT_GROUND, OVERRIDDEN, NOT_REACHED)
EXPECTABLE = (RESPECTED, OVERRIDDEN)  # a scenario expects a right respected, or lawfully set aside
STEP_KINDS = ("complete", "evidence", "advance", "release", "derogate", "override", "extend_custody",
              "requalify", "refer")
# what an event of the scenario may do to the case when the virtual clock reaches it: the person
# alleges ill-treatment (an allegation recorded as the person made it, UNCAT 12-13), or the
# defence files a complaint.  Events happen to the trainee; they are not the trainee's steps.
EVENT_ACTS = ("allege", "complain")
TRAINEE_ROLES = ("investigator", "prosecutor", "supervising_prosecutor", "judge", "defence")
_TOKEN = re.compile(r"^@now(?:([+-])(\d+)([mhd]))?$")
_AGE = re.compile(r"^@age:(\d+)$")


@dataclass(frozen=True)
class Expectation:
    right: str
    expected: str
    reasoning: str
    legal_basis: str
    points: int = 1


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    summary: str
    standards: tuple[str, ...]
    role: str
    facts: str
    timeline: tuple[dict, ...]
    decisions: tuple[str, ...]
    opening: dict
    rights: tuple[Expectation, ...]
    events: tuple[dict, ...]
    reference_walk: tuple[dict, ...]
    mistake: dict
    process: str = "criminal_case"

    @property
    def max_score(self) -> int:
        return sum(e.points for e in self.rights)

    def expectation(self, right: str) -> Expectation | None:
        return next((e for e in self.rights if e.right == right), None)

    def mistake_walk(self) -> list[dict]:
        """The mistake walk's steps: written out, or the reference walk with some steps left out
        (``omit``: their indices), replaced (``replace``: index -> step) or with steps inserted
        before a step (``insert``: index -> steps; the usual mistake: an act attempted too early)."""
        if "steps" in self.mistake:
            return list(self.mistake["steps"])
        omit = set(self.mistake.get("omit", ()))
        replace = {int(k): v for k, v in self.mistake.get("replace", {}).items()}
        insert = {int(k): v for k, v in self.mistake.get("insert", {}).items()}
        out = []
        for i, step in enumerate(self.reference_walk):
            out += insert.get(i, [])
            if i not in omit:
                out.append(replace.get(i, step))
        return out

    def briefing(self) -> dict:
        """What a trainee is told before playing: the story and the rights at stake, not the
        expected outcomes, the reasoning nor the walks (those come with the debrief)."""
        return {"id": self.id, "process": self.process, "title": self.title, "summary": self.summary,
                "standards": list(self.standards), "role": self.role, "facts": self.facts,
                "timeline": list(self.timeline), "decisions": list(self.decisions), "max_score": self.max_score,
                "rights": [{"right": e.right, "points": e.points} for e in self.rights]}

    def to_dict(self) -> dict:
        return {"id": self.id, "process": self.process, "title": self.title, "summary": self.summary, "standards": list(self.standards),
                "role": self.role, "facts": self.facts, "timeline": list(self.timeline),
                "decisions": list(self.decisions), "max_score": self.max_score,
                "rights": [{"right": e.right, "expected": e.expected, "reasoning": e.reasoning,
                            "legal_basis": e.legal_basis, "points": e.points} for e in self.rights],
                "events": list(self.events), "reference_walk": list(self.reference_walk),
                "mistake": {"description": self.mistake.get("description", ""),
                            "breaks": list(self.mistake.get("breaks", ()))}}


def parse(data: dict, source: str = "scenario") -> Scenario:
    """A scenario from its JSON; every problem named with where it is."""
    problems: dict[str, list[str]] = {}

    def need(key, kind):
        value = data.get(key)
        if not isinstance(value, kind) or (kind in (str, list) and not value):
            problems.setdefault(key, []).append(f"required ({kind.__name__})")
        return value

    if not isinstance(data, dict):
        raise InvalidData(f"{source}: a scenario is a JSON object", {"scenario": ["not an object"]})
    for key, kind in (("id", str), ("title", str), ("summary", str), ("standards", list), ("role", str),
                      ("facts", str), ("decisions", list), ("rights", dict), ("reference_walk", list),
                      ("mistake", dict)):
        need(key, kind)
    if data.get("role") not in TRAINEE_ROLES:
        problems.setdefault("role", []).append(f"one of: {', '.join(TRAINEE_ROLES)}")
    rights = []
    for right, spec in (data.get("rights") or {}).items():
        where = f"rights.{right}"
        if right not in catalogue.CATALOGUE:
            problems.setdefault(where, []).append("not a right of the catalogue")
            continue
        if not isinstance(spec, dict) or spec.get("expected") not in EXPECTABLE:
            problems.setdefault(where, []).append(f"expected: one of {', '.join(EXPECTABLE)}")
            continue
        if not spec.get("reasoning") or not spec.get("legal_basis"):
            problems.setdefault(where, []).append("reasoning and legal_basis are required")
            continue
        rights.append(Expectation(right, spec["expected"], spec["reasoning"], spec["legal_basis"],
                                  int(spec.get("points", 1))))
    for name in ("reference_walk",) + (("mistake.steps",) if "steps" in (data.get("mistake") or {}) else ()):
        steps = data.get("reference_walk") if name == "reference_walk" else data["mistake"]["steps"]
        for i, step in enumerate(steps or ()):
            problem = step_problem(step)
            if problem:
                problems.setdefault(f"{name}[{i}]", []).append(problem)
    mistake = data.get("mistake") or {}
    for right in mistake.get("breaks", ()):
        if not any(e.right == right for e in rights):
            problems.setdefault("mistake.breaks", []).append(f"'{right}' is not one of the scenario's rights")
    if not mistake.get("breaks") or not mistake.get("description"):
        problems.setdefault("mistake", []).append("a description and the rights it breaks are required")
    for i, event in enumerate(data.get("events") or ()):
        problem = event_problem(event)
        if problem:
            problems.setdefault(f"events[{i}]", []).append(problem)
    if problems:
        raise InvalidData(f"{source}: the scenario is invalid", problems)
    return Scenario(id=data["id"], title=data["title"], summary=data["summary"],
                    standards=tuple(data["standards"]), role=data["role"], facts=data["facts"],
                    timeline=tuple(data.get("timeline") or ()), decisions=tuple(data["decisions"]),
                    opening=dict(data.get("opening") or {}), rights=tuple(rights),
                    events=tuple(sorted(data.get("events") or (), key=lambda e: e["at_hours"])),
                    reference_walk=tuple(data["reference_walk"]), mistake=dict(mistake),
                    process=data.get("process") or "criminal_case")


def step_problem(step) -> str | None:
    """What is wrong with one step of a walk, or None."""
    if not isinstance(step, dict) or step.get("do") not in STEP_KINDS:
        return f"'do' must be one of: {', '.join(STEP_KINDS)}"
    kind = step["do"]
    if kind == "complete" and not isinstance(step.get("task"), str):
        return "a completion names its 'task'"
    if kind in ("evidence", "override") and step.get("checkpoint") not in catalogue.CATALOGUE:
        return "names a 'checkpoint' of the catalogue"
    if kind == "advance":
        hours = step.get("hours")
        if not isinstance(hours, (int, float)) or isinstance(hours, bool) or not 0 < hours <= 24 * 400:
            return "'hours' must be a number above 0 (at most 400 days)"
    if kind == "refer" and not isinstance(step.get("referred_to"), str):
        return "a referral names the body it is 'referred_to'"
    if "data" in step and not isinstance(step["data"], dict):
        return "'data' must be an object"
    return None


def event_problem(event) -> str | None:
    """What is wrong with one event of a scenario, or None."""
    if not isinstance(event, dict) or not isinstance(event.get("at_hours"), (int, float)) \
            or isinstance(event.get("at_hours"), bool) or event["at_hours"] < 0 or not event.get("text"):
        return "at_hours (a number, 0 or more) and text are required"
    act = event.get("act")
    if act is None:
        return None
    if not isinstance(act, dict) or act.get("do") not in EVENT_ACTS:
        return f"an event's 'act' is an object whose 'do' is one of: {', '.join(EVENT_ACTS)}"
    if "data" in act and not isinstance(act["data"], dict):
        return "an event act's 'data' must be an object"
    return None


def due_events(events, hours_played: float, delivered) -> list[tuple[int, dict]]:
    """The events with an act that the virtual clock has reached and that were not delivered
    yet, by index, in the scenario's order."""
    done = set(delivered)
    return [(i, e) for i, e in enumerate(events)
            if e.get("act") and i not in done and e["at_hours"] <= hours_played + 1e-9]


def load_library(directory: Path) -> dict[str, Scenario]:
    """Every scenario in a directory, by id; a bad file or a repeated id is an error naming it."""
    out: dict[str, Scenario] = {}
    for path in sorted(Path(directory).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as err:
            raise InvalidData(f"{path.name}: not valid JSON: {err}", {path.name: [str(err)]}) from None
        if isinstance(data, dict) and data.get("kind") == "module":
            continue  # a guided module (the jurors'), not a scenario
        scenario = parse(data, path.name)
        if scenario.id in out:
            raise InvalidData(f"{path.name}: scenario id '{scenario.id}' is used twice", {path.name: ["repeated id"]})
        out[scenario.id] = scenario
    return out


def resolve(value, now: datetime):
    """A walk's data with its time tokens read at the virtual ``now``: ``@now``, ``@now-90m``,
    ``@now-2h``, ``@now-3d`` (an instant), ``@age:15`` (a birth date that makes the person 15 and
    a few months); nested lists and objects are resolved too."""
    if isinstance(value, dict):
        return {k: resolve(v, now) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, now) for v in value]
    if isinstance(value, str):
        match = _TOKEN.match(value)
        if match:
            sign, amount, unit = match.groups()
            delta = timedelta(**{{"m": "minutes", "h": "hours", "d": "days"}[unit]: int(amount)}) if amount else timedelta()
            return (now - delta if sign == "-" else now + delta).isoformat()
        match = _AGE.match(value)
        if match:
            return (now - timedelta(days=int(match.group(1)) * 365 + 100)).date().isoformat()
    return value


def load_module(path: Path) -> dict:
    """A guided module (the jurors'): lessons, then questions each with its answer explained."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    problems = {}
    for i, q in enumerate(data.get("questions") or ()):
        if not (isinstance(q.get("choices"), list) and isinstance(q.get("answer"), int)
                and 0 <= q["answer"] < len(q["choices"]) and q.get("explanation")):
            problems[f"questions[{i}]"] = ["choices, a valid answer index and an explanation are required"]
    if not data.get("lessons") or not data.get("questions") or problems:
        raise InvalidData(f"{Path(path).name}: the module is invalid", problems or {"module": ["lessons and questions"]})
    return data


def grade(module: dict, answers: dict) -> dict:
    """Each question's answer checked and explained; an unanswered question counts as wrong."""
    out = []
    for q in module["questions"]:
        given = answers.get(q["id"])
        try:
            given = int(given) if given is not None and given != "" else None
        except (TypeError, ValueError):
            given = None
        out.append({"id": q["id"], "text": q["text"], "given": given, "answer": q["answer"],
                    "answer_text": q["choices"][q["answer"]], "correct": given == q["answer"],
                    "explanation": q["explanation"]})
    return {"score": sum(r["correct"] for r in out), "of": len(out), "questions": out}
