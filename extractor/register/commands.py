"""The register's commands (`import`, `serve`, `users`, `backup`, and `run --db`): cli.py
adds them with `add_commands` and calls nothing deeper."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from ..days import DAY_FORMS, day_argument

__all__ = ["add_commands", "add_run_db", "import_after_run"]

DB_HELP = "the register: a SQLite file (created if missing) or a postgresql:// URL"


def _import(db: str, paths: list[Path], rules_dir: Path | None) -> int:
    from ..rules import cached_rules
    from .db import open_register
    from .importer import import_paths

    register = open_register(db)
    with register.session() as session:
        report = import_paths(session, paths, cached_rules(str(rules_dir) if rules_dir else None))
    for line in report.errors:
        print(f"error: {line}", file=sys.stderr)
    print(f"{db}: {report.line()}")
    return 1 if report.errors else 0


def import_after_run(db: str, out_dir: Path, rules_dir: Path | None) -> int:
    """`extractor run … --db DB`: the task JSON just written goes into the register."""
    return _import(db, [out_dir], rules_dir)


def add_run_db(run: argparse.ArgumentParser) -> None:
    """`run … --db DB`: after the run, its task JSON go into the register."""
    run.add_argument("--db", default=None, help="also import the results into this register")
    extract = run.get_default("func")

    def run_then_import(args: argparse.Namespace) -> int:
        code: int = extract(args)
        if args.db is None or code not in (0, 1):
            return code
        return max(code, import_after_run(args.db, args.output, args.rules))

    run.set_defaults(func=run_then_import)


def cmd_import(args: argparse.Namespace) -> int:
    return _import(args.db, list(args.paths), args.rules)


def cmd_serve(args: argparse.Namespace) -> int:
    from ..web.serve import ServeOptions, serve

    return serve(
        ServeOptions(
            db=args.db,
            host=args.host,
            port=args.port,
            as_of=args.as_of,
            soon_days=args.due_soon_days,
            office=args.office,
            place=args.place,
            profile=args.profile,
        )
    )


def cmd_users(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from .db import open_register
    from .models import User
    from .users import add_user

    register = open_register(args.db)
    with register.session() as session:
        if args.action == "list":
            for u in session.scalars(select(User).order_by(User.name)):
                print(f"{u.name}\t{u.role}")
            return 0
        if not args.name:
            print("error: `users add` needs a NAME.", file=sys.stderr)
            return 2
        password = (
            sys.stdin.readline().rstrip("\n")
            if args.password_stdin
            else getpass.getpass(f"password for {args.name}: ")
        )
        try:
            add_user(session, args.name, password, args.role)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(f"{args.name}: {args.role}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from .backup import backup
    from .db import open_register

    try:
        path = backup(open_register(args.db), args.output)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.db} -> {path}")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = sub.add_parser("import", help="put task JSON files (or folders of them) in the register")
    imp.add_argument("paths", nargs="+", type=Path, help="task JSON files or folders of them")
    imp.add_argument("--db", required=True, help=DB_HELP)
    imp.add_argument("--rules", type=Path, default=None, help="rule folder (unit aliases)")
    imp.set_defaults(func=cmd_import)

    srv = sub.add_parser("serve", help="the register's web app (Vietnamese)")
    srv.add_argument("--db", required=True, help=DB_HELP)
    srv.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on; any but 127.0.0.1 requires logins",
    )
    srv.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    srv.add_argument(
        "--as-of",
        type=day_argument,
        default=None,
        help=f"the day statuses are computed for, {DAY_FORMS} (default: today, shown)",
    )
    srv.add_argument("--due-soon-days", type=int, default=7, help="'sắp đến hạn' window (days)")
    srv.add_argument("--office", default="", help="issuing office on exported sheets")
    srv.add_argument("--place", default="", help="place on exported sheets")
    srv.add_argument(
        "--profile", type=Path, default=None, help="office profile YAML for exported sheets"
    )
    srv.set_defaults(func=cmd_serve)

    usr = sub.add_parser("users", help="users of the web app (viewer, editor, admin)")
    usr.add_argument("action", choices=["add", "list"], help="add (or reset) a user, or list them")
    usr.add_argument("name", nargs="?", help="the user's login name (for add)")
    usr.add_argument("--db", required=True, help=DB_HELP)
    usr.add_argument(
        "--role", choices=["viewer", "editor", "admin"], default="editor", help="default: editor"
    )
    usr.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (else asked)",
    )
    usr.set_defaults(func=cmd_users)

    bak = sub.add_parser("backup", help="copy the register (SQLite file, or .json of every table)")
    bak.add_argument("--db", required=True, help=DB_HELP)
    bak.add_argument(
        "-o", "--output", type=Path, required=True, help="the backup: X.db (SQLite) or X.json"
    )
    bak.set_defaults(func=cmd_backup)
