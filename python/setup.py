"""Bundles the engine component: `pip install ./python` and `pip wheel ./python` copy
`src/truthound_kestra/engine.wasm` into the package, writing it first with the CLI
(`truthound-kestra component`, from PATH or built with cargo) when it is missing."""

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
WASM = HERE / "src" / "truthound_kestra" / "engine.wasm"


def write_component() -> None:
    """Writes engine.wasm with the truthound-kestra CLI of this repository."""
    cli = os.environ.get("TRUTHOUND_KESTRA_CLI") or shutil.which("truthound-kestra")
    if cli:
        command = [cli, "component", "-o", str(WASM)]
    elif (HERE.parent / "Cargo.toml").is_file():
        command = ["cargo", "run", "--quiet", "--release", "--locked", "-p", "truthound-kestra", "--",
                   "component", "-o", str(WASM)]
    else:
        raise SystemExit(f"{WASM} is missing and no truthound-kestra CLI or repository is at hand to write it")
    subprocess.run(command, check=True, cwd=HERE.parent if not cli else None)


class BuildWithComponent(build_py):
    """build_py that makes sure the component is there first."""

    def run(self) -> None:
        if not WASM.is_file():
            write_component()
        super().run()


setup(cmdclass={"build_py": BuildWithComponent})
