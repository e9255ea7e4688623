"""`make bench`: build (or reuse) the world, serve the portal and the bare project with gunicorn, measure with wrk.

    python -m bench.run [--scale 1.0] [--seconds 8] [--runs 1] [--only directory,matrix] [--skip-offline]

Writes var/bench/results.json (one key per figure) and the generated section of docs/PERFORMANCE.md.
See bench/README.md for what is measured and how to read the ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import PG_DEFAULT, ROOT, VAR, database_name, database_url
from bench.pages import Page, pages
from bench.world import ensure

OFFLINE = ("pdf", "infobrief", "importing", "export")
# The keys the issue asks for from each offline bench (null when the module is missing or failed).
OFFLINE_KEYS = {"pdf": ["pdf_ratio"], "infobrief": ["infobrief_ratio"], "importing": ["import_10k_s"], "export": ["export_50k_s"]}
CHECK_TIMEOUT = 300
MIN_REQUESTS = 24  # fewer finished requests than this in a cell: the cell is repeated LONG_CELL_SECONDS long
LONG_CELL_SECONDS = 30
WRK = shutil.which("wrk") or "/usr/bin/wrk"
LUA = Path(__file__).with_name("wrk.lua")
DOC = ROOT / "docs" / "PERFORMANCE.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SECRET = "bench-secret-key-not-for-production-0123456789-abcdefghijklmnop"


class BenchError(RuntimeError):
    pass


FAILURES: list[str] = []  # pages that answered other than 200: reported, not measured; the run exits 1


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# --- servers ------------------------------------------------------------------------------------------------------


def server_env(db_url: str, redis_url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "WEB_CONCURRENCY": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_LOG_LEVEL": "warning",
        # Behind a TLS proxy, as in production: wrk sends X-Forwarded-Proto.
        "USE_X_FORWARDED_PROTO": "true",
        "MEDIA_ROOT": str(VAR / "media"),
        "DJANGO_SETTINGS_MODULE": "verbund.settings",
        "PYTHONUNBUFFERED": "1",
    }


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], port: int, logfile: Path) -> Iterator[str]:
    """gunicorn with the project's gunicorn.conf.py, serving `app` on `port`; stopped on exit."""
    base = f"http://127.0.0.1:{port}"
    with logfile.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 240
            while True:
                if process.poll() is not None:
                    raise BenchError(f"gunicorn {app} exited ({process.returncode}); see {logfile}")
                if answers(f"{base}/health/"):
                    break
                if time.monotonic() > deadline:
                    raise BenchError(f"gunicorn {app} did not answer within 240 s; see {logfile}")
                time.sleep(0.3)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def answers(url: str) -> bool:
    """Whether a server answers at all (any status)."""
    try:
        urllib.request.build_opener(NoRedirect).open(url, timeout=10).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def request_headers(page: Page, cookies: dict[str, str], bare: bool) -> dict[str, str]:
    headers = {"X-Forwarded-Proto": "https", "Accept-Language": "de", **page.headers}
    if page.who and not bare:
        headers["Cookie"] = f"sessionid={cookies[page.who]}"
    return headers


def check(base: str, path: str, headers: dict[str, str]) -> int:
    """One GET without following redirects: anything but 200 fails the bench."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(base + path, headers=headers), timeout=CHECK_TIMEOUT) as response:
            size = len(response.read())
            status = response.status
    except urllib.error.HTTPError as error:
        raise BenchError(f"{base}{path} answered {error.code} (Location: {error.headers.get('Location')}) – not measured") from error
    except TimeoutError as error:
        raise BenchError(f"{base}{path} did not answer within {CHECK_TIMEOUT} s – not measured") from error
    if status != 200:
        raise BenchError(f"{base}{path} answered {status} – not measured")
    return size


def wrk(base: str, path: str, headers: dict[str, str], seconds: float, warm: bool = False, allow_empty: bool = False) -> dict[str, Any]:
    command = [WRK, "-t2", "-c8", f"-d{max(1, round(seconds))}s", "--timeout", "60s", "-s", str(LUA), "--latency"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    output = subprocess.run([*command, base + path], capture_output=True, text=True, check=True).stdout
    line = next((line for line in output.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise BenchError(f"wrk gave no result for {path}:\n{output}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    if not data["requests"] and not (warm or allow_empty):
        raise BenchError(f"{base}{path}: no request finished within the cell of {seconds} s – not measured")
    if data["not_200"] or (data["socket_errors"] and not warm):
        raise BenchError(f"{base}{path}: {data['not_200']} answers other than 200, {data['socket_errors']} socket errors under load – not measured")
    return {
        "rps": round(data["requests"] / (data["duration_us"] / 1e6), 2),
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p95_ms": round(data["p95_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
        "requests": data["requests"],
    }


def median_cell(cells: list[dict[str, Any]]) -> dict[str, Any]:
    return {key: round(statistics.median(cell[key] for cell in cells), 1) for key in ("rps", "p50_ms", "p95_ms", "p99_ms")}


# --- the parts of a run -------------------------------------------------------------------------------------------


def subprocess_json(args: list[str], env: dict[str, str], timeout: float, what: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", dir=VAR, delete=False) as handle:
        out = Path(handle.name)
    try:
        subprocess.run([sys.executable, *args, "--json", str(out)], cwd=ROOT, env=env, check=True, timeout=timeout)
        return json.loads(out.read_text())
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, json.JSONDecodeError) as error:
        raise BenchError(f"{what} failed: {error}") from error
    finally:
        out.unlink(missing_ok=True)


def collectstatic(env: dict[str, str]) -> None:
    """The portal serves hashed, compressed static files with DEBUG off; collected again only when static/ changed."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    newest = max((path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file()), default=0)
    if manifest.exists() and manifest.stat().st_mtime > newest:
        return
    log("collectstatic (once; the portal serves hashed static files with DEBUG off)")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)


def drain(base: str, path: str) -> None:
    """Wait until a server has worked off the requests wrk left queued (sync workers finish them after wrk stops)."""
    with contextlib.suppress(BenchError, OSError):
        check(base, path, {"X-Forwarded-Proto": "https"})


def measure_http(summary: dict[str, Any], env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    selected = [page for page in pages(summary) if not args.only or page.name in args.only]
    bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.bare.settings", "GUNICORN_BIND": f"127.0.0.1:{args.port + 1}"}
    collectstatic(env)
    cookies = subprocess_json(["-m", "bench.probe", "sessions"], env, 120, "logging in")
    results: dict[str, Any] = {}
    failures = FAILURES
    with (
        gunicorn("verbund.wsgi:application", env, args.port, VAR / "gunicorn-verbund.log") as portal,
        gunicorn("bench.bare.wsgi:application", bare_env, args.port + 1, VAR / "gunicorn-bare.log") as bare,
    ):
        log(f"portal on {portal}, bare project on {bare}; wrk 2 threads, 8 connections, {args.seconds} s a cell, {args.runs} run(s)")
        for page in selected:
            verbund_headers, bare_headers = request_headers(page, cookies, bare=False), request_headers(page, cookies, bare=True)
            try:
                sizes = (check(portal, page.path, verbund_headers), check(bare, page.bare, bare_headers))
            except BenchError as error:
                # Loud, and not measured; the other pages still are, and the run ends with a failure.
                log(f"{page.name:<20} FAILED: {error}")
                failures.append(f"{page.name}: {error}")
                drain(portal, "/health/")
                continue
            # Warm both: the first requests of a worker fill its template cache and connection.
            wrk(portal, page.path, verbund_headers, 1, warm=True)
            wrk(bare, page.bare, bare_headers, 1, warm=True)
            cells: dict[str, list[dict[str, Any]]] = {"verbund": [], "bare": []}
            for _ in range(args.runs):
                for side, base, path, headers in (("verbund", portal, page.path, verbund_headers), ("bare", bare, page.bare, bare_headers)):
                    drain(portal, "/health/")
                    drain(bare, "/hello/")
                    cell = wrk(base, path, headers, args.seconds, allow_empty=True)
                    if cell["requests"] < MIN_REQUESTS:
                        # A slow page: too few requests finish in the cell to say anything; measure it longer.
                        drain(portal, "/health/")
                        drain(bare, "/hello/")
                        cell = wrk(base, path, headers, max(args.seconds, LONG_CELL_SECONDS))
                    cells[side].append(cell)
            verbund, plain = median_cell(cells["verbund"]), median_cell(cells["bare"])
            ratio = round(verbund["rps"] / plain["rps"], 3) if plain["rps"] else None
            results[page.name] = {
                "label": page.label,
                "path": page.path,
                "verbund": verbund,
                "bare": plain,
                "ratio": ratio,
                "kib": [round(s / 1024, 1) for s in sizes],
            }
            log(
                f"{page.name:<20} verbund {verbund['rps']:7.1f} req/s p99 {verbund['p99_ms']:6.0f} ms | bare {plain['rps']:7.1f} req/s p99 {plain['p99_ms']:6.0f} ms | ratio {ratio}"
            )
    return results


def measure_queries(big_url: str, small_url: str, env: dict[str, str]) -> dict[str, Any]:
    big = subprocess_json(["-m", "bench.probe", "queries"], {**env, "DATABASE_URL": big_url}, 600, "counting queries (big world)")
    small = subprocess_json(["-m", "bench.probe", "queries"], {**env, "DATABASE_URL": small_url}, 600, "counting queries (small world)")
    for name, entry in {**big, **small}.items():
        if entry["status"] != 200:
            raise BenchError(f"{name} answered {entry['status']} in the query count – not measured")
    return {name: {"big": big[name], "small": small.get(name, {})} for name in big}


def run_offline(env: dict[str, str], timeout: float) -> tuple[dict[str, Any], dict[str, str]]:
    figures: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for name in OFFLINE:
        for key in OFFLINE_KEYS[name]:
            figures[key] = None
        if importlib.util.find_spec(f"bench.{name}") is None:
            notes[name] = "not run (module missing)"
            log(f"bench.{name}: not run (module missing)")
            continue
        log(f"bench.{name} …")
        started = time.monotonic()
        try:
            figures |= subprocess_json(["-m", f"bench.{name}"], env, timeout, f"bench.{name}")
            notes[name] = f"ran in {time.monotonic() - started:.0f} s"
        except BenchError as error:
            notes[name] = str(error)
            log(str(error))
    return figures, notes


# --- results ------------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total_kib = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal:")), 0)
    return {
        "cores": os.cpu_count(),
        "ram_gib": round(total_kib / 1024 / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpu": next(
            (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor()
        )
        if Path("/proc/cpuinfo").exists()
        else platform.processor(),
        "python": platform.python_version(),
    }


def commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        return f"{head}{'+dirty' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def flatten(http: dict[str, Any], counted: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, entry in http.items():
        flat[f"{name}_ratio"] = entry["ratio"]
        for side in ("verbund", "bare"):
            prefix = name if side == "verbund" else f"{name}_bare"
            for key in ("rps", "p50_ms", "p95_ms", "p99_ms"):
                flat[f"{prefix}_{key}"] = entry[side][key]
        flat[f"{name}_p99_to_bare"] = round(entry["verbund"]["p99_ms"] / entry["bare"]["p99_ms"], 2) if entry["bare"]["p99_ms"] else None
    if "directory_search" in http:
        flat["directory_search_ms"] = http["directory_search"]["verbund"]["p50_ms"]
    if "directory" in http and "directory_deep" in http:
        flat["directory_deep_to_first"] = round(http["directory_deep"]["verbund"]["rps"] / http["directory"]["verbund"]["rps"], 3)
    if "directory" in http and "directory_htmx" in http:
        flat["directory_htmx_to_page"] = round(http["directory_htmx"]["verbund"]["rps"] / http["directory"]["verbund"]["rps"], 3)
    if counted:
        for name, entry in counted.items():
            flat[f"{name}_queries"] = entry["big"]["queries"]
            flat[f"{name}_queries_small"] = entry["small"].get("queries")
        flat["queries_constant"] = all(entry["big"]["queries"] == entry["small"].get("queries") for entry in counted.values())
    return flat


def fmt(value: float | None, spec: str = ".0f") -> str:
    return "–" if value is None else format(value, spec)


def table(results: dict[str, Any]) -> str:
    http, counted, offline = results["pages"], results.get("queries", {}), results["offline_notes"]
    lines = [
        "| page | verbund req/s | p50 / p95 / p99 ms | bare req/s | bare p99 ms | ratio | queries (big / small) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, entry in http.items():
        v, b = entry["verbund"], entry["bare"]
        q = counted.get(name)
        queries = f"{q['big']['queries']} / {q['small'].get('queries')}" if q else "–"
        lines.append(
            f"| {entry['label']} (`{name}`) | {fmt(v['rps'], '.1f')} | {fmt(v['p50_ms'])} / {fmt(v['p95_ms'])} / {fmt(v['p99_ms'])} | {fmt(b['rps'], '.1f')} | {fmt(b['p99_ms'])} | **{fmt(entry['ratio'], '.2f')}** | {queries} |"
        )
    flat = results["figures"]
    lines += ["", "| figure | value |", "|---|---|"]
    for key in ("directory_search_ms", "directory_deep_to_first", "directory_htmx_to_page", "queries_constant"):
        if key in flat:
            lines.append(f"| `{key}` | {flat[key]} |")
    for name in OFFLINE:
        for key in OFFLINE_KEYS[name]:
            value = flat.get(key)
            lines.append(f"| `{key}` | {value if value is not None else offline.get(name, 'not run')} |")
    extra = sorted(k for k in results.get("offline", {}) if all(k not in keys for keys in OFFLINE_KEYS.values()))
    for key in extra:
        lines.append(f"| `{key}` | {results['offline'][key]} |")
    return "\n".join(lines)


def write_doc(results: dict[str, Any]) -> None:
    m = results["machine"]
    section = "\n".join(
        [
            BEGIN,
            "## Latest `make bench` (generated – replaced on each run)",
            "",
            f"{results['date']} · commit `{results['commit']}` · scale {results['scale']} ({results['world'].get('organisations')} organisations) · "
            f"{m['cores']} cores, {m['ram_gib']} GiB RAM, load average {' / '.join(str(x) for x in m['load_average'])} at the start, "
            f"{' / '.join(str(x) for x in results['load_average_end'])} at the end · wrk 2 threads, 8 connections, {results['seconds']} s a cell, "
            f"median of {results['runs']} · took {results['took_s']:.0f} s",
            "",
            "Ratio = verbund req/s ÷ bare req/s of the same shape (bench/README.md).",
            "",
            table(results),
            END,
        ]
    )
    text = DOC.read_text() if DOC.exists() else "# Performance figures\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        lines = text.splitlines(keepends=True)
        at = 1 if lines and lines[0].startswith("# ") else 0
        text = "".join(lines[:at]) + "\n" + section + "\n\n" + "".join(lines[at:]).lstrip("\n")
    DOC.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--small-scale", type=float, default=0.02, help="the comparison world of the query counts (0.02: 1,000 organisations)")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", type=lambda text: [part.strip() for part in text.split(",") if part.strip()], default=[])
    parser.add_argument("--skip-offline", action="store_true")
    parser.add_argument("--skip-queries", action="store_true")
    parser.add_argument("--rebuild", action="store_true", help="build the worlds anew")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or f"{PG_DEFAULT}/verbund_bench")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/12")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT") or 8200), help="the portal's port; the bare project takes the next")
    parser.add_argument("--offline-timeout", type=float, default=600)
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/PERFORMANCE.md")
    args = parser.parse_args(argv)
    started = time.monotonic()
    VAR.mkdir(parents=True, exist_ok=True)
    if not Path(WRK).exists():
        raise BenchError("wrk is not installed (apt-get install wrk)")
    load_start = [round(x, 2) for x in os.getloadavg()]
    big_url = args.database_url
    small_url = database_url(f"{database_name(big_url)}_small", big_url)
    log(f"world: {database_name(big_url)} at scale {args.scale}")
    summary = ensure(big_url, args.scale, rebuild=args.rebuild)
    env = server_env(big_url, args.redis_url, args.port)
    http = measure_http(summary, env, args)
    counted: dict[str, Any] = {}
    if not args.skip_queries:
        log(f"world: {database_name(small_url)} at scale {args.small_scale} (query counts)")
        subprocess.run(
            [sys.executable, "-m", "bench.world", "--scale", str(args.small_scale), "--database-url", small_url, *(["--rebuild"] if args.rebuild else [])],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        log("counting queries per page, big world and small world")
        counted = measure_queries(big_url, small_url, env)
    offline, notes = ({}, dict.fromkeys(OFFLINE, "skipped (--skip-offline)")) if args.skip_offline else run_offline(env, args.offline_timeout)
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "scale": args.scale,
        "seconds": args.seconds,
        "runs": args.runs,
        "machine": {**machine(), "load_average": load_start},
        "world": summary,
        "pages": http,
        "queries": counted,
        "offline": offline,
        "offline_notes": notes,
    }
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["took_s"] = round(time.monotonic() - started, 1)
    flat = flatten(http, counted)
    for name in OFFLINE:
        for key in OFFLINE_KEYS[name]:
            flat.setdefault(key, offline.get(key))
    flat |= {key: value for key, value in offline.items() if key not in flat}
    results["figures"] = flat
    flat["failed_pages"] = FAILURES
    document = {
        **flat,
        "machine": results["machine"],
        "load_average_end": results["load_average_end"],
        "date": results["date"],
        "commit": results["commit"],
        "scale": args.scale,
        "seconds": args.seconds,
        "runs": args.runs,
        "took_s": results["took_s"],
        "world": summary,
        "details": {"pages": http, "queries": counted, "offline_notes": notes},
    }
    (VAR / "results.json").write_text(json.dumps(document, indent=2, ensure_ascii=False))
    print()
    print(table(results))
    print(f"\nresults: {VAR / 'results.json'} · took {results['took_s']:.0f} s")
    if not args.no_doc and not args.only:
        write_doc(results)
        print(f"docs: {DOC.relative_to(ROOT)} (section between {BEGIN} and {END})")
    if FAILURES:
        print("\nBENCH FAILED – not measured:\n  " + "\n  ".join(FAILURES), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"\nBENCH FAILED: {error}", file=sys.stderr)
        sys.exit(1)
