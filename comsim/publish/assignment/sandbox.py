"""The grader's side of a sandbox: one process per submission, driven over a pipe.

:class:`Sandbox` starts ``child.py`` (see its docstring for what the sandbox refuses) in a
fresh temporary directory, as the user ``nobody`` when the grader runs as root, and keeps
the real COM objects on this side. The submission's ``pItf`` is a handle; every call it makes
through a pointer arrives here as a message, runs on comsim's object model, and goes back as
plain data or another handle. :meth:`Sandbox.cache_class` gives the checker
(:func:`comsim.teaching.quiz.check_cache`) a class to build, whose methods run the
submission's cache in the sandbox, so the checker sees what the submission really did to the
proxy manager: a grade cannot be forged from the other side of the pipe.

Whatever the submission does, the grader goes on: a reply that is late past the deadline
raises :class:`~comsim.teaching.quiz.budget.OutOfTime` (the checker reports the endless
loop), a process that dies or talks nonsense raises :class:`SubmissionError`, and
:meth:`Sandbox.close` kills the process group and removes the directory.
"""

from __future__ import annotations

import builtins
import json
import os
import pwd
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ...model.blanket import Blanket
from ...model.com import InterfacePointer
from ...model.errors import COMError
from ...teaching.quiz.budget import OutOfTime

METHODS = ("QueryInterface", "AddRef", "Release", "CopyProxy", "SetBlanket", "QueryBlanket")
"""What a submission may call through a pointer: IUnknown and IClientSecurity."""
PROPERTIES = ("iid", "is_copy", "refs")
"""What a submission may read from a pointer."""
CACHE_METHODS = ("get", "clear")
READ_LIMIT = 1 << 16  # the longest message a sandbox may send
SANDBOX_USER = "nobody"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


class SubmissionError(Exception):
    """The submission's process died, or broke the grader's protocol."""


@dataclass(frozen=True)
class Limits:
    """What one submission may use: ``seconds`` of wall time for everything its code does,
    ``memory_mib`` of address space, and CPU seconds a little above the wall time."""

    seconds: float = 5.0
    memory_mib: int = 256

    def config(self) -> dict:
        return {
            "cpu_seconds": int(self.seconds) + 2,
            "memory_bytes": self.memory_mib << 20,
            "methods": METHODS,
            "properties": PROPERTIES,
        }


DEFAULT_LIMITS = Limits()


def child_source() -> str:
    """The sandbox's program, passed as text (``python -c``), so that no path into the
    repository or the package is on the sandbox's side."""
    return resources.files(__package__).joinpath("child.py").read_text("utf-8")


def interpreter() -> str:
    """A Python the sandbox can run: this one, or when it lies in a folder the sandbox's user
    cannot enter (a pyenv under /root), the system's ``python3``."""
    if os.geteuid() != 0:
        return sys.executable
    for candidate in (sys.executable, sys._base_executable, "/usr/bin/python3"):
        real = Path(candidate).resolve()
        if real.is_file() and all(p.stat().st_mode & 0o001 for p in (real, *real.parents)):
            return str(real)
    raise SubmissionError("no Python that the user nobody may run (install python3)")


class Sandbox:
    """One submission's process, its directory, and the pointers it has been handed."""

    def __init__(self, source: str, class_name: str, limits: Limits = DEFAULT_LIMITS):
        self.source, self.class_name, self.limits = source, class_name, limits
        self.objects: dict[int, object] = {}  # handle -> the real object on this side
        self.handles: dict[int, int] = {}  # id(object) -> handle
        self.deadline = time.monotonic() + limits.seconds
        self.refused: list[str] = []
        self.stuck = False  # its code was still running at the deadline
        self.home = tempfile.mkdtemp(prefix="comsim-grade-")
        self.process = self._start()
        self._buffer = b""

    def _start(self) -> subprocess.Popen:
        drop = {}
        if os.geteuid() == 0:  # never run a student's code as root
            user = pwd.getpwnam(SANDBOX_USER)
            os.chown(self.home, user.pw_uid, user.pw_gid)
            drop = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        os.chmod(self.home, 0o700)
        config = json.dumps(self.limits.config())
        return subprocess.Popen(
            [interpreter(), "-I", "-S", "-B", "-c", child_source(), config],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self.home,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": self.home},
            start_new_session=True,
            close_fds=True,
            **drop,
        )

    # -- what the grader asks --------------------------------------------------------------
    def load(self) -> None:
        """Run the submission's file and find its class (SubmissionError if it cannot)."""
        self.request({"op": "load", "source": self.source, "class": self.class_name})

    def cache_class(self) -> type:
        """A class for the checker: built with pItf, its ``get`` and ``clear`` run the
        submission's cache in the sandbox (only the methods the submission's cache has)."""
        sandbox = self

        class RemoteCache:
            def __init__(self, pItf):
                found = sandbox.request(
                    {
                        "op": "build",
                        "class": sandbox.class_name,
                        "pitf": sandbox.encode(pItf),
                        "methods": CACHE_METHODS,
                    }
                )
                for name in CACHE_METHODS:
                    if isinstance(found, list) and name in found:
                        setattr(self, name, sandbox.method(name))

        RemoteCache.__name__ = RemoteCache.__qualname__ = self.class_name
        return RemoteCache

    def method(self, name: str):
        return lambda **kwargs: self.request({"op": "call", "method": name, "kwargs": kwargs})

    def close(self) -> list[str]:
        """End the process and remove its directory; what its guard refused, as it says."""
        if self.process.poll() is None and not self.stuck:
            try:
                said = self.request({"op": "bye"}, deadline=time.monotonic() + 1.0)
                self.refused = [str(r)[:200] for r in said] if isinstance(said, list) else []
            except Exception:  # noqa: BLE001 -- it is killed below whatever it answered
                # The checker's own time budget can stop a submission in mid pointer call:
                # it then reads "bye" as the call's answer and raises whatever that makes.
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            stream.close()
        shutil.rmtree(self.home, ignore_errors=True)
        return self.refused[:20]

    # -- the pipe --------------------------------------------------------------------------
    def request(self, message: dict, deadline: float | None = None):
        """Send ``message``, serve the pointer calls the submission makes meanwhile, and
        return its answer (raise what it raised, as an Exception) before ``deadline`` (the
        submission's own by default)."""
        self._send(message)
        while True:
            reply = self._receive(self.deadline if deadline is None else deadline)
            if reply.get("op") == "invoke":
                self._send(self._serve(reply))
            elif "done" in reply:
                return self.decode(reply["done"])
            elif isinstance(reply.get("raise"), dict):
                raise _exception(reply["raise"])
            else:
                raise SubmissionError("the submission broke the grader's protocol")

    def _send(self, message: dict) -> None:
        try:
            self.process.stdin.write(json.dumps(message).encode() + b"\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise SubmissionError(self._ended()) from None

    def _receive(self, deadline: float) -> dict:
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stuck = True
                raise OutOfTime
            if not select.select([fd], [], [], left)[0]:
                continue
            chunk = os.read(fd, READ_LIMIT)
            if not chunk:
                raise SubmissionError(self._ended())
            self._buffer += chunk
            if len(self._buffer) > READ_LIMIT:
                raise SubmissionError("the submission sent the grader a message too long")
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            reply = json.loads(line)
        except ValueError:
            raise SubmissionError("the submission broke the grader's protocol") from None
        if not isinstance(reply, dict):
            raise SubmissionError("the submission broke the grader's protocol")
        return reply

    def _ended(self) -> str:
        code = self.process.poll()
        if code is None:
            return "the submission's process stopped answering"
        if code < 0:
            name = signal.Signals(-code).name
            return f"the submission's process was killed by {name} (over its CPU or memory limit?)"
        return f"the submission's process ended (exit status {code})"

    # -- the submission's calls through its pointers ---------------------------------------
    def _serve(self, call: dict) -> dict:
        """Run one pointer call on the real object; the answer or the error, as data."""
        name = call.get("name")
        target = self.objects.get(call.get("h")) if isinstance(call.get("h"), int) else None
        if not isinstance(target, InterfacePointer) or name not in METHODS + PROPERTIES:
            return {"raise": {"type": "TypeError", "text": f"no such pointer call: {name!r}"}}
        try:
            if name in PROPERTIES:
                return {"done": self.encode(getattr(target, name))}
            args = [self.decode(a) for a in call.get("args", [])]
            kwargs = {str(k): self.decode(v) for k, v in dict(call.get("kwargs", {})).items()}
            return {"done": self.encode(getattr(target, name)(*args, **kwargs))}
        except (COMError, TypeError, ValueError) as error:
            return {"raise": {"type": type(error).__name__, "text": str(error)}}

    def encode(self, value):
        """A value for the sandbox: plain data, a handle for a pointer, a blanket's fields."""
        if isinstance(value, InterfacePointer):
            if id(value) not in self.handles:
                handle = len(self.objects) + 1
                self.objects[handle], self.handles[id(value)] = value, handle
            return {"$h": self.handles[id(value)]}
        if isinstance(value, Blanket):
            fields = ("authn_level", "imp_level", "principal")
            return {"$blanket": {f: getattr(value, f) for f in fields}}
        return value

    def decode(self, value):
        """A value from the sandbox: a handle it was given back as the real pointer, plain
        data as it is, anything else as a placeholder the checker will refuse."""
        if isinstance(value, dict) and "$h" in value:
            if value["$h"] not in self.objects:
                raise SubmissionError("the submission named a pointer it was never given")
            return self.objects[value["$h"]]
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if isinstance(value, dict):  # an object of the submission's own: its type's name
            name = str(value.get("$type", "dict"))
            return type(name if _NAME.fullmatch(name) else "object", (), {})()
        return value


def _exception(raised: dict) -> Exception:
    """What the submission raised, as an Exception here: its built-in type when it has one,
    else a new Exception class of that name (never a BaseException: the grader goes on)."""
    name, text = str(raised.get("type", "Exception")), str(raised.get("text", ""))[:500]
    found = getattr(builtins, name, None)
    if isinstance(found, type) and issubclass(found, Exception):
        return found(text)
    return type(name if _NAME.fullmatch(name) else "Exception", (Exception,), {})(text)
