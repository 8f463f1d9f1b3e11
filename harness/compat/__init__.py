"""`promotion-conformance crd-compat OLD NEW [--objects DIR]`: is the NEW CRD set backward compatible with OLD?

Exit codes: 0 compatible, 1 breaking (one `BREAKING` line each, first), 2 bad input or usage (one line
on stderr naming the file, line, document and field: YAML that does not parse, a file cut short, a
document that is not a CRD or a schema the API server would not take).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.compat.compare import compare_sets
from harness.compat.loading import InputError, load_crds
from harness.compat.example_objects import check_objects, examples
from harness.compat.output import render
from harness.paths import FIXTURES

PROG = "promotion-conformance crd-compat"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, metavar="OLD", help="the CRD set clients use today: a YAML file or folder")
    parser.add_argument("new", type=Path, metavar="NEW", help="the CRD set to upgrade to: a YAML file or folder")
    parser.add_argument("--objects", type=Path, metavar="DIR",
                        help="objects (YAML) that OLD admits and NEW must admit too")
    parser.add_argument("--fixtures", type=Path, metavar="DIR", default=FIXTURES,
                        help=f"example objects of the pair's kinds found here are checked too (default: {FIXTURES})")
    return parser


def main(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error already written as one line
        return int(exit_.code or 0)
    try:
        old, new = load_crds(args.old), load_crds(args.new)
        found, unknown = examples(args.objects, args.fixtures, set(old) | set(new), skip=[args.old, args.new])
        comparison = compare_sets(old, new)
        objects = check_objects(found, old, new)
    except InputError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    objects.unknown_kinds += unknown
    lines, code = render(comparison, objects, len(old))
    print("\n".join(lines))
    return code
