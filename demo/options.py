"""The demo generator's command-line options, kept apart from the generator so that building the
`tumbuh` parser (every command, `ingest` included) does not import numpy, pandas and scipy."""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_SCALE = 0.02
DEFAULT_OUT = Path("data/demo")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE,
                        help=f"share of the province's balita to simulate (1 = about 2.8 million; "
                             f"default {DEFAULT_SCALE})")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same bytes)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument("--clean", action="store_true",
                        help="no mess: every row valid, plain CSV files")
    parser.add_argument("--workers", type=int, default=None,
                        help="processes (default: up to 2); the output does not depend on it")
