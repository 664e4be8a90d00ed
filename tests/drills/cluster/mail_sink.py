"""The drill's mail server: a real SMTP server on the mail host that writes down every message
it accepts (one JSON line per recipient in received.jsonl), for the driver to count.

While the file `hold` in its folder names an address, each message from that address waits
before it is accepted (a line in held.jsonl says so) and is refused once `hold` is gone, so the
driver can kill a worker host while both of its processes are in the middle of a send, as the
fault drill does with one worker (tests/drills/test_worker_killed.py).

Run as `python -m tests.drills.cluster.mail_sink FOLDER ADDRESS PORT` on the mail host.
"""

from __future__ import annotations

import asyncio
import email
import json
import logging
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

# Each send takes a little time, as a real mail server's does, so a batch is still going when
# the driver kills a worker host.
ACCEPT_DELAY_S = 0.03
HOLD_LIMIT_S = 120.0


class Sink:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.received = (folder / "received.jsonl").open("a", buffering=1)
        self.held = (folder / "held.jsonl").open("a", buffering=1)
        self.hold_file = folder / "hold"

    def held_address(self) -> str:
        try:
            return self.hold_file.read_text().strip()
        except FileNotFoundError:
            return ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(ACCEPT_DELAY_S)
        peer = str(session.peer[0])
        if peer == self.held_address():
            self.held.write(json.dumps({"peer": peer, "at": time.time()}) + "\n")
            deadline = time.monotonic() + HOLD_LIMIT_S
            while self.held_address() == peer and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            return "451 4.3.0 Sender went away"
        parsed = email.message_from_bytes(envelope.content)
        for to in envelope.rcpt_tos:
            line = {"to": to, "subject": str(parsed["Subject"]), "peer": peer, "at": time.time()}
            self.received.write(json.dumps(line) + "\n")
        return "250 Message accepted"


def main() -> int:
    folder, address, port = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    controller = Controller(Sink(folder), hostname=address, port=port)
    controller.start()
    (folder / "ready").write_text("ready\n")
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
