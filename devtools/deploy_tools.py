"""The deployment tool-chain of docs/deploy.md in a venv of its own: `aws` (the AWS CLI), samtranslator,
cfn-lint and moto's server, pinned in requirements-deploy.txt.

    python -m devtools.deploy_tools        # makes it if missing, prints its bin folder

They cannot share .venv: awscli pins botocore exactly and aws-sam-translator pins pydantic ~=2.13,
older than what the Lambda package runs (requirements.txt). The venv lives under
.cache/deploy-tools-<hash of requirements-deploy.txt>, so a changed pin makes a new one.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements-deploy.txt"


def venv_dir() -> Path:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    return ROOT / ".cache" / f"deploy-tools-{digest}"


def ensure() -> Path:
    """The bin folder of the tool-chain's venv, made (about a minute, from the package index) when missing."""
    import fcntl

    venv = venv_dir()
    done = venv / ".installed"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f"{venv.name}.lock", "w") as lock:  # test workers may ask at once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.is_file():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                            "-r", str(REQUIREMENTS)], check=True)
            done.touch()
    return venv / "bin"


if __name__ == "__main__":
    print(ensure())
