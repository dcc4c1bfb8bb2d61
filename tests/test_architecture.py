"""The house rules of docs/ARCHITECTURE.md, checked over the source: one-way imports between apps, a core
that imports no app, no reaching upward through `apps.get_model`, modules and functions a newcomer can read."""

import ast
import re
from pathlib import Path

from radon.complexity import cc_rank, cc_visit

BASE_DIR = Path(__file__).resolve().parent.parent
# Lower layers first: an app may import only itself and the apps before it.
LAYERS = ["core", "producers", "products", "certifications", "trade", "ocop_catalogue"]
MAX_LINES = 400


def python_files(*roots, migrations=False):
    for root in roots:
        for path in sorted((BASE_DIR / root).rglob("*.py")):
            if not migrations and "migrations" in path.parts:
                continue
            yield path


def imported_apps(path):
    """The project's apps that a module imports (absolute imports; relative ones stay in its own package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(LAYERS)


def import_graph():
    graph = {}
    for app in LAYERS:
        for path in python_files(app):
            for target in imported_apps(path):
                graph.setdefault((app, target), []).append(str(path.relative_to(BASE_DIR)))
    return graph


def test_apps_import_only_downward_and_core_imports_no_app():
    upward = {
        f"{app} -> {target}": files
        for (app, target), files in import_graph().items()
        if LAYERS.index(target) > LAYERS.index(app)
    }
    assert upward == {}


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    """The check itself: a module of core importing an app is caught."""
    module = tmp_path / "core" / "bad.py"
    module.parent.mkdir()
    module.write_text("from products.models import Product\nimport certifications.models\n", encoding="utf-8")
    assert imported_apps(module) == {"products", "certifications"}


def test_no_app_reaches_upward_through_apps_get_model():
    offenders = [
        str(path.relative_to(BASE_DIR))
        for path in python_files(*LAYERS)
        if "get_model(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_no_module_is_longer_than_a_newcomer_can_read():
    long_modules = {
        str(path.relative_to(BASE_DIR)): n
        for path in python_files(*LAYERS, "tests")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long_modules == {}


def test_no_function_is_above_complexity_c():
    complex_blocks = [
        f"{path.relative_to(BASE_DIR)}:{block.lineno} {block.fullname} {cc_rank(block.complexity)} ({block.complexity})"
        for path in python_files(*LAYERS)
        for block in cc_visit(path.read_text(encoding="utf-8"))
        if cc_rank(block.complexity) > "C"
    ]
    assert complex_blocks == []


OUTSIDE_REFERENCE = re.compile(r"DESIGN\.md|domain\.md|\b[Ii]ssue \d")


def test_comments_refer_to_nothing_outside_the_repository():
    """Comments say the reason themselves or point to docs/ARCHITECTURE.md, never to a tracker or a spec elsewhere."""
    mentions = [
        f"{path.relative_to(BASE_DIR)}:{number}"
        for path in python_files(*LAYERS, "tests", "scripts", migrations=True)
        if path.name != "test_architecture.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE_REFERENCE.search(line)
    ]
    assert mentions == []


def test_the_suite_runs_on_its_own_settings_module():
    import os

    from django.conf import settings

    assert os.environ["DJANGO_SETTINGS_MODULE"] == "ocop_catalogue.settings.test"
    assert settings.TESTING is True
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
