"""`creneau replay RUN.json`: check a published allocation run against its digests."""

from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Any

from .verify import verify_run


def run(args: argparse.Namespace) -> int:
    report = verify_run(pathlib.Path(args.file).read_bytes())
    print(f"input digest   recorded   {report.recorded_input_digest}")
    print(f"               recomputed {report.recomputed_input_digest}")
    print(f"output digest  recorded   {report.recorded_output_digest}")
    print(f"               recomputed {report.recomputed_output_digest}")
    for problem in report.problems:
        print(f"  - {problem}")
    print("OK" if report.ok else "MISMATCH")
    return 0 if report.ok else 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("replay", help="re-run a published allocation run and check its digests")
    parser.add_argument("file", help="a run file (creneau-allocation-run/1 JSON)")
    parser.set_defaults(func=run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="creneau")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
