"""The layers, read from the source with ``ast``: the H5 imports nothing of the desktop (they share
gjj.applications), and the domain imports no channel (the channels subscribe to its events)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
GJJ = SRC / "gjj"

CHANNELS = (
    "gjj.hall",
    "gjj.mobile",
    "gjj.wechat",
    "gjj.api",
    "gjj.backoffice",
    "gjj.portal",
    "gjj.applications",
)
DOMAIN = ("gjj.withdrawals", "gjj.members", "gjj.policy", "gjj.clients", "gjj.core")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports, wherever in the file (inside functions too), relative imports
    resolved."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # ``from gjj import hall`` imports gjj.hall.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _inside(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == package or name.startswith(f"{package}.") for package in packages)


MODULES = {_module_name(path): _imports(path) for path in sorted(GJJ.rglob("*.py"))}


def _violations(importers: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{module} imports {name}"
        for module, names in MODULES.items()
        if _inside(module, importers)
        for name in names
        if _inside(name, forbidden)
    )


def test_the_modules_are_found():
    assert "gjj.mobile.views" in MODULES and "gjj.withdrawals.drafts" in MODULES
    assert "gjj.applications.forms" in MODULES["gjj.mobile.views_withdrawal"]


def test_the_h5_imports_nothing_of_the_desktop():
    assert _violations(("gjj.mobile",), ("gjj.hall",)) == []


def test_the_desktop_imports_nothing_of_the_h5():
    assert _violations(("gjj.hall",), ("gjj.mobile",)) == []


@pytest.mark.parametrize("domain", DOMAIN)
def test_the_domain_imports_no_channel(domain):
    assert _violations((domain,), CHANNELS) == []


def test_the_application_layer_imports_no_channel():
    assert _violations(("gjj.applications",), tuple(c for c in CHANNELS if c != "gjj.applications")) == []


def test_the_checker_sees_an_import_inside_a_function(tmp_path):
    source = tmp_path / "gjj" / "withdrawals" / "x.py"
    source.parent.mkdir(parents=True)
    source.write_text("def f():\n    from gjj.wechat import services\n    from ..hall import views\n")
    global SRC
    saved, SRC = SRC, tmp_path
    try:
        names = _imports(source)
    finally:
        SRC = saved
    assert "gjj.wechat.services" in names and "gjj.hall.views" in names


# Templates cross too: {% include %}, {% extends %} and {% load %} of another channel's files.
TEMPLATE_REFERENCE = re.compile(r"""\{%\s*(?:include|extends)\s+["']([^"']+)["']|\{%\s*load\s+([^%]+)%\}""")
TAG_LIBRARIES = {path.stem: path for path in GJJ.glob("*/templatetags/*.py") if path.stem != "__init__"}


def _template_references(app: str) -> list[tuple[str, str]]:
    """(template, what it includes, extends or loads: a template path or a tag library's module)."""
    found = []
    for template in sorted((GJJ / app / "templates").rglob("*.html")):
        for included, libraries in TEMPLATE_REFERENCE.findall(template.read_text(encoding="utf-8")):
            if included:
                found.append((template.name, included))
            for library in libraries.split():
                if library in TAG_LIBRARIES:
                    found.append((template.name, str(TAG_LIBRARIES[library].relative_to(GJJ))))
    return found


@pytest.mark.parametrize(("app", "other"), [("mobile", "hall"), ("hall", "mobile")])
def test_one_channels_templates_use_nothing_of_the_other(app, other):
    references = _template_references(app)
    assert references, "the templates were not read"
    assert [(t, ref) for t, ref in references if ref.startswith(f"{other}/")] == []


def test_the_house_echo_is_the_application_layers_template():
    assert ("step.html", "applications/_house_echo.html") in _template_references("mobile")
    assert ("_withdrawal_subject_house.html", "applications/_house_echo.html") in _template_references("hall")
