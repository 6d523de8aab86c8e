"""The import contract of pyproject.toml ([tool.importlinter]) holds, and it can fail."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "core",
    "accounts",
    "scheduling",
    "booking",
    "clinical",
    "controlled",
    "notifications",
    "patient_data",
    "web",
    "demo",
    "config",
]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_tree_keeps_every_import_contract():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_booking_importing_clinical_breaks_the_contract(tmp_path):
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    models = tmp_path / "booking" / "models.py"
    models.write_text("from clinical.models import TreatmentPlan  # noqa: F401\n" + models.read_text())

    result = _lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "App layers: scheduling <- booking <- clinical <- controlled <- notifications BROKEN" in result.stdout
    assert "booking.models -> clinical.models" in result.stdout
