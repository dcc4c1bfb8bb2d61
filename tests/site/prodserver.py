"""Real production servers for tests: `scripts/serve.sh` (migrate, collectstatic, gunicorn) in a child
process with production settings (debug off, hashed static files), talked to over HTTP on 127.0.0.1.
"""

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
START_SECONDS = 90


def production_env(tmp_path, **overrides):
    """The environment of a production host, with its own static and media folders under `tmp_path`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "GUNICORN_"))}
    env.pop("DATABASE_URL", None)
    env.pop("CACHE_URL", None)
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_TESTING="0",
        DJANGO_DEBUG="0",
        GUNICORN_WORKERS="2",
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in overrides.items()})
    return env


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


def http_request(port, method, path, headers=None, body=None):
    """One request to 127.0.0.1:`port` on a connection of its own."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        raw = conn.getresponse()
        return Response(raw.status, raw.headers, raw.read())
    finally:
        conn.close()


@dataclass
class ProdServer:
    port: int
    env: dict
    log_dir: Path
    process: subprocess.Popen | None = field(default=None, init=False)

    @property
    def stdout_path(self):
        return self.log_dir / f"serve-{self.port}.out"

    @property
    def stderr_path(self):
        return self.log_dir / f"serve-{self.port}.err"

    def start(self):
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = {**self.env, "PORT": str(self.port)}
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(
                [str(BASE_DIR / "scripts" / "serve.sh")],
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group: stop() ends gunicorn and its workers
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve.sh exited with {self.process.returncode}:\n{self.stderr_path.read_text()}")
            try:
                self.get("/healthz")
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"no answer on port {self.port}:\n{self.stderr_path.read_text()}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def request(self, method, path, headers=None, body=None):
        return http_request(self.port, method, path, headers, body)

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def stdout_lines(self):
        return self.stdout_path.read_text(encoding="utf-8", errors="replace").splitlines()

    def access_lines(self):
        """The app's own access lines (DJANGO_LOG_JSON=1): one dict per request it answered."""
        lines = []
        for text in self.stdout_lines():
            try:
                entry = json.loads(text)
            except ValueError:
                continue  # migrate's and collectstatic's output
            if isinstance(entry, dict) and entry.get("logger") == "ocop_catalogue.request":
                lines.append(entry)
        return lines


def add_database_alias(alias, config):
    """Registers a database alias at run time (Django reads DATABASES once); returns a remover."""
    from django.db import connections

    connections.settings[alias] = connections.configure_settings({"default": {}, alias: dict(config)})[alias]

    def remove():
        connections[alias].close()
        del connections.settings[alias]
        if hasattr(connections._connections, alias):
            delattr(connections._connections, alias)

    return remove


class TcpSwitch:
    """A TCP relay on 127.0.0.1:`port` to `upstream` that can be switched off and on.

    Off closes the listening port (new connections are refused, as by a stopped server) and cuts every
    open connection (as a server shutting down does); on listens again on the same address.
    """

    def __init__(self, port, upstream):
        self.port = port
        self.upstream = upstream
        self._lock = threading.Lock()
        self._listener = None
        self._sockets = set()

    def on(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def off(self):
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            listener.close()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # switched off
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    server.close()
                    return
                self._sockets.update((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    @staticmethod
    def _pump(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
