"""The sandbox side of the autograder: the one process that runs a student's submission.

Nothing in comsim imports this file. The grader (:mod:`.sandbox`) hands its text to
``python -I -S -c`` in a fresh process, so it runs with the standard library only: no comsim
(where the reference solution lives), no site-packages, no path into the repository. Before a
line of the submission runs, it

1. keeps the pipe to the grader on private file descriptors and points standard input, output
   and error at /dev/null (what the submission prints goes nowhere);
2. sets resource limits: CPU seconds, address space, file size, open files, no new processes;
3. installs an audit hook (PEP 578) that refuses, for the rest of the process's life, to open
   or list anything outside its fresh temporary directory (the standard library stays
   readable), to start a process, send a signal, open a socket, load ctypes or import comsim.

The grader has already dropped to the user ``nobody`` when it runs as root. The submission
never holds a real COM object: ``pItf`` and every pointer it gets are stubs whose calls travel
over the pipe to the grader, which runs them on its own object model and checks the result
there. Whatever this process says, the grade is the grader's.

Messages are JSON lines. Grader to sandbox: ``load`` (the source and the class name),
``build`` (a handle for pItf), ``call`` (a method of the built cache), ``bye``. Sandbox to
grader: ``invoke`` (a method or property of a pointer, by handle), ``done`` or ``raise``.
"""

import builtins
import json
import os
import resource
import sys

READ_LIMIT = 1 << 20  # the grader's longest message: the source of a submission
# Modules the submission may not import: ways out of the sandbox, and comsim with its key.
REFUSED_IMPORTS = (
    "comsim",
    "ctypes",
    "_ctypes",
    "subprocess",
    "_posixsubprocess",
    "socket",
    "_socket",
    "ssl",
    "multiprocessing",
    "_multiprocessing",
    "mmap",
    "pty",
)
REFUSED_EVENTS = (
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "os.kill",
    "os.killpg",
    "signal.pthread_kill",
    "pty.spawn",
    "sys.addaudithook",
    "webbrowser.open",
)
REFUSED_PREFIXES = ("socket.", "ctypes.", "urllib.", "http.", "ftplib.", "smtplib.")
# Events that read a directory: inside the sandbox's own, or the standard library's (imports
# list it); events that change files: inside the sandbox's own directory only.
LIST_EVENTS = ("os.listdir", "os.scandir", "glob.glob")
PATH_EVENTS = (
    "os.mkdir",
    "os.remove",
    "os.rename",
    "os.rmdir",
    "os.symlink",
    "os.link",
    "os.chmod",
    "os.chown",
    "os.truncate",
    "os.utime",
    "os.chdir",
)
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class COMError(Exception):
    """COM refused a call the submission made (the grader's object model said why)."""


class Channel:
    """The pipe to the grader, on descriptors of its own."""

    def __init__(self):
        self.reader = os.fdopen(os.dup(0), "rb")
        self.writer = os.fdopen(os.dup(1), "wb", buffering=0)
        self.pointers = {}  # handle -> Pointer: one stub per pointer, so `is` works
        self.methods, self.properties = (), ()

    def send(self, message):
        self.writer.write(json.dumps(message).encode() + b"\n")

    def receive(self):
        line = self.reader.readline(READ_LIMIT)
        if not line:
            raise SystemExit(0)  # the grader closed the pipe: it is done with us
        return json.loads(line)

    def pointer(self, handle):
        if handle not in self.pointers:
            self.pointers[handle] = Pointer(handle)
        return self.pointers[handle]

    def invoke(self, handle, name, args=(), kwargs=None, read=False):
        """Run a pointer's method (or read a property) in the grader; its answer, or its
        exception raised here."""
        self.send(
            {
                "op": "invoke",
                "h": handle,
                "name": name,
                "read": read,
                "args": [encode(a) for a in args],
                "kwargs": {str(k): encode(v) for k, v in (kwargs or {}).items()},
            }
        )
        reply = self.receive()
        if "raise" in reply:
            kind = {"TypeError": TypeError, "ValueError": ValueError}.get(reply["raise"]["type"])
            raise (kind or COMError)(reply["raise"]["text"])
        return decode(reply["done"])


CHANNEL = None


class Pointer:
    """A submission's view of an interface pointer: every call goes to the grader."""

    __slots__ = ("_handle",)

    def __init__(self, handle):
        object.__setattr__(self, "_handle", handle)

    def __getattr__(self, name):
        handle = object.__getattribute__(self, "_handle")
        if name in CHANNEL.properties:
            return CHANNEL.invoke(handle, name, read=True)
        if name in CHANNEL.methods:
            return lambda *args, **kwargs: CHANNEL.invoke(handle, name, args, kwargs)
        raise AttributeError(f"an interface pointer has no attribute {name!r}")

    def __setattr__(self, name, value):
        raise AttributeError("an interface pointer's attributes cannot be set")

    def __repr__(self):
        return f"<interface pointer #{object.__getattribute__(self, '_handle')}>"


class Blanket:
    """A blanket as QueryBlanket returns it."""

    def __init__(self, authn_level, imp_level, principal):
        self.authn_level, self.imp_level, self.principal = authn_level, imp_level, principal

    def __repr__(self):
        return f"Blanket({self.authn_level!r}, {self.imp_level!r}, {self.principal!r})"


def encode(value):
    """A value for the grader: plain data, or a pointer's handle."""
    if isinstance(value, Pointer):
        return {"$h": object.__getattribute__(value, "_handle")}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return {"$type": type(value).__name__}


def decode(value):
    """A value from the grader: plain data, a pointer's handle, or a blanket."""
    if isinstance(value, dict) and "$h" in value:
        return CHANNEL.pointer(value["$h"])
    if isinstance(value, dict) and "$blanket" in value:
        return Blanket(**value["$blanket"])
    return value


def describe(error):
    return {"type": type(error).__name__, "text": str(error)[:500]}


def set_limits(limits):
    """CPU seconds, address space, file size, open files; no new processes."""
    cpu = int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = int(limits["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
    resource.setrlimit(resource.RLIMIT_NOFILE, (32, 32))
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def install_guard(home):
    """The audit hook: inside ``home`` anything, the standard library read-only, nothing else.
    Returns the list it notes each refusal in."""
    home = os.path.realpath(home)
    stdlib = os.path.realpath(os.path.dirname(os.__file__))
    devices = {"/dev/null", "/dev/urandom"}
    refused = []

    def within(path, roots):
        try:
            real = os.path.realpath(os.fsdecode(path))
        except (TypeError, ValueError):
            return False
        return real in devices or any(real == r or real.startswith(r + os.sep) for r in roots)

    def refuse(event, detail=""):
        if len(refused) < 20:
            refused.append(f"{event} {detail}".strip()[:200])
        raise PermissionError(f"the grader's sandbox refuses {event} {detail}".strip())

    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            writing = any(c in (mode or "") for c in "wax+") or bool((flags or 0) & _WRITE_FLAGS)
            if isinstance(path, int) or not within(path, (home,) if writing else (home, stdlib)):
                refuse("open", repr(path))
        elif event == "import" and args[0].split(".")[0] in REFUSED_IMPORTS:
            refuse("import", args[0])
        elif event in REFUSED_EVENTS or event.startswith(REFUSED_PREFIXES):
            refuse(event)
        elif event in LIST_EVENTS + PATH_EVENTS or event.startswith("shutil."):
            roots = (home, stdlib) if event in LIST_EVENTS else (home,)
            paths = [a for a in args if isinstance(a, (str, bytes, os.PathLike))]
            if not all(within(p, roots) for p in paths):
                refuse(event, repr(paths[0]) if paths else "")

    sys.addaudithook(hook)
    return refused


def serve(channel, refused):
    """Answer the grader until it says bye: load the submission, build the cache, call it."""
    namespace = {"__name__": "submission", "__builtins__": builtins}
    cache = None
    while True:
        message = channel.receive()
        op = message.get("op")
        try:
            if op == "load":
                exec(compile(message["source"], "submission.py", "exec"), namespace)
                found = namespace.get(message["class"])
                if not callable(found):
                    raise NameError(f"the file defines no class {message['class']}")
                result = None
            elif op == "build":
                cache = namespace[message["class"]](decode(message["pitf"]))
                result = [m for m in message["methods"] if callable(getattr(cache, m, None))]
            elif op == "call":
                result = encode(getattr(cache, message["method"])(**message.get("kwargs", {})))
            else:  # bye
                channel.send({"done": list(refused)})
                return
        except BaseException as error:  # the submission's failure is reported, never ours
            channel.send({"raise": describe(error)})
        else:
            channel.send({"done": result})


def main():
    global CHANNEL
    config = json.loads(sys.argv[1])
    CHANNEL = Channel()
    CHANNEL.methods, CHANNEL.properties = tuple(config["methods"]), tuple(config["properties"])
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    set_limits(config)
    refused = install_guard(os.getcwd())
    serve(CHANNEL, refused)


if __name__ == "__main__":
    main()
