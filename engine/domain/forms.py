"""Form fields: the one vocabulary for task forms (declared in BPMN) and evidence forms."""
from dataclasses import dataclass, field

FIELD_TYPES = ("string", "text", "integer", "boolean", "date", "datetime", "choice")
TRANSLATABLE = ("label", "help")  # a diagram may add label_ru, help_kk, ... beside them


def translated_keys(raw: dict, bases: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The per-language variants a diagram gives (``label_ru``, ``name_kk``): kept as data for the
    web layer to choose from; the engine itself never picks a language."""
    return tuple(sorted((key, str(value)) for key, value in raw.items()
                        if isinstance(key, str) and "_" in key and key.rsplit("_", 1)[0] in bases
                        and len(key.rsplit("_", 1)[1]) == 2 and key.rsplit("_", 1)[1].isalpha() and value))


@dataclass(frozen=True)
class FormField:
    name: str
    type: str = "string"
    required: bool = True
    label: str = ""
    help: str = ""
    choices: tuple[str, ...] = field(default_factory=tuple)
    translations: tuple[tuple[str, str], ...] = ()  # (("label_ru", "..."), ("help_kk", "...")) from a diagram

    @classmethod
    def from_dict(cls, raw: dict) -> "FormField":
        """Read one field of a form declared in a diagram; raises ValueError with the reason."""
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
            raise ValueError("every form field needs a 'name'")
        name = raw["name"]
        if not name.isidentifier() or name.startswith("_") or name == "typename":
            raise ValueError(f"field name '{name}' must be an identifier not starting with '_'")
        kind = raw.get("type", "string")
        if kind not in FIELD_TYPES:
            raise ValueError(f"field '{name}' has unknown type '{kind}' (one of {', '.join(FIELD_TYPES)})")
        choices = tuple(str(c) for c in raw.get("choices", ()))
        if kind == "choice" and not choices:
            raise ValueError(f"choice field '{name}' lists no choices")
        return cls(name=name, type=kind, required=bool(raw.get("required", True)),
                   label=str(raw.get("label", name.replace("_", " ").capitalize())),
                   help=str(raw.get("help", "")), choices=choices,
                   translations=translated_keys(raw, TRANSLATABLE))

    def to_dict(self) -> dict:
        out = {"name": self.name, "type": self.type, "required": self.required,
               "label": self.label or self.name, "help": self.help}
        if self.choices:
            out["choices"] = list(self.choices)
        out.update(self.translations)
        return out
