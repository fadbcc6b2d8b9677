"""Sample values for forms: what the demo, the test-data builders and the training scenarios fill
in where the value does not matter (a plausible one of the field's type), and the registration
data of a typical theft case."""
from datetime import timedelta


def sample_value(field, now):
    """A plausible value for a form field, for demos and tests that do not care about it."""
    if field.type == "boolean":
        return False
    if field.type == "integer":
        return 1
    if field.type == "date":
        return "1990-05-17"
    if field.type == "datetime":
        return now.isoformat()
    if field.type == "choice":
        return field.choices[0]
    if field.name == "language":
        return "ru"
    return f"{field.label or field.name} (demo)"


class SampleField:
    """A form field given as a dict (as the saved forms carry them)."""

    def __init__(self, d: dict):
        self.name, self.type, self.label = d["name"], d["type"], d.get("label", "")
        self.choices = tuple(d.get("choices", ()))


def registration(now, **changes) -> dict:
    data = {"erdr_number": "241100031000123", "report_summary": "Theft of a mobile phone at the central market",
            "offence_article": "188 part 2", "offence_category": "medium", "jury_eligible": False,
            "suspect_name": "Arman Seitkali", "suspect_birth_date": "1994-02-11", "age_in_doubt": False,
            "suspect_citizenship": "KZ", "speaks_language_of_proceedings": "yes",
            "registered_at": (now - timedelta(days=3)).isoformat()}
    data.update(changes)
    speaks = data["speaks_language_of_proceedings"]
    if isinstance(speaks, bool):  # the older form's tick box
        data["speaks_language_of_proceedings"] = "yes" if speaks else "no"
    data.setdefault("suspect_language", "ru" if data["speaks_language_of_proceedings"] == "yes" else "uz")
    return data
