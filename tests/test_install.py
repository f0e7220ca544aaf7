"""comsim installs as a wheel and runs outside the checkout: its data tables, templates and
command line travel inside the package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
_NOT_SOURCE = shutil.ignore_patterns("__pycache__", "*.egg-info")


def _run(*command, cwd: Path, env=None) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """A fresh venv holding comsim's wheel (not editable), and an empty folder to run in.

    Tests never download: the wheel is built with the project venv's setuptools (no build
    isolation), and the locked dependencies come from the project venv (installed there from
    requirements.lock), seen through a .pth file rather than installed again."""
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "source"  # a copy, so that the build leaves nothing in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO_ROOT / name, source / name)
    for name in ("comsim", "data"):
        shutil.copytree(REPO_ROOT / name, source / name, ignore=_NOT_SOURCE)
    _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--disable-pip-version-check", "-w", tmp / "dist", source, cwd=tmp,
    )  # fmt: skip
    [wheel] = (tmp / "dist").glob("comsim-*.whl")
    env_dir = tmp / "venv"
    python = env_dir / "bin" / "python"
    uv = Path(sys.executable).with_name("uv")  # the Makefile's installer, when it has one
    venv.create(env_dir, with_pip=not uv.is_file())
    if uv.is_file():
        _run(uv, "pip", "install", "--no-deps", "--offline", "--python", python, wheel, cwd=tmp)
    else:
        _run(
            python, "-m", "pip", "install", "--no-deps", "--no-index",
            "--disable-pip-version-check", wheel, cwd=tmp,
        )  # fmt: skip
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp)
    Path(site.stdout.strip(), "locked-dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n"
    )
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return env_dir, elsewhere


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.pop("VIRTUAL_ENV", None)
    return env


@pytest.mark.slow
def test_the_wheel_ships_the_data_and_the_templates(installed):
    env_dir, elsewhere = installed
    code = (
        "import comsim, comsim.data, importlib.resources as r\n"
        "print(comsim.__file__)\n"
        "names = {p.name for p in r.files('comsim.data').iterdir()}\n"
        "assert {'parameters.csv', 'scenarios.csv', 'claims.csv', 'sources.csv'} <= names, names\n"
        "assert len(comsim.PARAMETERS) > 10\n"
        "assert any(r.files('comsim.publish').joinpath('templates').iterdir())\n"
        "book = r.files('comsim.publish').joinpath('templates', 'book')\n"
        "shipped = {p.name for p in book.iterdir()}\n"
        "assert {'_config.yml', 'index.md.j2', '_static', '_templates'} <= shipped, shipped\n"
        "from importlib.metadata import entry_points\n"
        "assert 'comsim-alt-text' in entry_points(group='myst_nb.mime_renderers').names\n"
    )
    done = _run(env_dir / "bin" / "python", "-c", code, cwd=elsewhere, env=_clean_env())
    assert Path(done.stdout.strip()).is_relative_to(env_dir), "comsim came from the checkout"


@pytest.mark.slow
def test_the_comsim_command_simulates_from_another_directory(installed):
    env_dir, elsewhere = installed
    done = _run(
        env_dir / "bin" / "comsim", "simulate", "--iterations", "1000", cwd=elsewhere,
        env=_clean_env(),
    )  # fmt: skip
    assert "1,000" in done.stdout, done.stdout
