"""Processes under test: start, wait until ready, measure memory, stop; and HTTP helpers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post(url: str, body: str, headers: dict[str, str], timeout: float = 30) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=body.encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")[:500]


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields follow the last ")".
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, queue = [], [root]
    while queue:
        pid = queue.pop()
        tree.append(pid)
        queue.extend(children.get(pid, []))
    return tree


def rss_bytes(root: int) -> int:
    total = 0
    for pid in process_tree(root):
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


TICKS = os.sysconf("SC_CLK_TCK")


def _machine_ticks() -> tuple[int, int]:
    """(all, busy) CPU ticks of the machine since boot."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return sum(fields), sum(fields) - fields[3] - fields[4]


def _tree_ticks(root: int) -> int:
    total = 0
    for pid in process_tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def cpu_use(roots: Sequence[int], interval: float) -> tuple[float, float]:
    """Over `interval` s: (CPUs used by the process trees of `roots`, 1.0 being one core;
    share of the machine's CPUs busy with everything else, 0 to 1)."""
    all_before, busy_before = _machine_ticks()
    trees_before = sum(_tree_ticks(root) for root in roots)
    time.sleep(interval)
    all_after, busy_after = _machine_ticks()
    trees = sum(_tree_ticks(root) for root in roots) - trees_before
    cpus = os.cpu_count() or 1
    elapsed = max(all_after - all_before, 1)
    others = max(busy_after - busy_before - trees, 0) / elapsed
    return trees / (elapsed / cpus), others


def settle(
    servers: Sequence[Server], limit: float = 60, others_below: float = 1.0, patience: float = 0
) -> float:
    """Wait until the servers are idle (a load run leaves requests in flight), then up to
    `patience` s more until other processes keep less than `others_below` of the CPUs
    busy; the share they keep busy."""
    roots = [server.process.pid for server in servers if server.process is not None]
    deadline = time.monotonic() + limit
    while True:
        used, others = cpu_use(roots, 0.5)
        if used < 0.05 or time.monotonic() > deadline:
            break
    deadline = time.monotonic() + patience
    while others >= others_below and time.monotonic() < deadline:
        others = cpu_use(roots, 1.0)[1]
    return others


class PeakMemory:
    """Samples the RSS of a process tree in the background; `peak` is the largest seen."""

    def __init__(self, root: int, every: float = 0.2) -> None:
        self.root, self.every, self.peak = root, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.root))
            self._stop.wait(self.every)


@dataclass
class Server:
    """A server process (and its workers) in its own process group, logging to a file."""

    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    log: Path
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready: Callable[[], bool], timeout: float = 90) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env={**os.environ, **self.env},
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited on start; see {self.log}")
            try:
                if ready():
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.name} was not ready within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # The whole group we started: the server and the workers it forked.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # workers outliving their supervisor
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
        os.killpg(self.process.pid, signal.SIGKILL)

    def peak_memory(self) -> PeakMemory:
        assert self.process is not None
        return PeakMemory(self.process.pid)
