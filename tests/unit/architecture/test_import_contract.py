"""The layer contract bites: a planted forbidden import makes `lint-imports` fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / ".importlinter"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "retrovue", tmp_path / "retrovue", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_real_package_keeps_every_contract(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("runtime/planted.py", "import retrovue.infra.admin_services", "Runtime never reaches"),
        ("cli/planted.py", "import retrovue.runtime", "CLI never imports runtime"),
        ("domain/planted.py", "import retrovue.schedule_manager.models", "Domain imports nothing"),
        ("domain/planted.py", "import retrovue.infra.db", "Domain imports nothing"),
        ("infra/planted.py", "import retrovue.runtime", "Infra imports neither runtime"),
        (
            "infra/planted.py",
            "import retrovue.schedule_manager.schedule_service",
            "Infra imports only schedule_manager.models",
        ),
        ("schedule_manager/planted.py", "import retrovue.infra.admin_services", "Schedule manager"),
        ("runtime/planted.py", "import retrovue.infra.db", "Runtime imports no infra module"),
        ("cli/planted.py", "import sqlalchemy.orm", "CLI talks to no database session"),
        ("runtime/planted.py", "import sqlalchemy", "Runtime holds no database handle"),
        ("runtime/clients/planted.py", "import sqlalchemy.orm", "Runtime holds no database"),
        ("ffmpeg.py", "import retrovue.runtime.playout", "The shared top-level"),
    ],
)
def test_a_planted_forbidden_import_breaks_its_contract(
    tree: Path, module: str, planted: str, contract: str
) -> None:
    (tree / "retrovue" / module).write_text(f'"""Planted."""\n\n{planted}\n')
    result = _lint(tree)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if " BROKEN" in line]
    assert any(line.startswith(contract) for line in broken), result.stdout
