"""Command line: `extractor run PATH... -o DIR` and `extractor show FILE.json`.

Exit codes: 0 all files processed, 1 some files failed (each named on stderr with its
reason, and listed in OUT/errors.jsonl), 2 usage error, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .batch import BatchOptions, run_batch
from .render import show_table

__all__ = ["main"]


def cmd_run(args: argparse.Namespace) -> int:
    return run_batch(
        BatchOptions(
            paths=tuple(args.paths),
            out_dir=args.output,
            jobs=args.jobs,
            force=args.force,
            quiet=args.quiet,
            json_log=args.json_log,
            rules_dir=args.rules,
        )
    )


def cmd_show(args: argparse.Namespace) -> int:
    try:
        data = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
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
    run = sub.add_parser("run", help="extract tasks from notices (.txt, .html) into JSON files")
    run.add_argument("paths", nargs="+", type=Path, help="notice files or folders")
    run.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    run.add_argument("--rules", type=Path, default=None, help="rule folder (default: rules/)")
    run.add_argument(
        "-j", "--jobs", type=int, default=0, help="worker processes (default: one per core)"
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
    show = sub.add_parser("show", help="print the tasks of a task JSON file as a table")
    show.add_argument("file", type=Path)
    show.set_defaults(func=cmd_show)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
