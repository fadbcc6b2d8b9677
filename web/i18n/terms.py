"""Babel extractors for the words people read that are not in our templates or Python:

- ``extract_catalogue``: the rights catalogue's evidence forms (labels, help, choices) and the
  stage titles, by their English wording (the engine keeps English; ``labels`` translates);
- ``extract_bpmn``: a diagram's task names, instructions and form labels, help and choices.
- ``extract_scenario``: a training scenario's story, decisions, reasoning and events, and the
  jurors' module's lessons and questions (processes/training/*.json).

``babel.cfg`` names them, so ``pybabel extract -F babel.cfg`` collects everything into
``web/translations/messages.pot``.  A diagram may carry its own wording per language instead
(``name_ru``, ``instructions_kk``, ``label_ru`` ...): see processes/README.md."""
import json

from defusedxml import ElementTree

SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _field_terms(form_field: dict):
    """A field's label and help, and its choices with the field's name as their context (the
    same word reads differently per field: a complaint "upheld" is not a verdict "upheld")."""
    for key in ("label", "help"):
        if form_field.get(key):
            yield form_field[key]
    for choice in form_field.get("choices") or ():
        yield (form_field.get("name", ""), str(choice).replace("_", " "))


def catalogue_terms() -> list[str]:
    from engine.domain import catalogue
    from engine.domain.stages import STAGES
    out = [stage.title for stage in STAGES]
    for cp in catalogue.CATALOGUE.values():
        out += [cp.right, cp.on_failure or ""]
        for form_field in cp.evidence:
            out += list(_field_terms(form_field.to_dict()))
    return [term for term in out if term and (not isinstance(term, tuple) or term[1])]


def bpmn_terms(xml: bytes) -> list[str]:
    root = ElementTree.fromstring(xml)
    out = [element.get("name") for element in root.iter() if isinstance(element.tag, str)
           and element.tag.startswith(BPMN) and element.get("name") and element.tag != f"{BPMN}lane"]
    for task in root.iter(f"{BPMN}userTask"):
        for node in task.iter(f"{SPIFF}instructionsForEndUser"):
            if node.text and node.text.strip():
                out.append(node.text.strip())
        for prop in task.iter(f"{SPIFF}property"):
            if prop.get("name") == "form":
                try:
                    fields = json.loads(prop.get("value") or "[]")
                except ValueError:
                    continue
                for form_field in fields if isinstance(fields, list) else ():
                    if isinstance(form_field, dict):
                        out += list(_field_terms(form_field))
    return out


def scenario_terms(data: dict) -> list[str]:
    """What a trainee reads of a training scenario or guided module (``processes/training/*.json``):
    its story, decisions, reasoning, events and questions.  Citations (standards, legal bases,
    sources) stay as written, like every legal citation."""
    if not isinstance(data, dict):
        return []
    out = [data.get("title"), data.get("summary"), data.get("facts")]
    out += [item.get("text") for item in data.get("timeline") or () if isinstance(item, dict)]
    out += [item.get("text") for item in data.get("events") or () if isinstance(item, dict)]
    out += list(data.get("decisions") or ())
    out += [spec.get("reasoning") for spec in (data.get("rights") or {}).values() if isinstance(spec, dict)]
    out.append((data.get("mistake") or {}).get("description"))
    for lesson in data.get("lessons") or ():
        out += [lesson.get("title"), lesson.get("text")]
    for question in data.get("questions") or ():
        out += [question.get("text"), *(question.get("choices") or ()), question.get("explanation")]
    return [term for term in out if isinstance(term, str) and term.strip()]


def _as_messages(terms):
    seen = set()
    for term in terms:
        if term in seen:
            continue
        seen.add(term)
        if isinstance(term, tuple):  # (context, message): a choice of one field
            yield 0, "pgettext", term, []
        else:
            yield 0, None, term, []


def extract_catalogue(fileobj, keywords, comment_tags, options):
    """Babel extraction method for ``engine/domain/catalogue.py`` (its content is imported, not parsed)."""
    return _as_messages(catalogue_terms())


def extract_bpmn(fileobj, keywords, comment_tags, options):
    return _as_messages(bpmn_terms(fileobj.read()))


def extract_scenario(fileobj, keywords, comment_tags, options):
    return _as_messages(scenario_terms(json.loads(fileobj.read())))
