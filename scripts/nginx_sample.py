"""deploy/nginx.conf.sample run for real on this machine, by the tests and by `make bench --long-tail`.

The sample is used as it is, with only what a local run must change: plain HTTP on 127.0.0.1:`port`
instead of TLS on 443 (or, with `tls=(certificate, key)`, TLS and HTTP/2 on that port with a local
certificate: scripts/lighthouse.sh); the port-80 redirect server left out; the app upstream on
127.0.0.1:`upstream_port`; the cache, media and log paths under `workdir`. Everything else (the
micro-cache, gzip, the limits, the locations) is the sample's own text.

    python scripts/nginx_sample.py WORKDIR PORT UPSTREAM_PORT [CERT KEY]   # writes WORKDIR/nginx.conf
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "deploy" / "nginx.conf.sample"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def available():
    return Path(NGINX).exists()


def _without_redirect_server(text):
    """The sample minus its `listen 80` server (the HTTPS redirect and the ACME challenge)."""
    start = text.index("server {\n    listen 80;")
    end = text.index("\n}\n", start) + 3
    return text[:start] + text[end:]


def render_sample(port, upstream_port, workdir, sample=SAMPLE, tls=None):
    """The sample's text adapted to a local run (see the module's docstring)."""
    workdir = Path(workdir)
    text = _without_redirect_server(sample.read_text(encoding="utf-8"))
    text = text.replace("server 127.0.0.1:8000 ", f"server 127.0.0.1:{upstream_port} ")
    text = text.replace("    listen [::]:443 ssl http2;\n", "")
    if tls:
        certificate, key = tls
        text = text.replace("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{port} ssl http2;\n")
        text = re.sub(r"ssl_certificate\s+[^;]*;", f"ssl_certificate {certificate};", text)
        text = re.sub(r"ssl_certificate_key\s+[^;]*;", f"ssl_certificate_key {key};", text)
    else:
        text = text.replace("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{port};\n")
        text = re.sub(r"^\s*ssl_\w+ [^;]*;\n", "", text, flags=re.MULTILINE)
    replacements = {
        "/var/cache/nginx/ocop": workdir / "cache",
        "/var/log/nginx/ocop.access.log": workdir / "access.log",
        "/srv/ocop/media/": f"{workdir / 'media'}/",
    }
    for old, new in replacements.items():
        assert old in text, f"{old} is no longer in the sample: update scripts/nginx_sample.py"
        text = text.replace(old, str(new))
    return text


def write_config(port, upstream_port, workdir, sample=SAMPLE, tls=None):
    """A whole nginx.conf (main, events, http with the adapted sample) in `workdir`; returns its path."""
    workdir = Path(workdir)
    (workdir / "media").mkdir(parents=True, exist_ok=True)
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temp = "\n".join(f"    {kind}_temp_path {workdir / ('temp-' + kind)};" for kind in kinds)
    # As root, nginx's workers would run as "nobody", who cannot enter pytest's private temporary folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    config = (
        f"{user}daemon off;\nworker_processes 1;\npid {workdir / 'nginx.pid'};\n"
        f"error_log {workdir / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"{temp}\n"
        f"{render_sample(port, upstream_port, workdir, sample, tls)}\n}}\n"
    )
    path = workdir / "nginx.conf"
    path.write_text(config, encoding="utf-8")
    return path


class Nginx:
    """nginx in the foreground with the adapted sample, in a process group of its own."""

    def __init__(self, port, upstream_port, workdir, sample=SAMPLE, tls=None):
        self.port = port
        self.workdir = Path(workdir)
        self.config = write_config(port, upstream_port, workdir, sample, tls)
        self.process = None

    @property
    def access_log(self):
        return self.workdir / "access.log"

    def _command(self, *extra):
        return [NGINX, "-p", str(self.workdir), "-c", str(self.config), "-e", str(self.workdir / "error.log"), *extra]

    def check(self):
        """`nginx -t` on the configuration: (exit code, what nginx said)."""
        done = subprocess.run(self._command("-t"), capture_output=True, text=True, timeout=30)
        return done.returncode, done.stderr

    def start(self, seconds=20):
        code, said = self.check()
        if code:
            raise RuntimeError(f"nginx -t failed:\n{said}")
        self.process = subprocess.Popen(
            self._command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("nginx exited:\n" + self.process.stderr.read().decode(errors="replace"))
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx did not listen on {self.port}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # fast shutdown of the master and its workers
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


if __name__ == "__main__":
    import sys

    workdir, port, upstream_port, *certificate = sys.argv[1:]
    write_config(int(port), int(upstream_port), workdir, tls=tuple(certificate) or None)
