"""The clinical safety hazard log names tests as the evidence for each control: they must exist,
so that renaming or deleting a safety test is noticed (docs/clinical-safety/hazard-log.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "docs" / "clinical-safety" / "hazard-log.md"
# `tests/x/test_y.py::test_name`, `test_y.py::test_name` (a file name unique under tests/),
# `::test_name` (the same file as the last), or a whole file.
REFERENCE = re.compile(r"`((?:(?:tests/[\w/]+/)?test_\w+\.py)?(?:::\w+)?)`")


def references() -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    current = ""
    for text in REFERENCE.findall(LOG.read_text()):
        path, _, name = text.partition("::")
        if path:
            current = path if path.startswith("tests/") else _unique(path)
        elif not name:
            continue
        found.append((current, name or None))
    return found


def _unique(file_name: str) -> str:
    (match,) = (ROOT / "tests").rglob(file_name)
    return str(match.relative_to(ROOT))


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_every_test_the_hazard_log_cites_exists():
    cited = references()
    assert len(cited) > 30, "the log should cite its evidence"
    missing = []
    for path, name in cited:
        file = ROOT / path
        if not file.exists():
            missing.append(path)
        elif name and name not in functions_in(file):
            missing.append(f"{path}::{name}")
    assert missing == []
