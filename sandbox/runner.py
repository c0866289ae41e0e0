"""The action runner: one persistent Python namespace driven over JSON lines on stdin/stdout.

Stdlib only, Python 3.6 compatible; copied into the sandbox with ``runner_workspace.py`` (the
workspace's git and files), started once, never imported by the host. Each request line gets
one ``result`` line; a host tool call is a ``call`` line out and a ``reply`` line in, on private
descriptors that prints and child processes cannot corrupt.
"""

import ast
import contextlib
import json
import linecache
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

from runner_workspace import (
    GIT_ENV,
    GitFailed,
    op_git,
    op_read,
    op_write,
    prepare_workspace,
    reread_site_paths,
)

RUNNER_FILE = os.path.abspath(__file__)
MAIN_PID = os.getpid()
NOTHING = object()
STATE = {"workdir": os.getcwd(), "calls": 0, "actions": 0}
NAMESPACE = {"__name__": "__main__", "__builtins__": __builtins__}


class ActionTimeout(BaseException):
    """The alarm's; a BaseException so that ``except Exception`` in actions misses it."""


class Finished(Exception):
    """Ends the action's episode (the agent's submit() raises one): the result's ``finished``."""


class HostToolError(Exception):
    """A host tool failed or answered with an error."""


def _open_channel():
    """Move the protocol to private descriptors and point fds 0, 1, 2 away from it."""
    proto_in, proto_out = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    return proto_in, proto_out, devnull


PROTO_IN, PROTO_OUT, DEVNULL = _open_channel()


def send(message):
    PROTO_OUT.write(json.dumps(message, ensure_ascii=True, default=repr).encode("ascii") + b"\n")
    PROTO_OUT.flush()


def bounded(data, limit):
    """Head and tail of ``data`` (str) with a marker when it is longer than ``limit``."""
    if not limit or len(data) <= limit:
        return data, False
    half = limit // 2
    marker = "\n[... %d characters truncated ...]\n" % (len(data) - 2 * half)
    return data[:half] + marker + data[-half:], True


def read_capture(handle, limit):
    """Decode a capture file, reading at most ``limit`` bytes so memory stays bounded."""
    size = handle.seek(0, 2)
    handle.seek(0)
    if not limit or size <= limit:
        return handle.read().decode("utf-8", "replace"), False
    half = limit // 2
    head = handle.read(half).decode("utf-8", "replace")
    handle.seek(size - half)
    marker = "\n[... %d bytes truncated ...]\n" % (size - 2 * half)
    return head + marker + handle.read(half).decode("utf-8", "replace"), True


def _utf8_stream(fd):  # line buffered: prints and child processes interleave as on a tty
    return open(fd, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)


class Capture(object):
    """Points fds 1 and 2 (and sys.stdout/err) at temporary files for one action."""

    def __init__(self, limit):
        self.limit = limit
        self.out, self.err = tempfile.TemporaryFile(), tempfile.TemporaryFile()  # noqa: SIM115
        os.dup2(self.out.fileno(), 1)
        os.dup2(self.err.fileno(), 2)
        sys.stdout, sys.stderr = _utf8_stream(1), _utf8_stream(2)

    def finish(self):
        for stream in (sys.stdout, sys.stderr):
            # the action may have closed or broken its own stream; the fd capture remains
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        sys.stdout, sys.stderr = _utf8_stream(1), _utf8_stream(2)
        for fd in (1, 2):
            os.dup2(DEVNULL, fd)
        stdout, cut_out = read_capture(self.out, self.limit)
        stderr, cut_err = read_capture(self.err, self.limit)
        self.out.close()
        self.err.close()
        return stdout, stderr, cut_out or cut_err


def _on_alarm(signum, frame):
    raise ActionTimeout()


def watch_host():
    """Kill the runner and what it started once the host's end of the channel closes."""
    poller = select.poll()  # only POLLHUP or POLLERR wake it (the host died, even by SIGKILL)
    poller.register(PROTO_IN.fileno(), getattr(select, "POLLRDHUP", 0))
    poller.poll()
    for group in (STATE.get("child"), os.getpgid(0)):
        with contextlib.suppress(Exception):
            os.killpg(group, signal.SIGKILL)


def set_alarm(seconds):
    signal.signal(signal.SIGALRM, _on_alarm)  # again each time: an action may have replaced it
    signal.setitimer(signal.ITIMER_REAL, seconds or 0)


def sweep_strays():
    """Kill what an action left in the runner's process group, until none is left (<= 20 s)."""
    deadline = time.time() + 20
    while signal_group(signal.SIGSTOP) and time.time() < deadline:  # stopped: no more forks
        signal_group(signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # zombies count as pids until collected
            while os.waitpid(-1, os.WNOHANG)[0]:
                continue
        time.sleep(0.005)


def signal_group(sig):
    """Send ``sig`` to every other process of the runner's group; their pids."""
    me, group, hit = os.getpid(), os.getpgid(0), set()
    for name in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if name.isdigit() and int(name) != me:
            with contextlib.suppress(OSError):  # ended meanwhile, or not ours
                if os.getpgid(int(name)) == group:
                    os.kill(int(name), sig)
                    hit.add(int(name))
    return hit


def compile_action(code, name):
    """Compile ``code``; when its last statement is an expression, compile it as 'eval'."""
    tree = ast.parse(code, name)
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    module = compile(tree, name, "exec") if tree.body else None
    expr = compile(last, name, "eval") if last is not None else None
    return module, expr


def run_action(code, name):
    module, expr = compile_action(code, name)
    if module is not None:
        exec(module, NAMESPACE)
    return eval(expr, NAMESPACE) if expr is not None else NOTHING


def user_traceback(exc_type, exc, tb):
    """Format an exception without the runner's own frames."""
    while tb is not None and tb.tb_frame.f_code.co_filename == RUNNER_FILE:
        tb = tb.tb_next
    if isinstance(exc, SyntaxError) or tb is None:
        return "".join(traceback.format_exception_only(exc_type, exc))
    return "".join(traceback.format_exception(exc_type, exc, tb))


def describe(exc):
    return type(exc).__name__ + (": %s" % exc if str(exc) else "")


def op_exec(req):
    STATE["actions"] += 1
    name = "<action-%d>" % STATE["actions"]
    capture = Capture(req.get("max_output", 10000))
    result = {"value": None, "error": None, "traceback": None, "timed_out": False}
    try:
        set_alarm(req.get("timeout"))
        value = run_action(req["code"], name)
        set_alarm(0)
        if value is not NOTHING and value is not None:
            result["value"] = bounded(repr(value), req.get("max_output", 10000))[0]
    except ActionTimeout:
        set_alarm(0)
        result["timed_out"] = True
        result["error"] = "TimeoutError: the action was interrupted after %ss" % req["timeout"]
    except BaseException as exc:  # the action's own error, SystemExit included, is the result
        set_alarm(0)
        if os.getpid() != MAIN_PID:
            os._exit(1)
        result["finished"] = str(exc) if isinstance(exc, Finished) else None
        result["error"] = bounded(describe(exc), capture.limit)[0]  # a message can be any size
        result["traceback"] = bounded(user_traceback(*sys.exc_info()), capture.limit)[0]
    if os.getpid() != MAIN_PID:
        os._exit(0)  # a fork made by the action must never answer the host
    if result["error"]:
        sweep_strays()
    with contextlib.suppress(OSError):  # the action removed the workspace; git will say so
        os.chdir(STATE["workdir"])
    result["stdout"], result["stderr"], result["truncated"] = capture.finish()
    return result


def op_run(req):
    timeout = req.get("timeout")
    argv = ["sh", "-c", req["cmd"]]
    if timeout and shutil.which("timeout"):
        argv = ["timeout", "-s", "KILL", "%g" % timeout] + argv
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        return _run_command(req, argv, out, err)


def _run_command(req, argv, out, err):
    timeout = req.get("timeout")
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=STATE["workdir"],
        start_new_session=True, env=dict(os.environ, **GIT_ENV),
    )  # fmt: skip
    started, STATE["child"] = time.time(), proc.pid  # its own group: watch_host kills it too
    try:
        code = proc.wait(timeout + 5 if timeout else None)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        code = proc.wait()
    with contextlib.suppress(OSError):  # the group may already be empty
        os.killpg(proc.pid, signal.SIGKILL)  # grandchildren left in the command's group
    STATE["child"] = None
    if code < 0:
        code = 128 - code  # killed by a signal: report it the way a shell does (137 = KILL)
    limit = req.get("max_output", 10000)
    stdout, cut_out = read_capture(out, limit)
    stderr, cut_err = read_capture(err, limit)
    timed_out = bool(timeout) and code == 137 and time.time() - started >= timeout * 0.98
    result = {"stdout": stdout, "stderr": stderr, "exit_code": code, "timed_out": timed_out}
    result["truncated"] = cut_out or cut_err
    if timed_out:
        result["error"] = "TimeoutError: the command ran longer than %ss and was killed" % timeout
    return result


def make_proxy(tool):
    def proxy(*args, **kwargs):
        STATE["calls"] += 1
        call_id = STATE["calls"]
        send({"type": "call", "id": call_id, "tool": tool, "args": args, "kwargs": kwargs})
        while True:
            line = PROTO_IN.readline()
            if not line:
                os._exit(3)  # the host went away
            reply = json.loads(line.decode("utf-8"))
            if reply.get("op") == "reply" and reply.get("id") == call_id:
                break
        if not reply.get("ok"):
            raise HostToolError(reply.get("error") or "host tool %s failed" % tool)
        return reply.get("value")

    proxy.__name__ = tool
    return proxy


def op_init(req):
    STATE["workdir"] = req["workdir"]
    tree = prepare_workspace(req["workdir"], req["archive"]) if req.get("archive") else None
    os.chdir(req["workdir"])
    if tree is not None:
        reread_site_paths()
    NAMESPACE.update({tool: make_proxy(tool) for tool in req.get("tools", [])}, Finished=Finished)
    info = dict(pid=os.getpid(), pgid=os.getpgid(0), python="%d.%d.%d" % sys.version_info[:3])
    return {"value": json.dumps(dict(info, tree=tree))}


def in_workdir(operation):
    """A workspace operation as a handler: it runs in the current workspace folder."""
    return lambda req: operation(req, STATE["workdir"])


HANDLERS = dict(init=op_init, exec=op_exec, run=op_run)
HANDLERS.update(git=in_workdir(op_git), read=in_workdir(op_read), write=in_workdir(op_write))


def handle(req):
    handler = HANDLERS.get(req.get("op"))
    if handler is None:
        return {"error": "ProtocolError: unknown op %r" % (req.get("op"),)}
    started = time.time()
    try:
        result = handler(req)
    except GitFailed as exc:
        result = {"error": str(exc)}
    except Exception as exc:  # a failing request is reported to the host, the runner lives on
        result = {"error": describe(exc), "traceback": traceback.format_exc()}
    result["elapsed_s"] = time.time() - started
    return result


def main():
    with contextlib.suppress(OSError):  # already a group leader
        os.setsid()  # its own process group, so strays and hangs can be killed as a group
    threading.Thread(target=watch_host, name="watch-host", daemon=True).start()
    with contextlib.suppress(OSError), open(RUNNER_FILE + ".started", "w"):
        pass  # tells the container's watchdog that a runner has lived
    sys.dont_write_bytecode = True  # a .pyc keeps whole-second mtimes: same-size edits unseen
    tempfile.tempdir = os.path.dirname(RUNNER_FILE)  # captures apart from the actions' /tmp
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    while True:
        line = PROTO_IN.readline()
        if not line:
            return
        try:
            req = json.loads(line.decode("utf-8"))
        except ValueError as exc:
            send({"type": "result", "id": None, "error": "ProtocolError: %s" % exc})
            continue
        if req.get("op") == "reply":
            continue  # a late answer to a tool call that a timeout interrupted
        send(dict(handle(req), type="result", id=req.get("id")))


if __name__ == "__main__":
    main()
