"""The `creneau` command line: tools that need no web server and, mostly, no database.

    creneau replay RUN.json        check a published allocation run against its digests
    creneau simulate SCENARIO      compare first-come-first-served with batch allocation
    creneau plan DATA              capacity planning from a prefecture's own figures

Each sub-command lives beside the code it drives and registers itself here.
"""

from __future__ import annotations

import argparse
import importlib
import sys

SUBCOMMAND_MODULES = ["creneau.allocation.cli", "creneau.simulation.cli"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="creneau", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a part not built yet must not break the others
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
