"""Where code goes (docs/ARCHITECTURE.md): views do not write, imports sit at the top, tasks are enqueued one way."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["verbund", "members", "events", "qualification", "newsletters", "cooperation", "health", "composition"]
# Calls that write (or open a transaction for writes) and belong in a service (`<entity>_<action>` in services).
WRITE_METHODS = {"save", "delete", "create", "update", "bulk_create", "bulk_update", "update_or_create", "get_or_create", "save_m2m"}


def app_modules() -> list[Path]:
    return [path for app in APPS for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]


def view_modules() -> list[Path]:
    return [path for path in app_modules() if path.name == "views.py" or path.parent.name == "views"]


def orm_writes(path: Path) -> list[str]:
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in WRITE_METHODS or (name == "atomic" and isinstance(node.func.value, ast.Name) and node.func.value.id == "transaction"):
                found.append(f"{where}:{node.lineno} .{name}(")
        elif isinstance(node, ast.FunctionDef):
            found += [f"{where}:{d.lineno} @transaction.atomic" for d in node.decorator_list if isinstance(d, ast.Attribute) and d.attr == "atomic"]
    return found


def test_no_view_module_writes_to_the_orm():
    modules = view_modules()
    assert len(modules) >= 20, [str(m) for m in modules]
    writes = [write for path in modules for write in orm_writes(path)]
    assert not writes, "views parse, call a service and render; move these writes into the app's services:\n" + "\n".join(writes)


def test_the_write_check_finds_a_write(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text("@transaction.atomic\ndef view(request):\n    with transaction.atomic():\n        form.save(commit=False)\n    context.update(x=1)\n")
    assert len(orm_writes(sample)) == 4


def imports_inside_functions(path: Path) -> list[str]:
    """Imports in a function body without a comment on their line saying why (AppConfig.ready is the Django idiom)."""
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or (path.name == "apps.py" and node.name == "ready"):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import | ast.ImportFrom) and "#" not in lines[inner.lineno - 1]:
                found.append(f"{path.relative_to(ROOT)}:{inner.lineno} {lines[inner.lineno - 1].strip()}")
    return found


def test_imports_sit_at_the_top_unless_a_comment_says_why():
    found = [item for path in app_modules() for item in imports_inside_functions(path)]
    assert not found, "\n".join(found)


def test_tasks_are_enqueued_through_the_one_helper():
    """`.delay(`/`.apply_async(` appear only in verbund/background.py, which knows what to do when the broker is away."""
    found = []
    for path in app_modules():
        if path == ROOT / "verbund" / "background.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in {"delay", "apply_async"}:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, "use verbund.background.enqueue_on_commit / task_send:\n" + "\n".join(found)
