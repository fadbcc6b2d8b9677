"""The words the page scripts write themselves (the modeler's panel and status line, the
diagrams' error messages), handed to them translated in a JSON block (see static/js/i18n.js).
``N_`` only marks them for ``pybabel extract``; they are translated when the page renders."""
from flask_babel import gettext


def N_(text: str) -> str:  # noqa: N802 - the conventional name of gettext's no-op marker
    return text


MESSAGES = (
    N_("Choose an element…"), N_("%(errors)s error(s), %(warnings)s warning(s)."),
    N_("No problems: the model can be deployed."), N_("Restore the draft saved %(when)s (from v%(version)s)"),
    N_("Draft restored: save to check it."), N_("The draft could not be opened: %(reason)s"),
    N_("Checking the model…"), N_("The check failed."), N_("Saved and checked: no errors."),
    N_("Saved and checked: the model has errors; it cannot be deployed."),
    N_("Could not check the model: %(reason)s"), N_("Deploying…"),
    N_("Deployed as version %(version)s of %(process)s."), N_("Nothing new: this model is already version %(version)s."),
    N_("Open version %(version)s"), N_("The model was not deployed."), N_("Could not deploy: %(reason)s"),
    N_("Loaded version %(version)s of %(process)s."), N_("Loaded version %(version)s of %(process)s (%(warnings)s import warnings)."),
    N_("Could not open the model: %(reason)s"), N_("Form"), N_("Type"), N_("Choices (comma-separated)"),
    N_("Remove"), N_("Remove field %(field)s"), N_("Move up"), N_("Move field %(field)s up"), N_("Field %(number)s"),
    N_("Field %(number)s: %(name)s"), N_("Name"), N_("Required"), N_("Label"), N_("Help"), N_("Add a field"),
    N_("What the person completing the task fills in. Names are identifiers (letters, digits, _)."),
    N_("No fields: the task is completed with one click."),
    N_("Select a task in the diagram (or choose one above) to edit its name, stage, checkpoints and form."),
    N_("Checkpoints this task adds"),
    N_("A diagram can only add rights: those the catalogue enforces for the stage always apply."),
    N_("Records the evidence of"),
    N_("The task's form records these checkpoints' evidence (their fields are added to the form)."),
    N_("Stage this task enters"), N_("A user task must declare a stage."),
    N_("'%(stage)s' is not a stage the engine knows: saving will report it."),
    N_("%(stage)s. The catalogue enforces on entry: %(rights)s."), N_("no checkpoint"),
    N_("Instructions for the person doing the task"), N_("Form (JSON)"),
    N_("The form is not a JSON list of fields; edit it as text."), N_("not in the catalogue"),
    N_("error"), N_("warning"),
    N_("Nothing leads to this element: no sequence flow comes into it, so no case can ever reach it. "
       "Connect a flow into it, or remove it."),
    N_("Nothing leaves this element: no sequence flow goes out of it, so a case that reaches it stops "
       "there without an end event. Connect it onwards, or end the path with an end event."),
    N_("This is a plain Task (no type): the engine completes it at once, nobody acts on it and no "
       "right is checked there. Make it a user task with a lane and a stage if a person acts, or a "
       "script task if the system does."),
    N_("%(count)s element(s) not connected or not typed: saving will refuse them."),
    N_("Every element is connected and typed."),
    N_("Comparing with version %(version)s…"), N_("The comparison failed."),
    N_("%(added)s added, %(changed)s changed, %(removed)s removed."),
    N_("No change from version %(version)s (only the layout may differ)."),
    N_("Compared with version %(version)s: the changes are coloured on the diagram."),
    N_("Could not compare: %(reason)s"),
    N_("The diagram could not be shown: %(reason)s"),
    N_("The diagram could not be drawn: %(reason)s. The tasks waiting now are listed above."),
)


def translated() -> dict:
    return {english: gettext(english) for english in MESSAGES}
