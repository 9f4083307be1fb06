"""Structure rules that keep the code easy to live in: core/ is framework-free, every config key is documented."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FORBIDDEN_IN_CORE = ("flask", "flask_socketio", "socketio", "engineio", "serial", "escpos", "gevent", "werkzeug")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_imports_no_framework_or_hardware_library():
    offenders = {}
    for path in sorted((ROOT / "core").rglob("*.py")):
        bad = imported_modules(path) & set(FORBIDDEN_IN_CORE)
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_core_does_not_reach_up_into_the_web_layer():
    for path in sorted((ROOT / "core").rglob("*.py")):
        assert not imported_modules(path) & {"api", "app", "realtime", "server", "kiosk", "counter", "display"}, path


def test_no_package_named_queue_shadows_the_standard_library():
    assert not (ROOT / "queue").exists() and not (ROOT / "queue.py").exists()


def _keys(table: dict, prefix: str = "") -> set[str]:
    keys = set()
    for name, value in table.items():
        if isinstance(value, dict):
            keys |= _keys(value, f"{prefix}{name}.")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                keys |= _keys(item, f"{prefix}{name}.")
        else:
            keys.add(f"{prefix}{name}")
    return keys


def test_every_config_key_is_documented_in_the_readme():
    """Like Datasette's test_docs: a key added to config.toml without a README line fails the build."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    config = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))
    documented = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)+)`", readme))
    missing = sorted(_keys(config) - documented)
    assert missing == [], f"README.md does not document: {missing}"


def test_every_key_the_parser_reads_is_documented():
    source = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "core").glob("*settings.py"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    read_keys = set(re.findall(r'\.(?:text|integer|number|boolean|text_list|tables|table)\("([a-z_]+)"', source))
    undocumented = sorted(k for k in read_keys
                          if not re.search(rf"`(?:[a-z_]+\.)*{k}(?:\.[a-z_]+)*`", readme))
    assert undocumented == []


SCREENS = ("kiosk", "counter", "display", "admin")


def test_every_screen_is_a_package_with_its_own_pages():
    """Issue 8 item 11: one way to build a screen. Only the shared pieces live in the top-level folders."""
    import importlib
    for screen in SCREENS:
        package = ROOT / screen
        assert (package / "templates" / screen).is_dir() and (package / "static").is_dir(), screen
        assert callable(getattr(importlib.import_module(screen), "register", None)), screen
        assert not (ROOT / "templates" / screen).exists() and not (ROOT / "static" / screen).exists(), screen
    scripts = [path.name for path in ROOT.glob("*/static/**/*.js") if ".venv" not in path.parts]
    scripts += [path.name for path in (ROOT / "static").glob("*.js")]
    assert len(scripts) == len(set(scripts)), sorted(scripts)  # no two counter.js


def test_the_code_cites_only_documents_that_are_in_the_repository():
    import subprocess
    found = subprocess.run(["git", "grep", "-n", "-E", r"(DESIGN|VIETNAMESE|STYLE)\.md", "--", ".", ":!docs"],
                           cwd=ROOT, capture_output=True, text=True).stdout
    assert found == ""
