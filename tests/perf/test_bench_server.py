"""scripts/bench.py's gunicorn: its log goes to a file, not to a pipe nobody reads during a run (once full,
the workers would block writing to it), and a server that cannot start says why from that file."""

import os
import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import bench  # scripts/ is not a package: imported from the folder added above


def test_a_server_that_cannot_bind_its_port_says_why():
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as stopped:
            bench.start_server(dict(os.environ), port, 1)
    message = str(stopped.value)
    assert message.startswith("gunicorn did not start:")
    assert "in use" in message.lower() or "address" in message.lower(), message
