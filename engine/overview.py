"""What ``make run`` shows: the demo cases' state and how to drive them from the command line."""
from .services import bootstrap, queries
from .services.context import Actor

USAGE = """
Drive a case from the command line (JSON in and out; --help on every command):
  habeas --as investigator case show 1
  habeas --as investigator task complete 1 TASK_ID --data '{"protocol_number": "P-17"}'
  habeas --as investigator evidence add 1 counsel_before_interrogation --data @counsel.json
  habeas --as supervisor override 1 interpreter --reason "..." --legal-ground "..."
  habeas report compliance --format csv
  habeas audit verify
"""


def main() -> None:
    ctx = bootstrap.habeas()
    reviewer = Actor("console", "admin")
    print(f"Habeas on {bootstrap.describe_url()}\n")
    print(f"{'case':<16} {'stage':<20} {'status':<8} {'compliant':<10} next tasks")
    for row in reversed(queries.list_cases(ctx, reviewer, limit=50)):
        view = queries.show_case(ctx, reviewer, row["id"])
        tasks = ", ".join(f"{t['title']} [{t['lane']}]" for t in view["tasks"]) or "-"
        print(f"{view['number']:<16} {str(view['stage']):<20} {view['status']:<8} "
              f"{'no' if view['non_compliant'] else 'yes':<10} {tasks}")
    print(USAGE)


if __name__ == "__main__":
    main()
