"""The code base stays ruff-clean (lint and format), notebooks included."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    return subprocess.run([exe, *args], cwd=ROOT, capture_output=True, text=True)


COMMANDS = [["check", "."], ["format", "--check", "."]]


@pytest.mark.parametrize("command", COMMANDS, ids=["lint", "format"])
def test_ruff_is_clean(command):
    proc = _ruff(*command)
    assert proc.returncode == 0, proc.stdout + proc.stderr
