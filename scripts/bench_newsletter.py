"""Benchmark (not a test): moved to `python -m bench.infobrief` — this wrapper runs it with the same arguments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/verbund REDIS_URL=redis://127.0.0.1:6379/13 \\
        .venv/bin/python scripts/bench_newsletter.py [--json OUT] [--recipients 10000]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.infobrief import main

if __name__ == "__main__":
    main()
