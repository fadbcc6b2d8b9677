"""``habeas``: the command line for operators and scripts.  JSON in and out; exit codes say what
happened (see ``EXIT_CODES``)."""
import argparse
import json
import os
import sys
from pathlib import Path

from . import __version__, library
from . import settings as installation
from .domain.acts import ACT_KINDS
from .domain import catalogue, roles
from .domain.clock import parse_instant
from .language import english, gettext as _, ngettext
from .domain.errors import (CheckpointBlocked, ConfirmationRequired, Conflict, Forbidden, HabeasError, InvalidBpmn,
                            InvalidData, NotFound)
from .persistence.audit_key import AuditKeyError
from .services import bootstrap, cases, health, pending, processes, queries, reports, rights, users
from .services.context import Actor

EXIT_CODES = {"ok": 0, "error": 1, "usage": 2, "invalid": 3, "not_found": 4, "forbidden": 5, "conflict": 6,
              "checkpoint_blocked": 7, "audit_broken": 8, "unavailable": 9, "unsafe_configuration": 10}
CONSOLE = Actor("console", roles.ADMIN)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_CODES["usage"]
    try:
        return args.run(args) or 0
    except HabeasError as err:
        _print(err.to_dict(), stream=sys.stderr)
        if isinstance(err, Forbidden):
            _audit_denial(args, err)
        return _exit_code(err)
    except health.DATABASE_ERRORS as err:
        _line({"error": "database_unavailable", "message": f"the database cannot be used: {health.one_line(err)}"})
        return EXIT_CODES["unavailable"]
    except AuditKeyError as err:
        _line({"error": "audit_key", "message": str(err)})
        return EXIT_CODES["error"]
    except (OSError, ValueError) as err:
        _print({"error": "invalid", "message": str(err)}, stream=sys.stderr)
        return EXIT_CODES["invalid"]


def _line(obj) -> None:
    """One line on stderr: what an operator's script and log can read at a glance."""
    print(json.dumps(obj, ensure_ascii=False, default=str), file=sys.stderr)


def _audit_denial(args, err: Forbidden) -> None:
    """A refused command of a named user is in the audit trail, as a refused request is."""
    who = args.as_user or os.environ.get("HABEAS_USER")
    if not who:
        return
    try:
        from .services import denials
        command = args.run.__name__.removeprefix("cmd_").replace("_", " ")  # never the arguments' values
        denials.record(_habeas(args), who=who, status=403, what=err.message, where=f"habeas {command}",
                       address="console")
    except (*health.DATABASE_ERRORS, HabeasError, AuditKeyError):
        pass


def _exit_code(err: HabeasError) -> int:
    for kind, code in ((CheckpointBlocked, "checkpoint_blocked"), (Conflict, "conflict"),
                       (ConfirmationRequired, "conflict"), (Forbidden, "forbidden"),
                       (NotFound, "not_found"), (InvalidData, "invalid"), (InvalidBpmn, "invalid")):
        if isinstance(err, kind):
            return EXIT_CODES[code]
    return EXIT_CODES["error"]


def _print(obj, stream=None) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False, default=str), file=stream or sys.stdout)


def _json_arg(text: str | None) -> dict:
    if not text:
        return {}
    if text.startswith("@"):
        text = Path(text[1:]).read_text()
    elif text == "-":
        text = sys.stdin.read()
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidData(f"not JSON: {err}", {"data": [str(err)]}) from None
    if not isinstance(value, dict):
        raise InvalidData("expected a JSON object", {"data": ["expected an object"]})
    return value


def _habeas(args):
    return bootstrap.habeas(args.database)


def _actor(args) -> Actor:
    username = args.as_user or os.environ.get("HABEAS_USER")
    if not username:
        raise Forbidden("say who acts: --as USERNAME (or HABEAS_USER)")
    return users.actor_named(_habeas(args), username)


def cmd_init(args):
    bootstrap.init_database(args.database)
    _print({"initialised": bootstrap.describe_url(args.database)})


def cmd_validate(args):
    result = processes.validate(Path(args.file).read_bytes())
    _print({"ok": result.ok, "process": result.model.process_id if result.model else None,
            "proof": result.proof, "problems": result.problems})
    return 0 if result.ok else EXIT_CODES["invalid"]


def cmd_deploy(args):
    files = [Path(f) for f in args.files] + (library.library_files() if args.library else [])
    ctx = _habeas(args)
    actor = _actor(args) if (args.as_user or os.environ.get("HABEAS_USER")) else CONSOLE
    if args.confirm is not None:
        if files:
            raise InvalidData("give either files to deploy or --confirm ID, not both", {"files": ["not with --confirm"]})
        _print(pending.confirm(ctx, actor, args.confirm).to_dict())
        return 0
    if not files:
        raise InvalidData("give the BPMN files to deploy, --library for the process library that comes with "
                          "Habeas, or --confirm ID", {"files": ["required"]})
    out = [processes.deploy(ctx, actor, f.read_bytes()).to_dict() for f in files]
    _print(out[0] if len(out) == 1 else out)


def _expiry(args):
    """``--expires``: an ISO-8601 moment or a span from now (90d, 12h)."""
    if not args.expires:
        return None
    from .domain.display import parse_span
    try:
        return parse_instant(args.expires)
    except (TypeError, ValueError):
        pass
    try:
        return _habeas(args).now() + parse_span(args.expires)
    except (TypeError, ValueError):
        raise InvalidData("--expires is neither an ISO-8601 time nor a span like 90d or 12h",
                          {"expires": ["an ISO-8601 time or a span: 90d, 12h"]}) from None


def cmd_user_add(args):
    token = users.add_user(_habeas(args), CONSOLE, args.name, args.role, password=args.password, unit=args.unit,
                           expires=_expiry(args))
    _print({"user": args.name, "role": args.role, "api_token": token, "expires": args.expires,
            "note": "the token is shown only now; store it safely"})


def cmd_user_revoke(args):
    users.revoke_tokens(_habeas(args), CONSOLE, args.name)
    out = {"user": args.name, "tokens": "revoked"}
    if args.new_token:
        out["api_token"] = users.issue_token(_habeas(args), CONSOLE, args.name, expires=_expiry(args))
    _print(out)


def cmd_user_deactivate(args):
    users.deactivate(_habeas(args), CONSOLE, args.name)
    _print({"user": args.name, "active": False})


def cmd_user_role(args):
    users.change_role(_habeas(args), CONSOLE, args.name, args.role)
    _print({"user": args.name, "role": args.role})


def cmd_case_open(args):
    ctx = _habeas(args)
    case_id = cases.open_case(ctx, _actor(args), args.process, _json_arg(args.data), unit=args.unit,
                              prosecutor=args.prosecutor, defence=args.defence or [])
    _print(queries.show_case(ctx, _actor(args), case_id))


def cmd_case_show(args):
    _print(queries.show_case(_habeas(args), _actor(args), args.case))


def cmd_case_list(args):
    _print(queries.list_cases(_habeas(args), _actor(args), stage=args.stage, status=args.status, limit=args.limit))


def cmd_case_audit(args):
    _print(queries.case_audit(_habeas(args), _actor(args), args.case))


def cmd_task_complete(args):
    ctx = _habeas(args)
    actor = _actor(args)
    step = cases.complete_task(ctx, actor, args.case, args.task, _json_arg(args.data), expected_version=args.version)
    view = queries.show_case(ctx, actor, args.case)
    _print({"escalated": list(step.escalated), "flagged": list(step.flagged), "case": view})


def cmd_evidence_add(args):
    ctx = _habeas(args)
    evidence_id = rights.record_evidence(ctx, _actor(args), args.case, args.checkpoint, _json_arg(args.data),
                                         occurred_at=args.occurred_at, corrects=args.corrects, act=args.act)
    _print({"evidence": evidence_id, "case": args.case, "checkpoint": args.checkpoint})


def cmd_override(args):
    override_id = rights.override(_habeas(args), _actor(args), args.case, args.checkpoint, args.reason,
                                  args.legal_ground)
    _print({"override": override_id, "case": args.case, "checkpoint": args.checkpoint})


def cmd_release(args):
    from .services import procedure
    _print(procedure.release(_habeas(args), _actor(args), args.case, args.released_at, args.ground,
                             expected_version=args.version))


def cmd_custody_extend(args):
    from .services import procedure
    data = {"petition_at": args.petition_at, "ordered_at": args.ordered_at, "extended_until": args.until,
            "order_number": args.order_number, "reasons": args.reasons,
            "alternatives_considered": args.alternatives}
    _print(procedure.extend_custody(_habeas(args), _actor(args), args.case, data, expected_version=args.version))


def cmd_qualify(args):
    from .services import procedure
    _print(procedure.requalify(_habeas(args), _actor(args), args.case, args.qualification, args.decided_at,
                               graver=not args.lighter, expected_version=args.version))


def cmd_derogate(args):
    from .services import procedure
    override_id = procedure.derogate(_habeas(args), _actor(args), args.case, args.ground, args.reason)
    _print({"derogation": override_id, "case": args.case, "checkpoint": "counsel_before_interrogation"})


def cmd_complaint_file(args):
    from .services import complaints
    data = {"act_complained_of": args.act, "about_act": args.about_act, "learned_of_act_at": args.learned_at,
            "complaint_filed_at": args.filed_at, "complaint_challenges_detention": args.challenges_detention,
            "complainant": args.complainant, "addressed_to": args.addressed_to}
    _print(complaints.file(_habeas(args), _actor(args), args.case, data))


def cmd_complaint_rule(args):
    from .services import complaints
    data = {"ruling": args.ruling, "ruling_reasons": args.reasons, "ruled_at": args.ruled_at}
    _print(complaints.rule(_habeas(args), _actor(args), args.case, args.complaint, data))


def cmd_allegation_record(args):
    from .services import allegations
    data = {"description": args.description, "alleged_at": args.alleged_at, "made_by": args.made_by,
            "period_from": args.period_from, "period_to": args.period_to}
    _print(allegations.record(_habeas(args), _actor(args), args.case, data, expected_version=args.version))


def cmd_allegation_refer(args):
    from .services import allegations
    _print(allegations.refer(_habeas(args), _actor(args), args.case, args.allegation,
                             {"referred_to": args.referred_to, "referred_at": args.referred_at}))


def cmd_report_indicators(args):
    from .services import indicators
    _print(indicators.indicators(_habeas(args), CONSOLE, start=parse_instant(args.start), end=parse_instant(args.end),
                                 unit=args.unit, prosecutor=args.prosecutor))


def cmd_escalation_resolve(args):
    rights.resolve_escalation(_habeas(args), _actor(args), args.escalation, args.resolution)
    _print({"escalation": args.escalation, "status": "resolved"})


def cmd_incident_list(args):
    from .services import incidents
    status = None if args.status == "all" else args.status
    _print(incidents.list_incidents(_habeas(args), _acting_or_console(args), status))


def cmd_incident_act(args):
    from .services import incidents
    ctx, actor = _habeas(args), _acting_or_console(args)
    if args.act == "retry":
        _print(incidents.retry(ctx, actor, args.incident))
    elif args.act == "repair":
        _print(incidents.repair(ctx, actor, args.incident, args.note or ""))
    else:
        _print(incidents.resolve(ctx, actor, args.incident, args.note or ""))


def cmd_audit_verify(args):
    ctx = _habeas(args)
    if args.anchor:
        from dataclasses import replace
        ctx = replace(ctx, anchor=args.anchor)
    report = queries.verify_audit(ctx, CONSOLE)
    _print(report)
    return 0 if report["ok"] else EXIT_CODES["audit_broken"]


def cmd_audit_anchor(args):
    _print(queries.anchor_audit(_habeas(args), CONSOLE))


def cmd_backup(args):
    from .services import backups
    _print(backups.backup(args.database, Path(args.file)))


def cmd_restore(args):
    """Restore into an empty database, then verify the audit chain there (exit 8 when broken)."""
    from .services import backups
    out = backups.restore(args.database, Path(args.file))
    ctx = _habeas(args)
    if args.anchor:
        from dataclasses import replace
        ctx = replace(ctx, anchor=args.anchor)
    report = queries.verify_audit(ctx, CONSOLE)
    _print({**out, "audit": report})
    return 0 if report["ok"] else EXIT_CODES["audit_broken"]


def cmd_erase(args):
    from .services import retention
    before = parse_instant(args.closed_before)
    if before is None:
        raise InvalidData("--closed-before needs a date", {"closed_before": ["an ISO-8601 date"]})
    _print(retention.erase_closed(_habeas(args), CONSOLE, before, dry_run=args.dry_run))


def cmd_report_compliance(args):
    report = reports.compliance(_habeas(args), CONSOLE, start=parse_instant(args.start), end=parse_instant(args.end),
                                unit=args.unit, prosecutor=args.prosecutor)
    if args.format == "csv":
        sys.stdout.write(reports.to_csv(report))
    else:
        _print(report)


def cmd_catalogue(args):
    _print([cp.describe() for cp in catalogue.CATALOGUE.values()])


def cmd_demo(args):
    from .fixtures import demo
    _print(demo.run(_habeas(args), Path(args.processes) if args.processes else library.library_dir()))


def _clocked(args):
    """The engine object, its clock stood at ``--now`` or ``HABEAS_FAKE_NOW`` when given (for
    operators rehearsing a deadline and for tests); otherwise the system clock."""
    from dataclasses import replace
    from .domain.clock import FixedClock
    ctx = _habeas(args)
    at = getattr(args, "now", None) or os.environ.get("HABEAS_FAKE_NOW")
    return replace(ctx, clock=FixedClock(parse_instant(at))) if at else ctx


def _acting_or_console(args) -> Actor:
    return _actor(args) if (args.as_user or os.environ.get("HABEAS_USER")) else CONSOLE


def cmd_tick(args):
    from .services import scheduler
    ctx = _clocked(args)
    if not args.loop:
        report = scheduler.tick(ctx)
        scheduler.refresh_reports(ctx)
        _print(report.to_dict())
        return EXIT_CODES["error"] if report.failed else 0
    import threading
    stop = threading.Event()

    def show(report):
        if report.processed or report.failed:
            print(json.dumps(report.to_dict(), ensure_ascii=False, default=str), flush=True)

    import signal
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())  # a worker stops between ticks
    try:
        scheduler.run_loop(ctx, args.interval, stop, on_report=show)
    except KeyboardInterrupt:
        stop.set()
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


def cmd_deadlines(args):
    from .domain.display import parse_span
    from .services import clocks
    ctx = _clocked(args)
    listing = clocks.list_deadlines(ctx, _acting_or_console(args), overdue=args.overdue,
                                    due_within=parse_span(args.due_within) if args.due_within else None)
    if args.format == "json":
        _print(listing.to_dict())
        return
    rows = [(_("CASE"), _("CLOCK"), _("KIND"), _("DUE (%(zone)s)", zone=listing.zone), _("TIME LEFT"), _("STATUS"))]
    rows += [(d["case"], _(d["title"]) if d["kind"] != "timer" else d["title"], _(KINDS.get(d["kind"], d["kind"])),
              _moment(d["due_local"]), _left(d["time_left"]), _(DEADLINE_STATUSES.get(d["status"], d["status"]))
              + (f" ({_action(d['action_taken'])})" if d["action_taken"] else "")
              + (" [" + ngettext("error after %(num)s attempt", "error after %(num)s attempts", d["attempts"]) + "]"
                 if d["last_error"] else ""))
             for d in listing.deadlines]
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip())


def N_(message: str) -> str:
    """A word of the text output, marked for the catalogues and translated where printed."""
    return message


KINDS = {"checkpoint": N_("right"), "procedure": N_("procedure"), "timer": N_("timer")}
DEADLINE_STATUSES = {"open": N_("running"), "met": N_("met"), "breached": N_("breached"), "cancelled": N_("cancelled"),
                     "suspended": N_("suspended"), "fired": N_("fired")}
ACTIONS_TAKEN = {"release_task": N_("release task"), "escalation": N_("escalation"), "breach": N_("breach")}


def _action(taken: str) -> str:
    """``release_task+breach`` -> ``release task + breach``, in the operator's words."""
    return " + ".join(_(ACTIONS_TAKEN.get(part, part)) for part in taken.split("+"))


def _moment(local: str) -> str:
    """``2026-03-04 14:00 +05`` as read in Kazakhstan (``04.03.2026 14:00 +05``); English keeps ISO."""
    if english() or len(local) < 10:
        return local
    day, rest = local[:10], local[10:]
    return ".".join(reversed(day.split("-"))) + rest


def _left(text: str) -> str:
    """``1 d 03 h 05 min`` or ``overdue by 2 h 10 min`` (``engine.domain.display``) in the operator's words."""
    from .domain import wording
    overdue = text.startswith("overdue by ")
    span = text.removeprefix("overdue by ")
    numbers = span.replace("d", " ").replace("h", " ").replace("min", " ").split()
    if len(numbers) == 3:
        shown = _(wording.N_DAYS_SPAN, days=numbers[0], hours=numbers[1], minutes=numbers[2])
    elif len(numbers) == 2:
        shown = _(wording.N_SPAN, hours=numbers[0], minutes=numbers[1])
    else:
        return text
    return _("overdue by %(span)s", span=shown) if overdue else shown


def cmd_case_migrate(args):
    from .services import migration
    result = migration.migrate_case(_habeas(args), _acting_or_console(args), args.case, args.to_version)
    _print(result)
    return 0 if result["migrated"] else EXIT_CODES["checkpoint_blocked"]


def cmd_process_migrate(args):
    from .services import migration
    result = migration.migrate_cases(_habeas(args), _acting_or_console(args), args.process, args.to_version)
    _print(result)
    return 0 if not result["refused"] else EXIT_CODES["checkpoint_blocked"]


def cmd_serve(args):
    """Serve the web app under gunicorn (the app factory lives in ``web``; the engine only names it).
    Refused, with a one-line reason, when the settings are invalid, or unsafe for the address."""
    host = args.host or installation.get("HABEAS_HOST")
    port = args.port or installation.get("HABEAS_PORT")
    workers = args.workers or installation.get("HABEAS_WORKERS")
    threads = args.threads or installation.get("HABEAS_THREADS")
    if args.database:
        os.environ["HABEAS_DATABASE_URL"] = args.database
    refusals = installation.review(host=host).refusals
    if refusals:
        _print_line({"error": "unsafe_configuration", "message": f"refusing to serve on {host}:{port}: "
                     + "; ".join(refusals) + " (habeas config check shows every setting)"})
        return EXIT_CODES["unsafe_configuration"]
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    argv = [sys.executable, "-m", "gunicorn", "--bind", bind, "--workers", str(workers), "--threads", str(threads),
            "--access-logfile", "-", "--graceful-timeout", "10", "web:create_app()"]
    print(ngettext("Habeas %(version)s on %(url)s (%(num)s worker, database %(database)s)",
                   "Habeas %(version)s on %(url)s (%(num)s workers, database %(database)s)", int(workers),
                   version=__version__, url=f"http://{bind}/", database=bootstrap.describe_url(args.database)),
          flush=True)
    os.execv(sys.executable, argv)


def _print_line(obj) -> None:
    """An error an operator reads at a glance: one line of JSON on stderr."""
    print(json.dumps(obj, ensure_ascii=False, default=str), file=sys.stderr)


def cmd_config_check(args):
    review = installation.review(host=args.host)
    report = {"version": __version__, **review.to_dict()}
    if args.format == "json":
        _print(report)
    else:
        _print_review(report)
    return 0 if report["ok"] else EXIT_CODES["unsafe_configuration"]


REVIEW_KINDS = {"invalid": N_("INVALID: %(problem)s"), "unsafe": N_("UNSAFE: %(problem)s"),
                "warnings": N_("WARNING: %(problem)s")}


def _print_review(report: dict) -> None:
    """The settings review in the operator's words (the settings' names and the engine's own
    sentences about them stay as written: they are the configuration's vocabulary)."""
    width = max(len(name) for name in report["settings"])
    if report["loopback"]:
        print(_("Habeas %(version)s, serving on %(host)s (loopback)", version=report["version"], host=report["host"]))
    else:
        print(_("Habeas %(version)s, serving on %(host)s (reachable beyond this machine)", version=report["version"],
                host=report["host"]))
    default = "  " + _("(default)")
    for name, shown in report["settings"].items():
        print(f"  {name.ljust(width)}  {shown['value']}{'' if shown['source'] == 'environment' else default}")
    for kind in ("invalid", "unsafe", "warnings"):
        for line in report[kind]:
            print(_(REVIEW_KINDS[kind], problem=line))
    print(_("OK") if report["ok"] else _("NOT SAFE TO SERVE"))


def cmd_upgrade(args):
    from .services import upgrade
    report = upgrade.upgrade(args.database, Path(args.backup_dir) if args.backup_dir else None,
                             take_backup=not args.no_backup)
    _print(report.to_dict())
    return 0 if report.ok else EXIT_CODES["audit_broken"]


def cmd_training_check(args):
    """Exit 3 when a scenario is not sound (its problems are listed)."""
    from .services import training_check
    report = training_check.rehearse(Path(args.processes), args.scenario)
    _print(report)
    return EXIT_CODES["ok"] if report["ok"] else EXIT_CODES["invalid"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="habeas", description="Criminal cases through BPMN stages, "
                                     "guarded by human-rights checkpoints.")
    parser.add_argument("--database", help="database URL (default: HABEAS_DATABASE_URL or instance/habeas.sqlite3)")
    parser.add_argument("--as", dest="as_user", help="the user who acts (default: HABEAS_USER)")
    parser.add_argument("--version", action="version", version=f"habeas {__version__}")
    sub = parser.add_subparsers(title="commands")

    def command(parent, name, func, help_text):
        p = parent.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(run=func)
        return p

    command(sub, "init", cmd_init, "create or upgrade the database schema")
    command(sub, "validate", cmd_validate, "check a BPMN file as deploy would").add_argument("file")
    p = command(sub, "deploy", cmd_deploy, "deploy BPMN files as new process versions (a version that removes "
                "guarded elements waits for another designer's or admin's --confirm ID; exit 6)")
    p.add_argument("files", nargs="*", help="BPMN files")
    p.add_argument("--library", action="store_true", help="the process library that comes with Habeas")
    p.add_argument("--confirm", type=int, metavar="ID", help="confirm a pending deployment asked by someone else")
    command(sub, "catalogue", cmd_catalogue, "list the rights checkpoints with their legal basis")
    command(sub, "demo", cmd_demo, "seed demo users and cases in several stages").add_argument(
        "--processes", help="folder of BPMN files to deploy (default: the process library)")
    p = command(sub, "upgrade", cmd_upgrade, "back up the database, apply this release's migrations and "
                "verify the audit chain (exit 8 when broken)")
    p.add_argument("--backup-dir", help="where the backup goes (default: HABEAS_BACKUP_DIR, else backups/ beside "
                   "a SQLite file or in the working directory)", default=os.environ.get("HABEAS_BACKUP_DIR"))
    p.add_argument("--no-backup", action="store_true", help="you took a backup yourself (e.g. pg_dump is missing)")
    config = sub.add_parser("config", help="the installation's settings").add_subparsers(title="config commands")
    p = command(config, "check", cmd_config_check, "print the effective settings (secrets masked) and what is "
                "unsafe (exit 10 when serving would be refused)")
    p.add_argument("--host", help="judge for serving on this address (default: HABEAS_HOST or 127.0.0.1)")
    p.add_argument("--format", choices=("json", "text"), default="json")

    user = sub.add_parser("user", help="manage users").add_subparsers(title="user commands")
    p = command(user, "add", cmd_user_add, "add a user and print their API token once")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=roles.ROLES)
    p.add_argument("--password", help="password for the web login")
    p.add_argument("--unit", default="", help="the office or unit the user works in")
    p.add_argument("--expires", help="the API token's end: ISO-8601 time or a span (90d, 12h); default: until revoked")
    p = command(user, "revoke", cmd_user_revoke, "revoke every API token of a user")
    p.add_argument("name")
    p.add_argument("--new-token", action="store_true", help="issue a fresh token and print it once")
    p.add_argument("--expires", help="the fresh token's end: ISO-8601 time or a span (90d, 12h)")
    command(user, "deactivate", cmd_user_deactivate, "deactivate a user: no login, sessions and tokens end").add_argument("name")
    p = command(user, "role", cmd_user_role, "give a user another role (their open sessions end)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=roles.ROLES)

    case = sub.add_parser("case", help="open, show and list cases").add_subparsers(title="case commands")
    p = command(case, "open", cmd_case_open, "open a case on the newest version of a process")
    p.add_argument("--process", default="criminal_case")
    p.add_argument("--data", help="JSON object, @file or - for stdin")
    p.add_argument("--unit", default="")
    p.add_argument("--prosecutor")
    p.add_argument("--defence", action="append", help="username of a defence lawyer (repeatable)")
    command(case, "show", cmd_case_show, "show a case as JSON").add_argument("case", type=int)
    command(case, "audit", cmd_case_audit, "show a case's audit trail").add_argument("case", type=int)
    p = command(case, "list", cmd_case_list, "list cases")
    p.add_argument("--stage")
    p.add_argument("--status", choices=("open", "closed"))
    p.add_argument("--limit", type=int, default=50)

    p = command(case, "migrate", cmd_case_migrate, "move a running case to another version of its process "
                "(refused, exit 7, while rights of the stages it entered are unmet)")
    p.add_argument("case", type=int)
    p.add_argument("--to-version", type=int, required=True)

    proc = sub.add_parser("process", help="process versions").add_subparsers(title="process commands")
    p = command(proc, "migrate", cmd_process_migrate, "move every open case of a process to a version")
    p.add_argument("process")
    p.add_argument("--to-version", type=int, required=True)

    p = command(sub, "serve", cmd_serve, "serve the web app and JSON API under gunicorn")
    p.add_argument("--host", help="address to bind (default: HABEAS_HOST or 127.0.0.1); beyond loopback "
                   "it needs a secret key of the office's own")
    p.add_argument("--port", type=int, help="default: HABEAS_PORT or 8000")
    p.add_argument("--workers", type=int, help="worker processes (default: HABEAS_WORKERS or 1; use PostgreSQL "
                   "for more than one)")
    p.add_argument("--threads", type=int, help="default: HABEAS_THREADS or 4")
    p = command(sub, "tick", cmd_tick, "act on every legal deadline and BPMN timer due, then return "
                "(--loop: keep doing it, as a worker)")
    p.add_argument("--loop", action="store_true", help="run as a worker until interrupted")
    p.add_argument("--interval", type=float, default=60.0, help="seconds between ticks with --loop")
    p.add_argument("--now", help="act as if it were this moment (ISO-8601; also HABEAS_FAKE_NOW)")
    p = command(sub, "deadlines", cmd_deadlines, "list running legal deadlines and timers by due time")
    p.add_argument("--due-within", help="only those due within a span: 90m, 24h, 3d (overdue ones included)")
    p.add_argument("--overdue", action="store_true", help="only those past due (running or breached)")
    p.add_argument("--format", choices=("json", "text"), default="text")
    p.add_argument("--now", help="list as if it were this moment (ISO-8601; also HABEAS_FAKE_NOW)")

    task = sub.add_parser("task", help="complete tasks").add_subparsers(title="task commands")
    p = command(task, "complete", cmd_task_complete, "complete a ready task of a case")
    p.add_argument("case", type=int)
    p.add_argument("task", help="the task id shown by 'case show'")
    p.add_argument("--data", help="JSON object, @file or - for stdin")
    p.add_argument("--version", type=int, help="the case version you read (refused with exit 6 if stale)")

    evidence = sub.add_parser("evidence", help="record evidence").add_subparsers(title="evidence commands")
    p = command(evidence, "add", cmd_evidence_add, "record evidence that a right was respected")
    p.add_argument("case", type=int)
    p.add_argument("checkpoint", choices=sorted(catalogue.CHECKPOINT_IDS))
    p.add_argument("--data", help="JSON object, @file or - for stdin")
    p.add_argument("--occurred-at", help="when the fact happened (ISO-8601); default: the evidence's own time field")
    p.add_argument("--corrects", type=int, help="id of the evidence record this one corrects")
    p.add_argument("--act", choices=sorted(ACT_KINDS),
                   help="the kind of act the evidence is for (default: the next waiting act the right guards)")

    p = command(sub, "override", cmd_override, "override a blocked checkpoint with reasons and a legal ground")
    p.add_argument("case", type=int)
    p.add_argument("checkpoint", choices=sorted(catalogue.CHECKPOINT_IDS))
    p.add_argument("--reason", required=True)
    p.add_argument("--legal-ground", required=True)

    p = command(sub, "release", cmd_release, "record that the person held was released (always lawful; after a "
                "missed judicial review the only lawful act)")
    p.add_argument("case", type=int)
    p.add_argument("--ground", required=True, help="the ground of the release")
    p.add_argument("--released-at", help="when (ISO-8601); default now")
    p.add_argument("--version", type=int, help="the case version you read")
    custody = sub.add_parser("custody", help="custody terms").add_subparsers(title="custody commands")
    p = command(custody, "extend", cmd_custody_extend, "extend a custody term on the prosecutor's petition "
                "(investigating judge; within the tiers and ceilings of CPC 151-152)")
    p.add_argument("case", type=int)
    for name in ("--petition-at", "--ordered-at", "--until", "--order-number", "--reasons", "--alternatives"):
        p.add_argument(name, required=True)
    p.add_argument("--version", type=int, help="the case version you read")
    p = command(sub, "qualify", cmd_qualify, "re-qualify the suspicion (needs a new approval and letter of rights)")
    p.add_argument("case", type=int)
    p.add_argument("qualification", help="the new article, part and paragraph")
    p.add_argument("--decided-at", help="when (ISO-8601); default now")
    p.add_argument("--lighter", action="store_true", help="the new qualification is not graver")
    p.add_argument("--version", type=int, help="the case version you read")
    p = command(sub, "derogate", cmd_derogate, "temporary derogation from counsel, Directive 2013/48 art 3(6) "
                "(supervising prosecutor; the statement is always flagged)")
    p.add_argument("case", type=int)
    p.add_argument("--ground", required=True, choices=("urgent_risk_to_life_liberty_or_physical_integrity",
                                                        "prevent_substantial_jeopardy_to_proceedings"))
    p.add_argument("--reason", required=True)

    comp = sub.add_parser("complaint", help="complaints about a case's acts (CPC 105-106)").add_subparsers(
        title="complaint commands")
    p = command(comp, "file", cmd_complaint_file, "file a complaint about an act of a case (defence, or an "
                "official for the person, their representative or a victim)")
    p.add_argument("case", type=int)
    p.add_argument("--act", required=True, help="which act or decision, by whom, why unlawful")
    p.add_argument("--learned-at", required=True, help="when the complainant learned of the act (ISO-8601)")
    p.add_argument("--about-act", choices=sorted(ACT_KINDS), help="the kind of act complained of")
    p.add_argument("--filed-at", help="when it was filed (ISO-8601); default now")
    p.add_argument("--challenges-detention", action="store_true",
                   help="it challenges the lawfulness of a detention (implied for detention acts)")
    p.add_argument("--complainant", choices=("defence", "person", "representative", "victim"))
    p.add_argument("--addressed-to", choices=("judge", "prosecutor"), default="judge",
                   help="the investigating judge, or the prosecutor for an act of the investigator (CPC 105)")
    p = command(comp, "rule", cmd_complaint_rule, "record the ruling on a complaint (its ruling task)")
    p.add_argument("case", type=int)
    p.add_argument("complaint", type=int, help="the complaint's id (its own case)")
    p.add_argument("--ruling", required=True, choices=("upheld", "dismissed"))
    p.add_argument("--reasons", required=True)
    p.add_argument("--ruled-at", required=True, help="when (ISO-8601)")
    alle = sub.add_parser("allegation", help="ill-treatment allegations (UNCAT 12-13)").add_subparsers(
        title="allegation commands")
    p = command(alle, "record", cmd_allegation_record, "record an ill-treatment allegation (a referral task "
                "follows; questioning waits for a medical examination)")
    p.add_argument("case", type=int)
    p.add_argument("--description", required=True)
    p.add_argument("--alleged-at", help="when it was made (ISO-8601); default now")
    p.add_argument("--made-by", choices=("person", "defence", "representative", "official"))
    p.add_argument("--period-from")
    p.add_argument("--period-to")
    p.add_argument("--version", type=int, help="the case version you read")
    p = command(alle, "refer", cmd_allegation_refer, "refer an allegation for an independent check (prosecutor)")
    p.add_argument("case", type=int)
    p.add_argument("allegation", type=int)
    p.add_argument("--referred-to", required=True)
    p.add_argument("--referred-at", help="when (ISO-8601); default now")

    esc = sub.add_parser("escalation", help="resolve escalations").add_subparsers(title="escalation commands")
    p = command(esc, "resolve", cmd_escalation_resolve, "resolve an escalation (supervising prosecutor)")
    p.add_argument("escalation", type=int)
    p.add_argument("--resolution", required=True)

    inc = sub.add_parser("incident", help="cases the engine could not load or move on").add_subparsers(
        title="incident commands")
    p = command(inc, "list", cmd_incident_list, "list incidents (admin, reviewer, supervising prosecutor)")
    p.add_argument("--status", choices=("open", "resolved", "all"), default="open")
    for act, text in (("retry", "load the case again and re-arm its failed deadlines (exit 6 if it still fails)"),
                      ("repair", "set aside the data the engine cannot load back, then resolve"),
                      ("resolve", "close the incident with a note (refused while the case does not load)")):
        p = command(inc, act, cmd_incident_act, text)
        p.add_argument("incident", type=int)
        p.add_argument("--note", required=act == "resolve")
        p.set_defaults(act=act)

    aud = sub.add_parser("audit", help="the audit trail").add_subparsers(title="audit commands")
    p = command(aud, "verify", cmd_audit_verify, "verify the audit chain, its anchor and the rows it seals "
                "(exit 8 when broken)")
    p.add_argument("--anchor", help="anchor file to check against (default: HABEAS_AUDIT_ANCHOR or the "
                   "database's own file under instance/)")
    command(aud, "anchor", cmd_audit_anchor, "print the chain's head for the record and add it to the anchor file")

    command(sub, "backup", cmd_backup, "copy the whole database into a new file (SQLite online backup; "
            "pg_dump for PostgreSQL)").add_argument("file")
    p = command(sub, "restore", cmd_restore, "restore a backup into an empty database and verify its audit chain "
                "(exit 8 when broken)")
    p.add_argument("file")
    p.add_argument("--anchor", help="also check the chain against this anchor file (the live database's)")

    p = command(sub, "erase", cmd_erase, "erase the personal data of cases closed before a date (retention; "
                "the audit chain stays verifiable)")
    p.add_argument("--closed-before", required=True, help="ISO-8601 date: cases closed (last changed) before it")
    p.add_argument("--dry-run", action="store_true", help="list the cases, erase nothing")

    train = sub.add_parser("training", help="the training scenarios").add_subparsers(title="training commands")
    p = command(train, "check", cmd_training_check, "play each scenario's reference and mistake walks on a "
                "throwaway database: full marks, and exactly the rights the mistake breaks (exit 3 if not)")
    p.add_argument("--scenario", help="only this scenario id")
    p.add_argument("--processes", default="processes", help="folder of BPMN files to deploy")

    rep = sub.add_parser("report", help="reports").add_subparsers(title="report commands")
    p = command(rep, "compliance", cmd_report_compliance, "checkpoint compliance per right")
    p.add_argument("--format", choices=("json", "csv"), default="json")
    p.add_argument("--from", dest="start", help="period start (ISO-8601)")
    p.add_argument("--to", dest="end", help="period end (ISO-8601)")
    p.add_argument("--unit")
    p.add_argument("--prosecutor")
    p = command(rep, "indicators", cmd_report_indicators, "the reviewers' indicators with definitions, legal "
                "bases and the cases behind each figure")
    p.add_argument("--from", dest="start", help="period start (ISO-8601)")
    p.add_argument("--to", dest="end", help="period end (ISO-8601)")
    p.add_argument("--unit")
    p.add_argument("--prosecutor")
    return parser


if __name__ == "__main__":
    sys.exit(main())
