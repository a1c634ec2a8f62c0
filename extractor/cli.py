"""Command line: `extractor run`, `show`, `review`, `validate`, `apply`, `sheets`, `tracker`,
and the register's commands (extractor/register/commands.py).

Exit codes: 0 all files processed, 1 some files failed (each named on stderr with its
reason, and listed in OUT/errors.jsonl), 2 usage error (a one-line error before anything is
written), 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from . import limits
from .batch import INPUT_SUFFIXES, BatchOptions, run_batch
from .days import DAY_FORMS
from .days import day_argument as _day
from .render import show_table

__all__ = ["main"]

NOTICE_FORMATS = ", ".join(sorted(INPUT_SUFFIXES))


# Argument types: a wrong argument is a usage error (exit 2) before anything is written.
def _path(value: str) -> Path:
    path = Path(value)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{value}: no such file or folder")
    return path


def _file(value: str) -> Path:
    path = _path(value)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a folder; give a file")
    return path


def _folder(value: str) -> Path:
    path = _path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is not a folder")
    return path


def _jobs(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a number of processes (0: one per core)"
        )
    return int(value)


def cmd_run(args: argparse.Namespace) -> int:
    if args.no_cache:  # read by extractor.ingest.ocr, here and in the worker processes
        os.environ["EXTRACTOR_OCR_CACHE"] = "off"
    opts = BatchOptions(
        paths=tuple(args.paths),
        out_dir=args.output,
        jobs=args.jobs,
        force=args.force,
        quiet=args.quiet,
        json_log=args.json_log,
        rules_dir=args.rules,
        review=args.review,
        cluster=args.cluster,
        skip_missing_tools=args.skip_missing_tools,
        limits=limits.from_arguments(args),
    )
    if args.cluster is None:
        return run_batch(opts)
    from .cluster import ClusterError, cluster_problem

    problem = cluster_problem(args.cluster)
    if args.jobs and not problem:
        problem = "--jobs and --cluster both say where files are read; give one of them."
    try:
        if problem is None:
            return run_batch(opts)
    except ClusterError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    print(f"error: {problem}", file=sys.stderr)
    return 2


def cmd_review(args: argparse.Namespace) -> int:
    from .review import export_csv, load_task_json, write_review

    failed = 0
    for path in args.files:
        try:
            out_dir = args.output or path.parent
            out_dir.mkdir(parents=True, exist_ok=True)
            page = write_review(path, out_dir / f"{path.stem}.review.html")
            table = out_dir / f"{path.stem}.tasks.csv"
            table.write_text(export_csv(load_task_json(path)), encoding="utf-8")
        except (OSError, ValueError, KeyError) as exc:
            print(f"error: {path}: cannot be reviewed ({exc}).", file=sys.stderr)
            failed += 1
            continue
        print(f"{path} -> {page}, {table}")
    return 1 if failed else 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .review import validate_file

    bad = 0
    for path in args.files:
        problems = validate_file(path, args.json)
        for p in problems:
            print(p)
        if not problems:
            print(f"{path}: valid.")
        bad += bool(problems)
    return 1 if bad else 0


def cmd_apply(args: argparse.Namespace) -> int:
    from .review import apply_csv, json_for_csv, validate_file

    target = args.json or json_for_csv(args.csv)
    problems = validate_file(args.csv, target)
    if problems:
        print("\n".join(problems))
        print(f"{target}: not changed; correct the CSV and apply it again.")
        return 1
    try:
        done = apply_csv(args.csv, target)
    except (OSError, ValueError) as exc:
        print(f"error: {target}: not changed ({exc}).", file=sys.stderr)
        return 1
    print(
        f"{target}: {done.changed} tasks corrected, {done.added} added; "
        "marked reviewed (a later run keeps it)."
    )
    for page in done.pages:
        print(f"{page}: written again.")
    return 0


def _formats(value: str) -> list[str]:
    from .sheets import FORMATS

    chosen = [f.strip().lower() for f in value.split(",") if f.strip()]
    wrong = [f for f in chosen if f not in FORMATS]
    if wrong or not chosen:
        raise argparse.ArgumentTypeError(f"formats are {', '.join(FORMATS)} (comma-separated)")
    return chosen


def cmd_sheets(args: argparse.Namespace) -> int:
    from .errors import ExtractorError
    from .rules import cached_rules
    from .sheets import gather, write_sheets

    found = gather(args.folder, cached_rules())
    rows, spellings = found.rows, found.spellings
    if not rows:
        print(f"error: {args.folder} holds no task JSON with tasks.", file=sys.stderr)
        return 1
    try:
        written = write_sheets(rows, args.output, args.format, _sheet_options(args))
    except ExtractorError as exc:  # a bad office profile, a format that cannot be made here
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    on_sheets = sum(1 for r in rows if r.units or r.coordinators)
    print(f"{len(written)} unit sheets, {on_sheets} tasks -> {args.output}")
    print(_counted(args.folder, len(rows), len(rows) - on_sheets))
    from .collation import vi_key

    unknown = sorted((u for u, names in spellings.items() if _no_alias(u, names)), key=vi_key)
    if unknown:
        listed = args.output / "units-without-alias.txt"
        listed.write_text("".join(f"{u}\n" for u in unknown), encoding="utf-8")
        shown = "; ".join(unknown[:UNITS_SHOWN])
        if len(unknown) > UNITS_SHOWN:
            shown += f"; and {len(unknown) - UNITS_SHOWN} more"
        print(
            f"{len(unknown)} units have no alias in rules/units.yaml (kept as written), "
            f"all listed in {listed}:"
        )
        print(textwrap.fill(shown, width=100, initial_indent="  ", subsequent_indent="  "))
    return _report(found)


def _sheet_options(args: argparse.Namespace) -> Any:
    from .sheets import options

    return options(
        args.profile,
        office=args.office,
        place=args.place,
        when=args.date,
        superior=args.superior,
        signer_title=args.signer_title,
        signer_name=args.signer,
    )


def _report(found: Any) -> int:
    """Notices left out (on stderr: exit 1), notices counted once and units merged."""
    from .sheets import report

    errors, notes = report(found)
    for line in notes:
        print(line)
    for line in errors:
        print(line, file=sys.stderr)
    return 1 if errors else 0


UNITS_SHOWN = 8  # units without an alias named on the console; the file lists them all


def _counted(folder: Path, rows: int, no_sheet: int = 0) -> str:
    """Why the sheets and the tracker hold fewer tasks than `run` found."""
    files = found = 0
    for path in folder.glob("*.json"):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            continue
        if isinstance(data, dict) and "tasks" in data and "notice" in data:
            files += 1
            found += len(data["tasks"])
    why = [f"{found - rows} repeat a notice read from another file (counted once)"]
    if no_sheet:
        why.append(f"{no_sheet} have no unit, so no sheet (the tracker lists them)")
    return f"Of the {found} tasks in {files} task JSON files, " + "; ".join(why) + "."


def _no_alias(unit: str, names: set[str]) -> bool:
    from .rules import cached_rules
    from .units import canonical_unit

    return all(canonical_unit(n, cached_rules())[1] is None for n in names)


def cmd_tracker(args: argparse.Namespace) -> int:
    from .errors import ExtractorError
    from .rules import cached_rules
    from .sheets import gather
    from .tracker import write_tracker

    found = gather(args.folder, cached_rules())
    rows = found.rows
    if not rows:
        print(f"error: {args.folder} holds no task JSON with tasks.", file=sys.stderr)
        return 1
    out = args.output or args.folder / "tracker"
    try:
        paths = write_tracker(rows, out, args.format, args.as_of, _sheet_options(args))
    except ExtractorError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(f"{len(rows)} tasks as of {args.as_of} -> " + ", ".join(str(p) for p in paths))
    print(_counted(args.folder, len(rows)))
    return _report(found)


def cmd_show(args: argparse.Namespace) -> int:
    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        print(f"error: {args.file}: cannot be read as task JSON ({exc}).", file=sys.stderr)
        return 1
    print(show_table(data))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="extractor",
        description="Extract assigned tasks from Vietnamese government notices.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", help=f"extract tasks from notices ({NOTICE_FORMATS}) into JSON files"
    )
    run.add_argument(
        "paths",
        nargs="+",
        type=_path,
        help=f"notice files, or folders searched for {NOTICE_FORMATS}",
    )
    run.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    run.add_argument(
        "--rules", type=_folder, default=None, help="rule folder (default: the installed rules/)"
    )
    run.add_argument(
        "-j", "--jobs", type=_jobs, default=0, help="worker processes (default: one per core)"
    )
    run.add_argument(
        "--cluster",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster instead: its scheduler (tcp://HOST:8786), or local:N "
        "for N workers here (needs extractor[cluster])",
    )
    run.add_argument(
        "--force", action="store_true", help="reprocess files whose output is already up to date"
    )
    run.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    run.add_argument(
        "--json-log",
        action="store_true",
        help="one JSON line per file and a summary line on stdout, for scripts",
    )
    run.set_defaults(func=cmd_run)
    run.add_argument(
        "--review", action="store_true", help="also write X.review.html beside each X.json"
    )
    run.add_argument(
        "--skip-missing-tools",
        action="store_true",
        help="leave out (and name) the files that need a program not installed here, such as "
        "Tesseract for scans, instead of failing them",
    )
    run.add_argument(
        "--no-cache",
        action="store_true",
        help="read every scanned page by OCR again, not from the OCR cache "
        "($XDG_CACHE_HOME/extractor/ocr, at most EXTRACTOR_OCR_CACHE_MB, default 200)",
    )
    limits.add_arguments(run)
    show = sub.add_parser("show", help="print the tasks of a task JSON file as a table")
    show.add_argument("file", type=_file, help="a task JSON file (written by run)")
    show.set_defaults(func=cmd_show)

    review = sub.add_parser("review", help="write the review page and task CSV of task JSON")
    review.add_argument("files", nargs="+", type=_file, help="task JSON files (written by run)")
    review.add_argument(
        "-o", "--output", type=Path, default=None, help="folder (default: beside each JSON)"
    )
    review.set_defaults(func=cmd_review)

    validate = sub.add_parser("validate", help="check a corrected task JSON or task CSV")
    validate.add_argument(
        "files",
        nargs="+",
        type=_file,
        help="task JSON files, or task CSV files (X.tasks.csv is checked against X.json beside it)",
    )
    validate.add_argument(
        "--json", type=_file, default=None, help="the task JSON the CSV files correct"
    )
    validate.set_defaults(func=cmd_validate)

    apply = sub.add_parser("apply", help="write a corrected task CSV back into its JSON")
    apply.add_argument("csv", type=_file, help="the corrected task CSV (X.tasks.csv)")
    apply.add_argument(
        "--json", type=_file, default=None, help="the task JSON (default: X.json for X.tasks.csv)"
    )
    apply.set_defaults(func=cmd_apply)

    fmt_help = "formats, comma-separated: html,md,csv,xlsx,docx,pdf (pdf needs Debian's pango)"
    sheets = sub.add_parser("sheets", help="one assignment sheet per unit, across notices")
    sheets.add_argument("folder", type=_folder, help="folder of task JSON (the -o of run)")
    sheets.add_argument("-o", "--output", type=Path, required=True, help="folder for the sheets")
    sheets.add_argument(
        "--format", type=_formats, default=["html", "md", "csv", "xlsx", "docx"], help=fmt_help
    )
    _office_arguments(sheets)
    sheets.set_defaults(func=cmd_sheets)

    tracker = sub.add_parser("tracker", help="every task by deadline, with its status")
    tracker.add_argument("folder", type=_folder, help="folder of task JSON (the -o of run)")
    tracker.add_argument(
        "--as-of",
        type=_day,
        required=True,
        help=f"the day the statuses are computed for, {DAY_FORMS}",
    )
    tracker.add_argument(
        "-o", "--output", type=Path, default=None, help="folder (default: FOLDER/tracker)"
    )
    tracker.add_argument(
        "--format", type=_formats, default=["html", "md", "csv", "xlsx", "docx"], help=fmt_help
    )
    _office_arguments(tracker)
    tracker.set_defaults(func=cmd_tracker)

    from .register.commands import add_commands, add_run_db  # import, serve, users, backup

    add_commands(sub)
    add_run_db(run)
    return parser


def _office_arguments(parser: argparse.ArgumentParser) -> None:
    """Who issues the sheets: an office profile (YAML), each value overridable here."""
    parser.add_argument(
        "--profile", type=_file, default=None, help="office profile YAML (see README)"
    )
    parser.add_argument("--office", default="", help="issuing office for the header block")
    parser.add_argument("--superior", default="", help="the office's superior (cơ quan chủ quản)")
    parser.add_argument("--place", default="", help="place for the date line")
    parser.add_argument("--signer", default="", help="the signer's name")
    parser.add_argument("--signer-title", default="", help="the signer's title")
    parser.add_argument(
        "--date",
        type=_day,
        default=None,
        help=f"date of the sheets, {DAY_FORMS} (default: left blank)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


def run() -> NoReturn:
    """The `extractor` command: `main`, then leave without tearing down the interpreter's
    modules one by one (0.04 s of a 0.25 s run), once every output is closed and the console
    is flushed, as mypy does."""
    try:
        code = main()
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `extractor show X | head`: the reader has had enough
        code = 0
    os._exit(code)


if __name__ == "__main__":
    run()
