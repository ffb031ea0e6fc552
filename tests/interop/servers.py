"""The real tools' servers for the interop tests: started on 127.0.0.1, stopped by PID, bounded.

Each tool lives in its own virtualenv (scripts/interop-install.sh, cached by a stamp). A server is
started in its own process group with a private data folder and stopped by that PID: SIGTERM,
then SIGKILL after a few seconds. Nothing here ever stops a process it did not start.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("ANNOTATOR_INTEROP_CACHE", Path.home() / ".cache" / "annotator-interop"))
START_TIMEOUT = float(os.environ.get("ANNOTATOR_INTEROP_START_TIMEOUT", "180"))


def venv(tool: str) -> Path | None:
    """The tool's virtualenv, installing it (once per pin-file version) if needed; None if it
    cannot be installed here (the tests then skip, saying why)."""
    done = subprocess.run(["bash", str(ROOT / "scripts" / "interop-install.sh"), tool],
                          capture_output=True, text=True, timeout=1800)
    path = CACHE / tool
    if done.returncode != 0 or not (path / "bin" / "python").exists():
        return None
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A child server process; ``stop()`` ends it (and only it, with its group) by PID."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path, url: str,
                 ready_path: str | None, ready_log: str | None = None) -> None:
        """Ready when ``url + ready_path`` answers, or (a worker) when ``ready_log`` is logged."""
        self.url = url
        self.log = log
        self._fh = open(log, "wb")
        self.proc = subprocess.Popen(argv, env={**os.environ, **env}, stdout=self._fh,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                self._fh.close()
                raise RuntimeError(f"server exited with {self.proc.returncode}; log: {log}\n"
                                   + log.read_text(errors="replace")[-2000:])
            if ready_log is not None:
                if ready_log in log.read_text(errors="replace"):
                    return
            else:
                try:
                    with urllib.request.urlopen(url + str(ready_path), timeout=5) as r:
                        if r.status < 500:
                            return
                except (urllib.error.URLError, OSError):
                    pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server not ready after {START_TIMEOUT:.0f} s; log: {log}")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the group we created: the server's own
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self._fh.close()


class Api:
    """A JSON HTTP client with one auth header (urllib: nothing to install)."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url = url
        self.headers = headers

    def download(self, path: str) -> bytes:
        req = urllib.request.Request(self.url + path, headers=self.headers)
        with urllib.request.urlopen(req, timeout=120) as r:
            return bytes(r.read())

    def call(self, method: str, path: str, body: Any = None, raw: bytes | None = None,
             content_type: str = "application/json") -> Any:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={**self.headers, "Content-Type": content_type})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                payload = r.read()
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{method} {path}: HTTP {exc.code}: "
                                 f"{exc.read().decode(errors='replace')[:800]}") from None
        ctype = r.headers.get("Content-Type", "")
        return json.loads(payload) if "json" in ctype and payload else payload
