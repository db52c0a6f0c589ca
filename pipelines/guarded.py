"""A warehouse write as `tumbuh ingest` and `tumbuh rebuild` run it, shared with the dashboard's
upload worker (dashboard/upload_worker.py) so an upload gets the command's refusals and messages.
Here rather than in tumbuh_cli.py because the packages never import the command (D30)."""

from __future__ import annotations

import sys
from pathlib import Path


def guarded(command: str, warehouse: Path, work):
    """Run a warehouse write; a failure that is no bug (lock held, out of memory or disk, a
    warehouse of the old layout) becomes one message and exit code 3, with nothing published."""
    import duckdb

    from pipelines.ingest.load import OutsideWilayah
    from pipelines.keys import HashKeyError
    from pipelines.marts import AuditFailed
    from pipelines.warehouse import WarehouseLayoutError, WarehouseLocked

    try:
        return work()
    except AuditFailed as exc:
        print(f"tumbuh {command}: the new marts failed their audits, so nothing was published "
              f"({warehouse} is as it was before this command"
              + (", and the files reported above are not loaded" if command == "ingest" else "")
              + f"):\n{exc}", file=sys.stderr)
        return 3
    except WarehouseLocked as exc:
        print(f"tumbuh {command}: {exc}; nothing was changed, try again when it is done",
              file=sys.stderr)
        return 3
    except OutsideWilayah as exc:
        print(f"tumbuh {command}: {exc}; nothing was loaded: {warehouse} is as it was",
              file=sys.stderr)
        return 3
    except WarehouseLayoutError as exc:
        print(f"tumbuh {command}: {exc}", file=sys.stderr)
        return 3
    except HashKeyError as exc:  # a weak or misplaced key, or not the warehouse's
        print(f"tumbuh {command}: {exc}. Nothing was loaded: {warehouse} is as it was.",
              file=sys.stderr)
        return 3
    except (duckdb.OutOfMemoryException, duckdb.IOException, OSError) as exc:
        # The build is discarded: whatever was reported above was not published.
        hint = ("raise [warehouse] memory_limit in the config" if isinstance(
                    exc, duckdb.OutOfMemoryException)
                else "free disk space beside the warehouse (the build, its new files and "
                     "DuckDB's spill files live there) and check that its folder is writable")
        print(f"tumbuh {command}: the warehouse build failed: {exc}\n"
              f"Nothing was published: {warehouse} is as it was before this command"
              + (", and the files reported above are not loaded" if command == "ingest" else "")
              + f". To fix: {hint}.", file=sys.stderr)
        return 3
