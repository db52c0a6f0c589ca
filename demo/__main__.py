"""`python -m demo`: the same as `tumbuh demo`."""

import sys

from demo.generate import cli

sys.exit(cli())
