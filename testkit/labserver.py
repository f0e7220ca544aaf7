"""JupyterLab from the project's .venv, for tests and the benchmark to drive.

``LabServer`` starts ``jupyter lab`` on a free loopback port with a token, a throwaway root
folder and fresh settings, workspaces and runtime folders, so nothing from an earlier session
(an open workspace, a user's settings) is restored. ``LabServer.stop`` shuts down every kernel
through the REST API and then ends the server's whole process group; call it in a ``finally``.

"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = REPO_ROOT / ".venv" / "bin"
START_WAIT_S = 60  # for the server to answer its status API
RUN_ALL_WAIT_MS = 90_000  # for Run All of one notebook to finish
WIDGET_WAIT_MS = 15_000  # for one widget redraw (a simulation and a PNG) to reach the page
VIEWPORT = {"width": 1400, "height": 1000}

# The one setting a fresh learner would not have: no news or update pop-up over the notebook.
# Everything else (windowing of long notebooks included) is JupyterLab's default.
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

# A widget that reached the page as its Python repr instead of a view, e.g. "VBox(children=(".
WIDGET_AS_TEXT = re.compile(
    r"\b(?:VBox|HBox|Box|IntSlider|FloatSlider|Button|Output|HTML|Explorer|StepThrough|"
    r"Prediction|Text|FloatText|ToggleButtons)\((?:children|value|description|layout)="
)
WIDGET_FAILURES = ("Loading widget", "Error displaying widget", "Error rendering output")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_command() -> list[str]:
    """``jupyter`` from the project's venv, or from the running interpreter's environment."""
    venv_jupyter = VENV_BIN / "jupyter"
    if venv_jupyter.exists():
        return [str(venv_jupyter)]
    return [sys.executable, "-m", "jupyter"]


def lab_environment(home: Path) -> dict[str, str]:
    """The server's environment: the venv's tools first, and every Jupyter or IPython folder a
    user could have filled (config, runtime, data, profile) replaced by an empty one under
    ``home``, so no user setting, extension or startup file takes part."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JUPYTER", "PYTHON", "IPYTHON", "MPLBACKEND"))
    }
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_DATA_DIR=str(home / "data"),
        IPYTHONDIR=str(home / "ipython"),
        JUPYTER_PREFER_ENV_PATH="1",
        JUPYTER_PLATFORM_DIRS="1",
    )
    return env


def _ok_line(line: str) -> bool:
    return bool(re.search(r"\benabled\s+OK\b", line))


@dataclass
class LabServer:
    """A running ``jupyter lab`` and what a test needs to reach it."""

    root: Path
    home: Path
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: os.urandom(16).hex())
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LabServer:
        """Start the server and wait until its REST API answers."""
        for sub in ("config", "runtime", "data", "workspaces"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        settings = self.home / "settings"
        for name, values in USER_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        self.log_path = self.home / "lab.log"
        command = [
            *jupyter_command(),
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.workspaces_dir={self.home / 'workspaces'}",
            f"--LabApp.user_settings_dir={settings}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",  # never asks PyPI what to install
            "--ServerApp.terminals_enabled=False",
            "--ServerApp.allow_root=True",  # CI runs as root
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.root,
                env=lab_environment(self.home),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() ends it and its kernels
            )
        deadline = time.monotonic() + START_WAIT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited early:\n{self.log()}")
            try:
                self.api("GET", "/api/status")
                return self
            except OSError:
                time.sleep(0.25)
        raise RuntimeError(f"jupyter lab did not answer within {START_WAIT_S} s:\n{self.log()}")

    def log(self) -> str:
        """The server's output so far (its last 4,000 characters)."""
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(errors="replace")[-4000:]
        return ""

    def api(self, method: str, path: str, timeout: float = 10):
        """Call the server's REST API with the token; the decoded JSON answer (or None)."""
        request = urllib.request.Request(
            self.base_url + path,
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def lab_url(self, notebook: str) -> str:
        """The notebook opened in a fresh default workspace (``reset``) with the token."""
        return f"{self.base_url}/lab/tree/{notebook}?reset&token={self.token}"

    def kernels(self) -> list[dict]:
        return self.api("GET", "/api/kernels")

    def sessions(self) -> list[dict]:
        return self.api("GET", "/api/sessions")

    def kernel_pid(self, kernel_id: str) -> int | None:
        """The process id of the kernel with this id: the child whose command line names the
        kernel's connection file (the REST API does not give pids)."""
        import psutil

        if self.process is None:
            return None
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return None
        for child in children:
            try:
                if any(kernel_id in part for part in child.cmdline()):
                    return child.pid
            except psutil.Error:
                continue
        return None

    def shutdown_kernels(self) -> None:
        """Shut every kernel down through the REST API, as the Kernel menu would."""
        try:
            for kernel in self.kernels():
                try:
                    self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=15)
                except OSError:
                    pass
        except OSError:
            pass

    def stop(self) -> None:
        """Shut down the kernels, then end the server's process group (SIGTERM, then SIGKILL)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.shutdown_kernels()
        try:
            pgid = os.getpgid(self.process.pid)
        except ProcessLookupError:
            pgid = None
        if pgid is not None:
            try:
                os.killpg(pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            if pgid is not None:
                os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=15)
        # Kernels started in the group but still alive after the server went.
        if pgid is not None:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def copy_notebooks(notebooks: list[Path], root: Path) -> list[str]:
    """Copy the notebooks into the server's root; their names, in order."""
    root.mkdir(parents=True, exist_ok=True)
    for path in notebooks:
        shutil.copy2(path, root / path.name)
    return [path.name for path in notebooks]


def labextension_list() -> subprocess.CompletedProcess:
    """``jupyter labextension list`` from the venv, without colours, in a clean environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        JUPYTER_PREFER_ENV_PATH="1",
        NO_COLOR="1",
    )
    return subprocess.run(
        [*jupyter_command(), "labextension", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def extension_problems(result: subprocess.CompletedProcess) -> list[str]:
    """Every extension line of ``labextension list`` that is not "enabled OK", and every
    warning the command printed (its "may be outdated or ... incompatible" paragraph)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    problems = []
    listing = False
    for line in text.splitlines():
        stripped = line.strip()
        if "labextensions" in stripped and stripped.startswith("/"):
            listing = True
            continue
        if listing and re.match(r"^\S+ v\d", stripped):
            if not _ok_line(stripped):
                problems.append(f"extension not enabled and OK: {stripped}")
            continue
        if re.search(r"incompatible|outdated|error|warning", stripped, re.IGNORECASE):
            problems.append(f"the command says: {stripped}")
    if result.returncode != 0:
        problems.append(f"exit code {result.returncode}")
    return problems


def extension_names(result: subprocess.CompletedProcess) -> list[str]:
    """The names of the extensions that ``labextension list`` printed."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    return re.findall(r"^\s+(\S+) v\d\S*\s", text, re.MULTILINE)


# --- in the browser ---------------------------------------------------------------------------
