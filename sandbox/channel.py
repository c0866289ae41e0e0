"""The host end of the runner: JSON lines over a subprocess's pipes, tool calls, restarts."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from collections.abc import Mapping
from typing import Any, Protocol

from sandbox.errors import RunnerFailed
from sandbox.protocol import HostTool

_EOF: dict[str, Any] = {"type": "eof"}


# Unpacking the workspace and committing its baseline: sqlfluff's 2,267 files took 84 s + 62 s
# of wall time for 1.3 s of CPU in a container on a machine at load 100, past the 120 s this
# once allowed; a runner that never answers still fails, only later.
INIT_TIMEOUT_S = 600.0


class RunnerHost(Protocol):
    """What a backend gives the channel: start the runner, kill it, check the sandbox lives."""

    def spawn_runner(self) -> subprocess.Popen[bytes]: ...

    def kill_runner(self, pgid: int) -> None: ...

    def check_alive(self) -> None: ...

    def memory_note(self) -> str | None:
        """A sentence when the kernel killed processes for memory since the last call."""
        ...


class _Process:
    """One runner process and the threads that read its stdout and stderr."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self.popen = popen
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.stderr_tail = b""
        self.pgid = 0
        self.ended = threading.Event()  # stdout closed: the runner is gone or going
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            try:
                self.messages.put(json.loads(line))
            except ValueError:
                self.stderr_tail = (self.stderr_tail + line)[-4000:]
        self.ended.set()
        self.messages.put(_EOF)

    def _read_stderr(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.stderr_tail = (self.stderr_tail + line)[-4000:]

    def send(self, message: Mapping[str, Any]) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(json.dumps(message, default=str).encode() + b"\n")
        self.popen.stdin.flush()

    def alive(self) -> bool:
        return self.popen.poll() is None and not self.ended.is_set()

    def stop(self) -> None:
        """Close stdin (the runner exits on EOF) and reap the client process."""
        try:
            if self.popen.stdin is not None:
                self.popen.stdin.close()
            self.popen.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            self.popen.kill()
            self.popen.wait()


class Channel:
    """Requests to the runner, one at a time; restarts it when it hangs or dies."""

    def __init__(
        self,
        host: RunnerHost,
        *,
        init: Mapping[str, Any],
        tools: Mapping[str, HostTool],
        grace_s: float,
    ) -> None:
        self.host, self.init, self.tools, self.grace_s = host, dict(init), dict(tools), grace_s
        self._proc: _Process | None = None
        self._next_id = 0
        self._lock = threading.Lock()
        self.info: dict[str, Any] = {}

    def start(self, *, first: bool = True) -> None:
        """Start the runner and initialise it (unpacking the workspace the first time)."""
        self._proc = _Process(self.host.spawn_runner())
        init = {**self.init, "op": "init", "tools": sorted(self.tools)}
        if not first:
            init.pop("archive", None)
        reply = self._exchange(init, deadline=time.monotonic() + INIT_TIMEOUT_S)
        if isinstance(reply, str) or reply.get("error"):
            self.host.check_alive()
            detail = reply.get("error") if isinstance(reply, dict) else None
            detail = detail or self._proc.stderr_tail.decode(errors="replace")
            if reply == "hung" and not detail.strip():
                detail = f"no answer in {INIT_TIMEOUT_S:.0f} s while unpacking the workspace"
            raise RunnerFailed(
                f"the action runner did not start: {detail.strip() or 'no output'}",
                hint="the image needs python3 (3.6 or later) and git; "
                "`swe-agent sandbox doctor` checks both",
            )
        self.info = json.loads(reply["value"])
        self._proc.pgid = int(self.info["pgid"])

    def request(self, message: Mapping[str, Any], *, timeout: float | None) -> dict[str, Any]:
        """Send one request and return its result; ``reset`` is set when the runner restarted."""
        with self._lock:
            reset = False
            if self._proc is None or not self._proc.alive():
                self._restart()
                reset = True
            deadline = None if timeout is None else time.monotonic() + timeout + self.grace_s
            started = time.monotonic()
            reply = self._exchange(dict(message), deadline=deadline)
            if isinstance(reply, str):
                reply = self._lost(hung=reply == "hung")
                reply["elapsed_s"] = time.monotonic() - started
                reset = True
            reply["reset"] = reset
            return reply

    def close(self) -> None:
        """Stop the runner."""
        if self._proc is not None:
            self._proc.stop()
            self._proc = None

    def _restart(self) -> None:
        self.host.check_alive()
        if self._proc is not None:
            self._kill()
        self.start(first=False)

    def _kill(self) -> None:
        assert self._proc is not None
        if self._proc.pgid:
            self.host.kill_runner(self._proc.pgid)
        self._proc.popen.kill()
        self._proc.popen.wait()

    def _lost(self, *, hung: bool) -> dict[str, Any]:
        """The runner hung past its deadline or died: restart it and say what happened."""
        assert self._proc is not None
        tail = self._proc.stderr_tail.decode(errors="replace").strip()[-500:]
        memory = None if hung else self.host.memory_note()
        self._restart()
        if hung:
            error = "TimeoutError: the runner stopped answering and was restarted"
        elif memory:
            error = (
                f"RunnerDied: {memory}; the runner was restarted (its variables are lost): "
                "use less memory"
            )
        else:
            error = "RunnerDied: the runner exited during the action and was restarted"
        return {"error": error + (f" ({tail})" if tail else ""), "timed_out": hung}

    def memory_note(self) -> str | None:
        """The host's sentence about processes killed for memory since the last call."""
        return self.host.memory_note()

    def _exchange(self, message: dict[str, Any], *, deadline: float | None) -> dict[str, Any] | str:
        """Send ``message``; answer tool calls until its result comes; "hung" or "eof" if not."""
        assert self._proc is not None
        self._next_id += 1
        message["id"] = self._next_id
        try:
            self._proc.send(message)
        except OSError:
            return "eof"
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                reply = self._proc.messages.get(timeout=wait)
            except queue.Empty:
                return "hung"
            if reply is _EOF:
                return "eof"
            if reply.get("type") == "call":
                self._answer(reply)
            elif reply.get("type") == "result" and reply.get("id") == message["id"]:
                return reply

    def _answer(self, call: dict[str, Any]) -> None:
        assert self._proc is not None
        answer: dict[str, Any] = {"op": "reply", "id": call.get("id")}
        tool = self.tools.get(call.get("tool", ""))
        if tool is None:
            answer.update(ok=False, error=f"no host tool named {call.get('tool')!r}")
        else:
            try:
                value = tool(*call.get("args", []), **call.get("kwargs", {}))
                answer.update(ok=True, value=value)
            except Exception as exc:  # a tool's failure is the action's error, not the host's
                answer.update(ok=False, error=f"{type(exc).__name__}: {exc}")
        try:
            self._proc.send(answer)
        except OSError:
            return  # the runner died; the next read sees EOF
