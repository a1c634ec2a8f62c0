"""Command line: `extractor run PATH... -o DIR` and `extractor show FILE.json`.

Exit codes: 0 all files processed, 1 some files failed (each named on stderr with its
reason), 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import ExtractorError
from .ingest import HTML_SUFFIXES, ingest_path
from .pipeline import extract_document
from .render import notice_to_dict, show_table, write_json_atomic
from .rules import cached_rules

__all__ = ["main"]

INPUT_SUFFIXES = HTML_SUFFIXES | {".txt"}


def _inputs(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in INPUT_SUFFIXES
                    and not f.name.startswith(".")
                )
            )
        else:
            out.append(p)
    return out


def cmd_run(args: argparse.Namespace) -> int:
    out_dir: Path = args.output
    try:
        rules = cached_rules(str(args.rules) if args.rules else None)
    except ExtractorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    files = _inputs(args.paths)
    if not files:
        print("error: no .txt or .html notices found in the given paths.", file=sys.stderr)
        return 2
    failed = 0
    written: dict[str, Path] = {}
    total_tasks = 0
    for path in files:
        name = f"{path.stem}.json"
        if name in written:
            print(
                f"error: {path}: its output {name} would overwrite the one of "
                f"{written[name]}; rename one of them.",
                file=sys.stderr,
            )
            failed += 1
            continue
        try:
            notice = extract_document(ingest_path(path), rules)
            write_json_atomic(out_dir / name, notice_to_dict(notice))
        except ExtractorError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
            continue
        except OSError as exc:
            print(
                f"error: {path}: cannot write {out_dir / name} ({exc.strerror}).", file=sys.stderr
            )
            failed += 1
            continue
        written[name] = path
        total_tasks += len(notice.tasks)
        if not args.quiet:
            print(f"{path} -> {out_dir / name}: {len(notice.tasks)} tasks")
    if not args.quiet:
        print(f"{len(written)} files written, {failed} failed, {total_tasks} tasks.")
    return 1 if failed else 0


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
    run.add_argument("-q", "--quiet", action="store_true", help="print errors only")
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
