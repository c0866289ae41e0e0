"""Sandbox latency: runner round trip vs per-action `docker exec`, snapshots, start-up.

    .venv/bin/python benchmarks/sandbox_latency.py [--json] [--actions 300]

Everything is measured in the same run on the same container, so the comparison holds on any
machine. Targets (issue 3): runner p50 <= 5 ms and >= 15x faster than `docker exec`;
snapshot + restore <= 100 ms on a sympy-sized tree; ready <= 1 s from an existing image.
The sympy source distribution is downloaded once to ~/.cache/swe-agent-bench/ (outside the repo).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sandbox import start_sandbox  # noqa: E402
from sandbox.docker_backend import DockerSandbox  # noqa: E402

BENCH_CACHE = Path.home() / ".cache" / "swe-agent-bench"


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of ``samples`` in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Wall times of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def sympy_tree() -> Path:
    """The unpacked sympy sdist (downloaded once)."""
    BENCH_CACHE.mkdir(parents=True, exist_ok=True)
    found = sorted(p for p in BENCH_CACHE.glob("sympy-*") if p.is_dir())
    if found:
        return found[-1]
    argv = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    subprocess.run([*argv, "-d", str(BENCH_CACHE), "sympy"], check=True, capture_output=True)
    sdist = sorted(BENCH_CACHE.glob("sympy-*.tar.gz"))[-1]
    with tarfile.open(sdist) as tar:
        tar.extractall(BENCH_CACHE, filter="data")
    return sorted(p for p in BENCH_CACHE.glob("sympy-*") if p.is_dir())[-1]


def bench_actions(box: DockerSandbox, actions: int) -> dict[str, float]:
    """Trivial action through the runner vs a fresh `docker exec ... python3 -c` each time."""
    box.execute("1 + 1")
    socket_round_trip = _socket_runner(box)
    runner: list[float] = []
    socket: list[float] = []
    for _ in range(actions):  # interleaved, so that both see the same machine load
        runner += timed(lambda: box.execute("1 + 1"), 1)
        socket += timed(socket_round_trip, 1)
    argv = ["docker", "exec", box.container.id, "python3", "-c", "1 + 1"]
    execs = timed(lambda: subprocess.run(argv, check=True, capture_output=True), 30)
    (r50, r95), (e50, e95), (s50, s95) = map(percentiles, (runner, execs, socket))
    return {
        "runner_p50_ms": r50,
        "runner_p95_ms": r95,
        "docker_exec_p50_ms": e50,
        "docker_exec_p95_ms": e95,
        "speedup_x": e50 / r50,
        "socket_runner_p50_ms": s50,
        "socket_runner_p95_ms": s95,
    }


def _socket_runner(box: DockerSandbox) -> Callable[[], None]:
    """A second runner in the same container over docker-py's attach socket (for comparison)."""
    api = box.client.api
    argv = ["python3", "/tmp/swe-agent/runner.py"]
    exec_id = api.exec_create(box.container.id, argv, stdin=True, user=box.limits.user)["Id"]
    sock = api.exec_start(exec_id, socket=True)._sock
    buffer = bytearray()

    def round_trip(message: dict[str, Any]) -> None:
        sock.sendall(json.dumps(message).encode() + b"\n")
        while b'"type": "result"' not in buffer:
            buffer.extend(sock.recv(65536))  # 8-byte frame headers are skipped by the search
        buffer.clear()

    round_trip({"op": "init", "workdir": box.workdir, "id": 0})
    return lambda: round_trip({"op": "exec", "code": "1 + 1", "id": 1, "timeout": 10})


def bench_snapshots(image: str | None, rounds: int) -> dict[str, float]:
    """Snapshot and restore on the sympy tree, one file edited per round."""
    tree = sympy_tree()
    files = sum(1 for p in tree.rglob("*") if p.is_file())
    with start_sandbox(tree, image=image) as box:
        base = box.base_state
        snaps, restores = [], []
        for i in range(rounds):
            box.execute(f"open('sympy/__init__.py', 'a').write('# round {i}\\n')")
            started = time.perf_counter()
            box.snapshot()
            snaps.append(time.perf_counter() - started)
            started = time.perf_counter()
            box.restore(base)
            restores.append(time.perf_counter() - started)
        assert isinstance(box, DockerSandbox)
        version = {"op": "git", "commands": [["--version"]]}
        spawn = timed(lambda: box.channel.request(version, timeout=60), rounds)
    (s50, s95), (r50, r95) = percentiles(snaps), percentiles(restores)
    return {
        "tree_files": files,
        "snapshot_p50_ms": s50,
        "snapshot_p95_ms": s95,
        "restore_p50_ms": r50,
        "restore_p95_ms": r95,
        "snapshot_restore_p50_ms": s50 + r50,
        "git_spawn_in_sandbox_p50_ms": percentiles(spawn)[0],
        "host_git_snapshot_restore_p50_ms": host_git_baseline(tree, rounds),
    }


def host_git_baseline(tree: Path, rounds: int) -> float:
    """The same four git commands on a host copy of the tree: the cost without any sandbox."""
    import shutil

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=work, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder) / "tree"
        shutil.copytree(tree, work, symlinks=True)
        git("init", "-q")
        git("add", "-A", "-f")
        base = git("write-tree")
        times = []
        for i in range(rounds):
            with open(work / "sympy" / "__init__.py", "a") as handle:
                handle.write(f"# round {i}\n")
            started = time.perf_counter()
            git("add", "-A")
            git("write-tree")
            git("read-tree", "--reset", "-u", base)
            git("clean", "-fdq")
            times.append(time.perf_counter() - started)
    return percentiles(times)[0]


def bench_start(image: str | None, starts: int) -> dict[str, float]:
    """Container create to runner ready, on a one-file workspace."""
    ready, parts = [], []
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "a.py").write_text("a = 1\n")
        for _ in range(starts):
            started = time.perf_counter()
            box = start_sandbox(folder, image=image)
            ready.append(time.perf_counter() - started)
            parts.append(dict(getattr(box, "timings", {})))
            box.close()
    out = {"ready_p50_s": statistics.median(ready), "ready_min_s": min(ready)}
    for key in parts[0]:
        out[f"phase_{key.removesuffix('_s')}_p50_s"] = statistics.median(p[key] for p in parts)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--actions", type=int, default=300, help="runner round trips")
    parser.add_argument("--image", default=None, help="image (default: resolved for 3.9)")
    parser.add_argument("--no-sympy", action="store_true", help="skip the snapshot benchmark")
    args = parser.parse_args()
    results: dict[str, Any] = {"load_average_1m_start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as folder, start_sandbox(folder, image=args.image) as box:
        assert isinstance(box, DockerSandbox)
        results.update(bench_actions(box, args.actions))
    results.update(bench_start(args.image, 5))
    if not args.no_sympy:
        results.update(bench_snapshots(args.image, 20))
    results["load_average_1m_end"] = os.getloadavg()[0]
    results["targets"] = {
        "runner_p50_le_5ms": results["runner_p50_ms"] <= 5,
        "speedup_ge_15x": results["speedup_x"] >= 15,
        "ready_le_1s": results["ready_p50_s"] <= 1,
        "snapshot_restore_le_100ms": results.get("snapshot_restore_p50_ms", 0) <= 100,
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for key, value in results.items():
        if key != "targets":
            shown = f"{value:10.2f}" if isinstance(value, float) else f"{value:>10}"
            print(f"{key:28} {shown}")
    for key, met in results["targets"].items():
        print(f"target {key:30} {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
