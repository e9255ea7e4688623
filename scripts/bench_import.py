"""Benchmark (not a test): importing a realistic member list — moved to `bench/importing.py` (`python -m bench.importing`).

Usage, as before:
    .venv/bin/python scripts/bench_import.py [--rows 10000] [--format csv|xlsx] [--pages] [--json OUT]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.importing import main

if __name__ == "__main__":
    main()
