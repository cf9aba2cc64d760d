"""Run the explorer as ``streamlit run app.py`` for a browser: tests and benchmarks.

:func:`serve` starts the server on a free port, waits until it answers and stops it
afterwards. Browsers are Debian's Chromium (never one downloaded by Playwright),
launched with :data:`CHROMIUM_ARGS`, which switch off its own background traffic.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run"]


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen, timeout_s: float = 60.0) -> None:
    """Return when Streamlit's health endpoint answers; raise if the server dies or is slow."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout_s:.0f} s")


@contextmanager
def serve(app_dir: Path, env: dict[str, str] | None = None,
          output: list[str] | None = None) -> Iterator[str]:
    """``streamlit run app.py --server.headless true`` in ``app_dir``; yields its URL.

    The server's console output is appended to ``output`` when it stops.
    """
    streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
    port = free_port()
    server = subprocess.Popen(
        [streamlit, "run", "app.py", "--server.headless", "true", "--server.port", str(port)],
        cwd=app_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://localhost:{port}"
    try:
        wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            text, _ = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:  # a solve still running in its thread holds it
            server.kill()
            text, _ = server.communicate()
        if output is not None:
            output.append(text)
