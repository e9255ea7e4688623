"""Checks of the deployment files: Dockerfile, gunicorn.conf.py, docker-compose.yml, .env.example.

Docker itself is not needed: the compose file is validated against the Compose
specification's JSON schema (vendored by check-jsonschema), the rest is parsed.
No database is used.
"""

import ast
import http.server
import itertools
import json
import os
import re
import runpy
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_PY = ROOT / "verbund" / "settings.py"
COMPOSE_YML = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
GUNICORN_CONF = ROOT / "gunicorn.conf.py"

APP_SERVICES = {"migrate", "web", "worker", "beat"}
AFTER_MIGRATE = {"web", "worker", "beat"}
# The "scale" profile (docs/DEPLOYMENT.md): replicas on object storage behind a reverse proxy.
SCALED_APP_SERVICES = {"web-scaled", "worker-scaled"}
SCALE_SERVICES = SCALED_APP_SERVICES | {"proxy", "minio", "minio-bucket"}
# Backups (docs/DEPLOYMENT.md "Sicherung und Wiederherstellung"): a daily backup service, a restore job on demand.
BACKUP_SERVICES = {"backup", "restore"}
ONE_SHOT = {"migrate", "minio-bucket", "restore"}
NGINX_CONF = ROOT / "ops" / "nginx.conf"


# --- helpers: environment variables read by the settings -------------------

# Methods of environ.Env that read one variable, named by their first argument.
ENV_READERS = {
    "str",
    "bool",
    "int",
    "float",
    "list",
    "tuple",
    "dict",
    "json",
    "url",
    "path",
    "db_url",
    "db",
    "cache_url",
    "cache",
    "email_url",
    "email",
    "search_url",
    "get_value",
    "decimal",
}


def _is_env_constructor(node: ast.AST) -> bool:
    """``environ.Env()`` or ``Env()``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr == "Env") or (isinstance(func, ast.Name) and func.id == "Env")


def collect_env_names(source: str) -> tuple[set[str], list[str]]:
    """Names of the environment variables that a settings module reads.

    Finds ``env.<reader>(NAME, ...)`` and ``env(NAME)`` for every name bound to
    ``environ.Env()``, ``environ.Env().<reader>(NAME)``, ``os.environ.get/[...]``
    and ``os.getenv``. NAME may be a string or an f-string built from a
    parameter of the enclosing function (``f"{prefix}HOST"``); the latter is
    expanded with the constant arguments of every call of that function.
    Returns (names, unresolved): anything that could not be resolved to
    constant names is reported instead of silently skipped.
    """
    tree = ast.parse(source)
    env_objects = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _is_env_constructor(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    functions = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    names: set[str] = set()
    unresolved: list[str] = []

    def is_env_receiver(node: ast.AST) -> bool:
        return (isinstance(node, ast.Name) and node.id in env_objects) or _is_env_constructor(node)

    def is_os_environ(node: ast.AST) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "environ" and isinstance(node.value, ast.Name) and node.value.id == "os"

    def name_argument(call: ast.Call) -> ast.AST | None:
        """The variable-name argument if ``call`` reads the environment, else None."""
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr in ENV_READERS and is_env_receiver(func.value):
                return call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "var"), None)
            if func.attr in {"get", "pop"} and is_os_environ(func.value) and call.args:
                return call.args[0]
            if func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os" and call.args:
                return call.args[0]
        if isinstance(func, ast.Name) and func.id in env_objects and call.args:
            return call.args[0]
        return None

    def call_site_values(function_name: str, param: str) -> list[str]:
        function = functions[function_name]
        params = [a.arg for a in function.args.posonlyargs + function.args.args]
        values = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function_name:
                arg = None
                if param in params and params.index(param) < len(node.args):
                    arg = node.args[params.index(param)]
                else:
                    arg = next((k.value for k in node.keywords if k.arg == param), None)
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    values.append(arg.value)
                else:
                    unresolved.append(f"call of {function_name}() with non-constant {param}")
        if not values:
            unresolved.append(f"{function_name}() is never called with a constant {param}")
        return values

    def expand(arg: ast.AST, function: ast.FunctionDef | None) -> list[str]:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return [arg.value]
        if isinstance(arg, ast.JoinedStr) and function is not None:
            params = {a.arg for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs}
            choices: list[list[str]] = []
            for part in arg.values:
                if isinstance(part, ast.Constant):
                    choices.append([part.value])
                elif isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name) and part.value.id in params and part.format_spec is None:
                    choices.append(call_site_values(function.name, part.value.id))
                else:
                    return []
            return ["".join(combo) for combo in itertools.product(*choices)]
        return []

    def visit(node: ast.AST, function: ast.FunctionDef | None) -> None:
        if isinstance(node, ast.FunctionDef):
            function = node
        if isinstance(node, ast.Call):
            arg = name_argument(node)
            if arg is not None:
                expanded = expand(arg, function)
                if expanded:
                    names.update(expanded)
                else:
                    unresolved.append(ast.unparse(node))
        if isinstance(node, ast.Subscript) and is_os_environ(node.value) and isinstance(node.ctx, ast.Load):
            expanded = expand(node.slice, function)
            names.update(expanded) if expanded else unresolved.append(ast.unparse(node))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, None)
    return names, unresolved


def settings_env_names() -> set[str]:
    names, unresolved = collect_env_names(SETTINGS_PY.read_text(encoding="utf-8"))
    assert not unresolved, f"environment reads the collector cannot resolve: {unresolved}"
    return names


def gunicorn_env_names() -> set[str]:
    names, unresolved = collect_env_names(GUNICORN_CONF.read_text(encoding="utf-8"))
    assert not unresolved, unresolved
    return names


# --- helpers: .env.example, compose ---------------------------------------

ENV_LINE = re.compile(r"^(?P<comment>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


def parse_env_example() -> dict[str, tuple[bool, str]]:
    """NAME -> (active, value) for ``NAME=value`` and commented-out ``# NAME=value`` lines."""
    entries: dict[str, tuple[bool, str]] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = ENV_LINE.match(line.strip())
        if not match:
            continue
        name, value = match["name"], match["value"].strip()
        assert name not in entries, f"{name} appears twice in .env.example"
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        entries[name] = (match["comment"] is None, value)
    return entries


def active_env_example() -> dict[str, str]:
    return {name: value for name, (active, value) in parse_env_example().items() if active}


def load_compose(path: Path = COMPOSE_YML) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def env_file_paths(service: dict) -> list[str]:
    env_file = service.get("env_file", [])
    if isinstance(env_file, (str, dict)):
        env_file = [env_file]
    return [entry["path"] if isinstance(entry, dict) else entry for entry in env_file]


def environment_of(service: dict) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
    return {key: None if value is None else str(value) for key, value in environment.items()}


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose-style interpolation: $$, ${NAME}, ${NAME:-default}, ${NAME-default}, nested defaults."""
    out, i = [], 0
    while i < len(value):
        if value.startswith("$$", i):
            out.append("$")
            i += 2
        elif value.startswith("${", i):
            depth, j = 0, i + 1
            for j in range(i + 1, len(value)):
                depth += {"{": 1, "}": -1}.get(value[j], 0)
                if depth == 0:
                    break
            else:
                raise ValueError(f"unbalanced braces in {value!r}")
            match = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-)(.*))?", value[i + 2 : j], re.S)
            assert match, f"unsupported interpolation in {value!r}"
            name, op, default = match.groups()
            current = variables.get(name)
            if op == ":-" and not current or op == "-" and current is None:
                current = interpolate(default, variables)
            out.append(current or "")
            i = j + 1
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def resolved_environment(service: dict, dotenv: dict[str, str]) -> dict[str, str]:
    """What the container sees: env_file values, overridden by interpolated ``environment``."""
    result = dict(dotenv) if ".env" in env_file_paths(service) else {}
    result.update({k: interpolate(v, dotenv) for k, v in environment_of(service).items() if v is not None})
    return result


def compose_interpolated_names() -> set[str]:
    """Variables docker compose interpolates (``${NAME...}`` in any value; comments excluded)."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            found.update(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", node.replace("$$", "")))

    walk(load_compose())
    return found


def run_check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- the settings collector itself ----------------------------------------


def test_collector_finds_the_settings_variables():
    names = settings_env_names()
    assert len(names) >= 20, sorted(names)
    # Plain reads, the environ.Env() read before `env` exists, and both mailer prefixes.
    for expected in (
        "SECRET_KEY",
        "DEBUG",
        "DATABASE_URL",
        "ALLOWED_HOSTS",
        "VAR_DIR",
        "EMAIL_TIMEOUT",
        "EMAIL_HOST",
        "EMAIL_HOST_PASSWORD",
        "NEWSLETTER_EMAIL_HOST",
        "NEWSLETTER_EMAIL_PORT",
        "NEWSLETTER_EMAIL_HOST_USER",
        "NEWSLETTER_EMAIL_HOST_PASSWORD",
        "NEWSLETTER_EMAIL_USE_TLS",
        "NEWSLETTER_EMAIL_USE_SSL",
    ):
        assert expected in names
    # Only the expansions: no literal "{prefix}" left over.
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", name) for name in names), sorted(names)


def test_collector_expands_and_reports_on_a_sample():
    sample = """
import os, environ
A = environ.Env().str("A_VAR", default="")
env = environ.Env()
B = env.bool("B_VAR", default=False)
C = env("C_VAR")
D = os.environ.get("D_VAR")
E = os.environ["E_VAR"]
def mk(prefix, other):
    return env.int(f"{prefix}PORT", default=env.int("PLAIN", default=1))
mk("X_", 1)
mk(prefix="Y_", other=2)
def broken(name):
    return env.str(name)
G = env.str(some_variable)
"""
    names, unresolved = collect_env_names(sample)
    assert names == {"A_VAR", "B_VAR", "C_VAR", "D_VAR", "E_VAR", "X_PORT", "Y_PORT", "PLAIN"}
    assert len(unresolved) == 2  # env.str(name) and env.str(some_variable)


# --- .env.example ---------------------------------------------------------


def test_env_example_documents_every_setting():
    documented = parse_env_example()
    missing = sorted(settings_env_names() - documented.keys())
    assert not missing, f"read by verbund/settings.py but missing from .env.example: {missing}"


def test_env_example_documents_gunicorn_and_compose_variables():
    documented = parse_env_example()
    interpolated = compose_interpolated_names()
    assert {"EMAIL_HOST", "ALLOWED_HOSTS"} <= interpolated
    assert {"WEB_CONCURRENCY", "GUNICORN_BIND", "FORWARDED_ALLOW_IPS"} <= gunicorn_env_names()
    missing = sorted((gunicorn_env_names() | interpolated) - documented.keys())
    assert not missing, f"missing from .env.example: {missing}"


def test_env_example_has_no_stale_variables():
    known = settings_env_names() | gunicorn_env_names()
    known |= compose_interpolated_names()
    stale = sorted(parse_env_example().keys() - known)
    assert not stale, f"documented in .env.example but read by nothing: {stale}"


def test_every_env_example_entry_has_a_comment_above():
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if ENV_LINE.match(line.strip()):
            above = lines[number - 1].strip() if number else ""
            assert above.startswith("#") and not ENV_LINE.match(above) and len(above) > 5, (
                f".env.example line {number + 1} ({line!r}) needs a describing comment directly above"
            )


def test_env_example_secret_key_is_a_placeholder_and_production_posture():
    active = active_env_example()
    assert "SECRET_KEY" in active and "replace" in active["SECRET_KEY"].lower()
    assert active["DEBUG"].lower() == "false"
    # Variables whose empty value differs from unset must not be active with an empty value.
    empty = sorted(name for name, value in active.items() if value == "")
    assert not empty, f"set to an empty value in .env.example: {empty}"


# --- docker-compose.yml ---------------------------------------------------


def test_compose_file_validates_against_compose_spec():
    result = run_check_jsonschema(COMPOSE_YML)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(lambda d: d["services"]["web"].update(ports=12), id="ports-not-a-list"),
        pytest.param(lambda d: d.update(servicez={}), id="unknown-top-level-key"),
        pytest.param(
            lambda d: d["services"]["worker"]["depends_on"]["migrate"].update(condition="service_finished"),
            id="bad-depends-on-condition",
        ),
        pytest.param(lambda d: d["services"]["redis"].update(healthcheck={"test": 5}), id="bad-healthcheck"),
    ],
)
def test_broken_compose_file_fails_validation(tmp_path, breakage):
    data = load_compose()
    breakage(data)
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = run_check_jsonschema(broken)
    assert result.returncode != 0, result.stdout


def test_compose_has_the_expected_services():
    services = load_compose()["services"]
    assert set(services) >= APP_SERVICES | {"postgres", "redis", "mailpit"}
    assert services["postgres"]["image"] == "postgres:17"
    assert services["redis"]["image"].split(":")[0].split("/")[-1] in {"redis", "valkey"}
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    assert any(str(p).endswith("8025") for p in services["mailpit"].get("ports", []))
    assert services["worker"]["command"] == ["celery", "-A", "verbund", "worker", "-l", "info", "--concurrency", "2"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    assert "gunicorn" in services["web"]["command"] and "gunicorn.conf.py" in services["web"]["command"]
    # All app services run the one image built from the Dockerfile.
    images = {services[name].get("image") for name in APP_SERVICES}
    assert len(images) == 1 and all(services[name].get("build") == "." for name in APP_SERVICES)


def test_beat_keeps_its_schedule_in_the_var_volume():
    beat = load_compose()["services"]["beat"]
    command = beat["command"]
    assert command[:5] == ["celery", "-A", "verbund", "beat", "-l"] or command[:4] == ["celery", "-A", "verbund", "beat"]
    flag = next(i for i, part in enumerate(command) if part in {"-s", "--schedule"})
    schedule = command[flag + 1]
    var_dir = environment_of(beat)["VAR_DIR"]
    assert schedule.startswith(var_dir.rstrip("/") + "/")
    mounts = {v.split(":")[1]: v.split(":")[0] for v in beat["volumes"]}
    assert mounts.get(var_dir) == "var"


def test_every_setting_reaches_the_app_services():
    services = load_compose()["services"]
    documented = parse_env_example()
    for name in sorted(APP_SERVICES):
        service = services[name]
        assert ".env" in env_file_paths(service), f"{name} does not read .env"
        environment = environment_of(service)
        for variable in settings_env_names():
            assert variable in environment or variable in documented, (variable, name)


def test_compose_environment_only_sets_known_variables():
    known = settings_env_names() | gunicorn_env_names()
    for name in sorted(APP_SERVICES):
        unknown = sorted(environment_of(load_compose()["services"][name]).keys() - known)
        assert not unknown, f"{name} sets variables nothing reads: {unknown}"


@pytest.mark.parametrize("dotenv_source", ["empty", "env.example"])
def test_resolved_app_environment(dotenv_source):
    """What the app containers see, with no .env values and with .env copied from .env.example."""
    dotenv = {} if dotenv_source == "empty" else active_env_example()
    for name in sorted(APP_SERVICES):
        env = resolved_environment(load_compose()["services"][name], dotenv)
        assert env["DEBUG"] == "false"
        assert env["DATABASE_URL"] == "postgres://verbund:verbund@postgres:5432/verbund"
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["EMAIL_HOST"] == env["NEWSLETTER_EMAIL_HOST"] == "mailpit"
        assert env["EMAIL_PORT"] == env["NEWSLETTER_EMAIL_PORT"] == "1025"
        assert env["USE_X_FORWARDED_PROTO"] == "true"
        assert env["MEDIA_ROOT"] == "/data/media"
        assert "127.0.0.1" in env["ALLOWED_HOSTS"].split(",")
        if dotenv:
            assert set(env["ALLOWED_HOSTS"].split(",")) == {dotenv["ALLOWED_HOSTS"], "127.0.0.1"}


def test_real_smtp_in_env_replaces_mailpit_for_both_mailers():
    web = load_compose()["services"]["web"]
    env = resolved_environment(web, {"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "587"})
    assert env["EMAIL_HOST"] == env["NEWSLETTER_EMAIL_HOST"] == "smtp.example.org"
    assert env["EMAIL_PORT"] == env["NEWSLETTER_EMAIL_PORT"] == "587"
    env = resolved_environment(web, {"EMAIL_HOST": "smtp.example.org", "NEWSLETTER_EMAIL_HOST": "bulk.example"})
    assert (env["EMAIL_HOST"], env["NEWSLETTER_EMAIL_HOST"]) == ("smtp.example.org", "bulk.example")


def test_settings_load_with_the_compose_environment():
    """Django's settings accept .env.example plus the compose environment (no database is opened)."""
    env = resolved_environment(load_compose()["services"]["web"], active_env_example())
    env["PATH"] = os.environ.get("PATH", "")
    env["DJANGO_SETTINGS_MODULE"] = "verbund.settings"
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'], 'cache': s.CACHES['default']['BACKEND'],"
        "'mail': s.MAILERS['default']['OPTIONS'], 'newsletter': s.MAILERS['newsletter']['OPTIONS'],"
        "'hosts': s.ALLOWED_HOSTS, 'proxy': s.SECURE_PROXY_SSL_HEADER, 'media': str(s.MEDIA_ROOT),"
        "'eager': s.CELERY_TASK_ALWAYS_EAGER}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["debug"] is False
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["eager"] is False
    for mailer in ("mail", "newsletter"):
        assert (loaded[mailer]["host"], loaded[mailer]["port"]) == ("mailpit", 1025)
        assert not loaded[mailer]["use_tls"] and not loaded[mailer]["use_ssl"]
    assert "127.0.0.1" in loaded["hosts"]
    assert loaded["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert loaded["media"] == "/data/media"


def test_every_service_has_a_healthcheck_except_migrate():
    services = load_compose()["services"]
    for name, service in services.items():
        if name in ONE_SHOT:
            assert "healthcheck" not in service and service["restart"] == "no", name
            continue
        healthcheck = service.get("healthcheck")
        assert healthcheck, f"{name} has no healthcheck"
        assert not healthcheck.get("disable")
        test = healthcheck["test"]
        assert isinstance(test, list) and test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1, name
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])


def test_dependencies_wait_for_migrate_and_healthy_backends():
    services = load_compose()["services"]
    for name in AFTER_MIGRATE:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name, service in services.items():
        for target, spec in (service.get("depends_on") or {}).items():
            assert target in services, (name, target)
            if spec.get("condition") == "service_healthy":
                assert "healthcheck" in services[target], (name, target)


def test_named_volumes_are_declared_and_mounted():
    compose = load_compose()
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            if isinstance(volume, dict):
                source = volume.get("source") if volume.get("type", "volume") == "volume" else None
            else:
                source = volume.split(":")[0]
            if source and not source.startswith((".", "/", "~", "$")):
                used.add(source)
                assert source in declared, f"{name} uses undeclared volume {source}"
    assert used == declared, f"declared but unused: {declared - used}"
    services = compose["services"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    for name in APP_SERVICES:
        env = environment_of(services[name])
        mounts = {v.split(":")[1]: v.split(":")[0] for v in services[name]["volumes"]}
        assert mounts[env["MEDIA_ROOT"]] == "media" and mounts[env["VAR_DIR"]] == "var", name


def test_backup_service_runs_the_schedule_on_the_app_image_with_the_backups_volume():
    services = load_compose()["services"]
    assert set(services) >= BACKUP_SERVICES
    backup, restore = services["backup"], services["restore"]
    for name in BACKUP_SERVICES:
        assert services[name]["image"] == services["web"]["image"] and services[name]["build"] == ".", name
        assert ".env" in env_file_paths(services[name]), name
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy", name
    assert backup["command"] == ["bash", "ops/backup-schedule.sh"]
    assert "profiles" not in backup and backup["restart"] == "unless-stopped"
    assert backup["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    env = resolved_environment(backup, {})
    assert (env["BACKUP_AT"], env["BACKUP_KEEP_DAYS"]) == ("02:30", "30")
    assert resolved_environment(backup, {"BACKUP_KEEP_DAYS": "14"})["BACKUP_KEEP_DAYS"] == "14"
    assert env["DATABASE_URL"] == resolved_environment(services["web"], {})["DATABASE_URL"]
    mounts = {v.split(":")[1]: v.split(":", 1)[0] + (":ro" if v.endswith(":ro") else "") for v in backup["volumes"]}
    assert mounts[env["BACKUP_DIR"]] == "backups"
    assert mounts[env["MEDIA_ROOT"]] == "media:ro", "the backup only reads the files"
    # The restore job writes the files back and only reads the backups.
    assert restore["profiles"] == ["restore"] and restore["entrypoint"] == ["bash", "ops/restore.sh"]
    restore_mounts = {v.split(":")[1]: v.split(":", 1)[0] + (":ro" if v.endswith(":ro") else "") for v in restore["volumes"]}
    assert restore_mounts[env["MEDIA_ROOT"]] == "media" and restore_mounts[env["BACKUP_DIR"]] == "backups:ro"
    for script in ("backup.sh", "restore.sh", "backup-schedule.sh", "backup-lib.sh", "manifest.py"):
        assert (ROOT / "ops" / script).exists(), script


def test_backup_healthcheck_turns_unhealthy_after_a_failed_run(tmp_path):
    test = load_compose()["services"]["backup"]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL" and "/data/backups/.status" in test[1]
    command = test[1].replace("/data/backups/", f"{tmp_path}/")

    def healthy() -> bool:
        return subprocess.run(["sh", "-c", command], capture_output=True, timeout=30).returncode == 0

    assert healthy()  # no run yet
    (tmp_path / ".status").write_text("ok 2026-12-07T02:30:04Z\n")
    assert healthy()
    (tmp_path / ".status").write_text("failed 2026-12-08T02:30:02Z\n")
    assert not healthy()


@pytest.mark.parametrize(
    "at,now,expected",
    [
        ("02:30", "2026-12-07 01:00", "2026-12-07 02:30"),
        ("02:30", "2026-12-07 02:30", "2026-12-08 02:30"),  # just run: tomorrow
        ("23:15", "2026-12-31 23:59", "2027-01-01 23:15"),
    ],
)
def test_backup_schedule_picks_the_next_backup_at(at, now, expected):
    result = subprocess.run(
        ["bash", str(ROOT / "ops" / "backup-schedule.sh"), "--next", f"{now} UTC"],
        env={"PATH": os.environ["PATH"], "BACKUP_AT": at, "TZ": "UTC"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.stdout.strip() == f"{expected} UTC", result.stderr


def test_backup_schedule_refuses_a_malformed_time():
    result = subprocess.run(
        ["bash", str(ROOT / "ops" / "backup-schedule.sh"), "--next"],
        env={"PATH": os.environ["PATH"], "BACKUP_AT": "2:30"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "HH:MM" in result.stderr


class _HealthHandler(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):
        self.send_response(self.status if self.path == "/health/" else 404)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("status,healthy", [(200, True), (503, False)])
def test_web_healthcheck_command_works(status, healthy):
    test = load_compose()["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    code = test[3]
    assert "http://127.0.0.1:8000/health/" in code
    handler = type("Handler", (_HealthHandler,), {"status": status})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        code = code.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30)
    finally:
        server.shutdown()
        server.server_close()
    assert (result.returncode == 0) is healthy, result.stderr


def test_beat_healthcheck_command_works(tmp_path):
    test = load_compose()["services"]["beat"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    code = test[3].replace("/data/var/", f"{tmp_path}/")

    def healthy() -> bool:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30).returncode == 0

    assert not healthy()  # no schedule file yet
    schedule = tmp_path / "celerybeat-schedule"
    schedule.write_bytes(b"x")
    wal = tmp_path / "celerybeat-schedule-wal"
    wal.write_bytes(b"x")
    assert healthy()
    old = time.time() - 3600
    os.utime(schedule, (old, old))
    assert healthy()  # the WAL beside it is fresh
    os.utime(wal, (old, old))
    assert not healthy()


def test_worker_healthcheck_pings_its_own_node():
    test = load_compose()["services"]["worker"]["healthcheck"]["test"]
    assert test[0] == "CMD-SHELL"
    argv = shlex.split(test[1])
    assert argv[:5] == ["celery", "-A", "verbund", "inspect", "ping"]
    # $$ is compose's escape for a literal $, expanded by the container's shell.
    assert "celery@$$HOSTNAME" in argv


# --- Dockerfile -----------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    instructions, current = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#") or not line and not current:
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, args = current.strip().partition(" ")
        instructions.append((keyword.upper(), args.strip()))
        current = ""
    return instructions


def test_dockerfile_base_image_and_weasyprint_libraries():
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.13-slim")
    installs = " ".join(args for keyword, args in instructions if keyword == "RUN" and "apt-get install" in args)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core", "postgresql-client"):
        assert re.search(rf"(^|\s){re.escape(package)}(\s|$)", installs), package


def test_dockerfile_does_not_run_as_root():
    users = [args for keyword, args in dockerfile_instructions() if keyword == "USER"]
    assert users, "no USER instruction: the container would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0", ""}


def test_dockerfile_build_steps():
    instructions = dockerfile_instructions()
    runs = [args for keyword, args in instructions if keyword == "RUN"]
    envs = " ".join(args for keyword, args in instructions if keyword == "ENV")
    assert any(re.search(r"pip install .*\buv\b", run) for run in runs)
    assert any("uv sync" in run and "--frozen" in run and "--no-dev" in run for run in runs)
    venv = re.search(r"UV_PROJECT_ENVIRONMENT=(\S+)", envs)
    assert venv and re.search(rf"PATH={re.escape(venv[1])}/bin:", envs)
    collect = next(run for run in runs if "collectstatic" in run)
    assert "--noinput" in collect and "DEBUG=false" in collect and "SECRET_KEY=" in collect
    assert "ALLOWED_HOSTS=" in collect
    assert ("EXPOSE", "8000") in instructions
    cmd = [args for keyword, args in instructions if keyword == "CMD"][-1]
    assert json.loads(cmd) == ["gunicorn", "verbund.wsgi:application", "-c", "gunicorn.conf.py"]
    # The non-root user comes after every step that needs root.
    keywords = [keyword for keyword, _ in instructions]
    last_user = len(keywords) - 1 - keywords[::-1].index("USER")
    assert "apt-get" not in " ".join(args for _, args in instructions[last_user:])


def test_dockerfile_copies_everything_the_app_needs():
    sources: set[str] = set()
    for keyword, args in dockerfile_instructions():
        if keyword == "COPY":
            parts = [p for p in args.split() if not p.startswith("--")]
            sources.update(p.rstrip("/") for p in parts[:-1])
    for source in sources:
        assert (ROOT / source).exists(), f"COPY source {source} does not exist"
    needed = {"pyproject.toml", "uv.lock", "manage.py", "gunicorn.conf.py", "templates", "static", "locale", "ops"}  # ops: the backup service
    needed |= {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name not in {"tests", "bench"}}  # bench runs from a checkout
    assert needed <= sources or "." in sources, f"not copied into the image: {sorted(needed - sources)}"


# --- gunicorn.conf.py -----------------------------------------------------


def load_gunicorn_conf(monkeypatch, **env) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_TIMEOUT", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_defaults(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch)
    assert conf["workers"] == os.cpu_count()
    assert conf.get("worker_class", "sync") == "sync"
    assert conf["bind"] == "0.0.0.0:8000"
    assert conf["timeout"] == 60
    assert conf["max_requests"] > 0 and 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["accesslog"] == "-"


def test_gunicorn_workers_follow_the_core_count(monkeypatch):
    # A core count no machine here happens to have, so a hard-coded number cannot pass.
    monkeypatch.setattr(os, "cpu_count", lambda: 13)
    assert load_gunicorn_conf(monkeypatch)["workers"] == 13
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # "undeterminable": still one worker
    assert load_gunicorn_conf(monkeypatch)["workers"] == 1


def test_gunicorn_environment_overrides(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch, WEB_CONCURRENCY="3", GUNICORN_BIND="127.0.0.1:9000", FORWARDED_ALLOW_IPS="10.0.0.1")
    assert conf["workers"] == 3
    assert conf["bind"] == "127.0.0.1:9000"
    assert conf["forwarded_allow_ips"] == "10.0.0.1"


def test_gunicorn_accepts_every_setting(monkeypatch):
    from gunicorn.config import Config

    conf = load_gunicorn_conf(monkeypatch)
    cfg = Config()
    public = {k: v for k, v in conf.items() if not k.startswith("_") and not callable(v) and k != "os"}
    unknown = sorted(set(public) - set(cfg.settings))
    assert not unknown, f"not gunicorn settings: {unknown}"
    for key, value in public.items():
        cfg.set(key, value)  # validates the value
    assert cfg.workers == os.cpu_count()
    assert cfg.worker_class_str == "sync"
    assert cfg.address == [("0.0.0.0", 8000)]


# --- the "scale" profile: replicas, object storage, reverse proxy -----------------------------


def test_scale_profile_has_two_web_and_two_worker_replicas_behind_the_proxy():
    services = load_compose()["services"]
    for name in SCALE_SERVICES:
        assert services[name]["profiles"] == ["scale"], name
    for name in set(services) - SCALE_SERVICES - {"restore"}:
        assert "profiles" not in services[name], f"{name} must run without a profile"
    for name, twin in (("web-scaled", "web"), ("worker-scaled", "worker")):
        service = services[name]
        assert service["deploy"]["replicas"] == 2, name
        assert service["command"] == services[twin]["command"], name
        assert service["healthcheck"] == services[twin]["healthcheck"], name
        assert "ports" not in service, f"{name}: replicas are reached through the proxy only"
        depends = service["depends_on"]
        assert depends["minio-bucket"]["condition"] == "service_completed_successfully"
        for backend in ("postgres", "redis"):
            assert depends[backend]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    proxy = services["proxy"]
    assert proxy["image"].split(":")[0] == "nginx"
    assert "./ops/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web-scaled"]["condition"] == "service_healthy"
    assert [interpolate(str(p), {}) for p in proxy["ports"]] == ["127.0.0.1:8080:80"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1, "beat runs exactly once"
    assert services["minio"]["image"].startswith("minio/minio")
    assert services["minio-bucket"]["depends_on"]["minio"]["condition"] == "service_healthy"


@pytest.mark.parametrize("dotenv_source", ["empty", "env.example"])
def test_scaled_replicas_use_object_storage_the_pool_and_the_proxy_header(dotenv_source):
    dotenv = {} if dotenv_source == "empty" else active_env_example()
    services = load_compose()["services"]
    minio = resolved_environment(services["minio"], dotenv)
    bucket_job = resolved_environment(services["minio-bucket"], dotenv)
    for name in sorted(SCALED_APP_SERVICES):
        service = services[name]
        env = resolved_environment(service, dotenv)
        assert ".env" in env_file_paths(service)
        assert env["S3_BUCKET"] == bucket_job["S3_BUCKET"] == "verbund"
        assert env["S3_ENDPOINT_URL"] == "http://minio:9000"
        assert (env["S3_ACCESS_KEY_ID"], env["S3_SECRET_ACCESS_KEY"]) == (minio["MINIO_ROOT_USER"], minio["MINIO_ROOT_PASSWORD"])
        assert len(minio["MINIO_ROOT_PASSWORD"]) >= 8  # MinIO refuses shorter ones
        assert int(env["DB_POOL_MAX_SIZE"]) >= 1
        assert env["TRUSTED_PROXY_HEADER"] == "HTTP_X_REAL_IP"
        assert env["REDIS_URL"] == "redis://redis:6379/0" and env["DATABASE_URL"].startswith("postgres://")
        # Files live in the bucket: no shared media volume, only the var volume.
        assert [v.split(":")[0] for v in service["volumes"]] == ["var"], name
        known = settings_env_names() | gunicorn_env_names()
        assert not sorted(environment_of(service).keys() - known), name


def test_settings_load_with_the_scaled_environment():
    """The scaled replicas' environment gives S3 storage, a psycopg pool with CONN_MAX_AGE 0 and the proxy header."""
    env = resolved_environment(load_compose()["services"]["web-scaled"], active_env_example())
    env["PATH"] = os.environ.get("PATH", "")
    env["DJANGO_SETTINGS_MODULE"] = "verbund.settings"
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; from django.core.files.storage import storages;"
        "st = storages['default']; db = s.DATABASES['default']; print(json.dumps({'storage': type(st).__module__ + '.' + type(st).__name__,"
        "'options': s.STORAGES['default'].get('OPTIONS', {}), 'pool': db['OPTIONS'].get('pool'), 'max_age': db['CONN_MAX_AGE'], 'header': s.TRUSTED_PROXY_HEADER}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["storage"] == "storages.backends.s3.S3Storage"
    options = loaded["options"]
    assert options["bucket_name"] == "verbund" and options["endpoint_url"] == "http://minio:9000" and options["addressing_style"] == "path"
    assert options["file_overwrite"] is False and options["default_acl"] is None
    assert loaded["pool"]["max_size"] == 2 and loaded["pool"]["min_size"] <= 2
    assert loaded["max_age"] == 0, "Django's pool requires CONN_MAX_AGE = 0"
    assert loaded["header"] == "HTTP_X_REAL_IP"


def test_without_s3_bucket_files_stay_on_the_filesystem_and_no_pool_is_used():
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "verbund.settings", "DATABASE_URL": "postgres://u@localhost:5432/x"}
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; db = s.DATABASES['default'];"
        "print(json.dumps({'storage': s.STORAGES['default']['BACKEND'], 'pool': db['OPTIONS'].get('pool'), 'max_age': db['CONN_MAX_AGE']}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == {"storage": "django.core.files.storage.FileSystemStorage", "pool": None, "max_age": 0}  # DEBUG on: no persistent connections


def test_nginx_conf_forwards_to_the_replicas_with_the_client_address():
    text = NGINX_CONF.read_text(encoding="utf-8")
    config = re.sub(r"#[^\n]*", "", text)
    assert re.search(r"upstream\s+verbund_web\s*{[^}]*server\s+web-scaled:8000\b", config)
    assert re.search(r"proxy_pass\s+http://verbund_web;", config)
    assert re.search(r"proxy_set_header\s+X-Real-IP\s+\$remote_addr;", config), "the header the portal trusts must be overwritten"
    assert re.search(r"proxy_set_header\s+Host\s+\$host;", config)
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$\w+;", config)
    body = re.search(r"client_max_body_size\s+(\d+)m;", config)
    assert body and int(body.group(1)) * 1024 * 1024 > 25 * 1024 * 1024, "uploads of 25 MB must pass"
    read_timeout = re.search(r"proxy_read_timeout\s+(\d+)s;", config)
    assert read_timeout and int(read_timeout.group(1)) > 60, "longer than gunicorn's timeout"
    assert config.count("{") == config.count("}")
    assert "listen 80;" in config
