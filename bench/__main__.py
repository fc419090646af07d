"""`make bench`: every performance figure of thidua next to its target and its baseline.

    python -m bench                    # every section
    python -m bench compile            # one or more sections by name
    python -m bench --json out/bench.json

Sections run one after another (never in parallel: they would disturb each other's
timings). Figures and the command behind each are written up in docs/performance.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench.figures import Figure, table

SECTIONS = {
    "ranking": "bench.ranking",  # issue 20: the shortlist's ranking and window sums at 11,000 units
    "cold_start": "bench.cold_start",
    "submission": "bench.submission",
    "compile": "bench.compile",
    "compile_trigger": "bench.compile_trigger",
    "portal": "bench.portal",
    "scale": "bench.scale",
    "units": "bench.units",  # issue 20: the admin pages' unit reads (tree, search, names) at 11,000 units
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", metavar="section", help=f"any of {', '.join(SECTIONS)}; default: all")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run, not figures)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    chosen = args.sections or list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}")
    figures: list[Figure] = []
    started = time.monotonic()
    for name in chosen:
        section_start = time.monotonic()
        print(f"== {name} ...", flush=True)
        module = importlib.import_module(SECTIONS[name])
        found = module.run(quick=args.quick)
        figures.extend(found)
        print(table(found), flush=True)
        print(f"   ({time.monotonic() - section_start:.0f} s)\n", flush=True)
    print(f"== all figures ({time.monotonic() - started:.0f} s in all)")
    print(table(figures))
    missed = [f for f in figures if f.met is False]
    print(f"\n{len(figures)} figures, {sum(f.met is True for f in figures)} targets met, {len(missed)} missed.")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(f) for f in figures], ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
