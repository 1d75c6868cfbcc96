"""A discarding SMTP sink for benchmarks: aiosmtpd on 127.0.0.1, counting what it accepts.

Run as its own process (so the server's CPU is not the benchmark's)::

    python bench/smtp_sink.py --port 2525 [--control-port 2526]

It accepts every recipient and every message, keeps nothing but a count, and answers on
the control port with one line per request: ``COUNT`` gives the messages accepted so far,
``RESET`` zeroes the count (and gives the count before). On SIGTERM/SIGINT it prints
``accepted N`` to stdout and exits 0.

From another script (``bench/`` is on ``sys.path`` when a script in it runs)::

    from smtp_sink import Sink
    with Sink() as sink:          # starts the process, waits until both ports accept connections
        ... send to 127.0.0.1:sink.port ...
        sink.count()              # messages accepted so far
    # the process is terminated by its own PID on exit
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP


class _Counter:
    """aiosmtpd handler: accept everything, count messages, discard them."""

    def __init__(self) -> None:
        self.accepted = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted += 1
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, control_port: int) -> int:
    loop = asyncio.get_running_loop()
    handler = _Counter()
    # a fixed hostname: aiosmtpd would otherwise call socket.getfqdn() for every connection
    smtp = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.localhost", ident="bench-sink", enable_SMTPUTF8=True),
        host=host,
        port=port,
        reuse_address=True,
    )

    async def control(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := (await reader.readline()).strip().upper():
                before = handler.accepted
                if line == b"RESET":
                    handler.accepted = 0
                elif line != b"COUNT":
                    writer.write(b"ERR unknown command\n")
                    continue
                writer.write(f"{before}\n".encode())
                await writer.drain()
        finally:
            writer.close()

    ctl = await asyncio.start_server(control, host=host, port=control_port, reuse_address=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for server in (smtp, ctl):
        server.close()
    print(f"accepted {handler.accepted}", flush=True)
    return handler.accepted


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_port(port: int, proc: subprocess.Popen[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(
                f"SMTP sink exited with code {proc.returncode} before listening on {port}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"SMTP sink did not listen on 127.0.0.1:{port} within {timeout:.0f}s"
                ) from None
            time.sleep(0.05)


class Sink:
    """The sink as a child process: ``port`` for SMTP, ``count()``/``reset()`` over the control
    port.
    """

    def __init__(self, *, port: int | None = None, control_port: int | None = None) -> None:
        self.port = port or free_port()
        self.control_port = control_port or free_port()
        self.proc: subprocess.Popen[str] | None = None
        self.final: int | None = None

    def start(self, timeout: float = 15.0) -> Sink:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--port",
                str(self.port),
                "--control-port",
                str(self.control_port),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_for_port(self.port, self.proc, timeout)
            _wait_for_port(self.control_port, self.proc, timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _ask(self, command: str) -> int:
        with socket.create_connection(("127.0.0.1", self.control_port), timeout=10) as sock:
            sock.sendall(f"{command}\n".encode())
            with sock.makefile("r") as answer:
                return int(answer.readline())

    def count(self) -> int:
        """Messages the sink accepted so far."""
        return self._ask("COUNT")

    def reset(self) -> int:
        """Zero the count; returns the count before."""
        return self._ask("RESET")

    def stop(self) -> None:
        """Terminate the sink by its own PID and wait for it."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()  # SIGTERM to this one PID
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        for line in (out or "").splitlines():
            if line.startswith("accepted "):
                self.final = int(line.split()[1])

    def __enter__(self) -> Sink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="A discarding, counting aiosmtpd sink for benchmarks."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--control-port",
        type=int,
        default=None,
        help="port for COUNT/RESET requests (default: --port + 1)",
    )
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port, args.control_port or args.port + 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
