"""Reading a guide picture back with tesseract: bright text on the guide's dark boxes."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

IN_CI = os.environ.get("CI", "").lower() == "true"


def tesseract() -> str:
    found = shutil.which("tesseract")
    if found is None:
        if IN_CI:
            pytest.fail("tesseract is required under CI (Debian tesseract-ocr)")
        pytest.skip("tesseract is not installed (Debian tesseract-ocr)")
    return found


def read_text(picture: Image.Image) -> str:
    """Every text line tesseract finds, bright pixels read as ink, whitespace collapsed."""
    ink = picture.convert("L").point(lambda value: 0 if value > 150 else 255)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "screen.png"
        ink.save(path)
        done = subprocess.run(
            [tesseract(), str(path), "stdout", "--psm", "11"],
            capture_output=True,
            check=True,
            timeout=60,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    return " ".join(done.stdout.decode("utf-8", "replace").split())
