"""Files tumbuh writes are private to the account that runs it: the catalog, the bulk store, the
build and spill files, the hash key and exports are created 0600 (folders 0700), so a shared
server's other accounts cannot read NIK-derived keys or staged rows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

PRIVATE_UMASK = 0o077


@contextmanager
def private_files() -> Iterator[None]:
    """Every file and folder created inside (by Python or DuckDB, in any thread of the process)
    is readable by its owner only. The umask is the process's: set it around work that only
    writes tumbuh's own files, and put the previous one back after."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)
