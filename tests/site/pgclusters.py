"""Throwaway PostgreSQL clusters of a test's own: a primary and a streaming standby on spare ports.

Made with the server binaries (`initdb`, `pg_ctl`, `pg_basebackup -R`) in a temporary folder, never with
the machine's main cluster or its configuration under /etc/postgresql: `stop_all()` leaves nothing
behind. PostgreSQL refuses to run as root, so under root (CI) the commands run as the `postgres` user.
"""

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2

START_TIMEOUT = 30


def server_bindir():
    """The folder of the newest installed PostgreSQL server binaries, or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


class Clusters:
    def __init__(self, bindir, *, primary_port, standby_port):
        self.bindir = Path(bindir)
        self.primary_port = primary_port
        self.standby_port = standby_port
        self.as_root = os.geteuid() == 0
        self._reap_leftovers()
        self.root = Path(tempfile.mkdtemp(prefix="ocop-replica-"))
        self.primary_dir = self.root / "primary"
        self.standby_dir = self.root / "standby"
        self.started = []
        if self.as_root:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)

    def _run(self, *command, check=True):
        command = [str(self.bindir / command[0]), *map(str, command[1:])]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def _start(self, data_dir, port):
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {self.root}"
        self._run(
            "pg_ctl",
            "-D",
            data_dir,
            "-l",
            data_dir.with_suffix(".log"),
            "-o",
            options,
            "-w",
            "-t",
            START_TIMEOUT,
            "start",
        )
        self.started.append(data_dir)

    def create_primary(self):
        self._run("initdb", "-D", self.primary_dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        with open(self.primary_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            # A throwaway cluster: speed over durability.
            conf.write("\nfsync = off\nfull_page_writes = off\nwal_level = replica\n")
        self._start(self.primary_dir, self.primary_port)

    def create_standby(self, extra_conf=""):
        """A streaming standby of the primary: a base backup that writes its own recovery settings (-R)."""
        self._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", self.primary_port, "-U", "postgres",
            "-D", self.standby_dir, "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip
        with open(self.standby_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"\n{extra_conf}\n")
        self._start(self.standby_dir, self.standby_port)

    def stop_standby(self):
        self._run("pg_ctl", "-D", self.standby_dir, "-m", "fast", "-w", "stop")
        self.started.remove(self.standby_dir)

    def ensure_standby(self):
        """Starts the standby again if a test stopped it."""
        if self.standby_dir not in self.started:
            self._start(self.standby_dir, self.standby_port)

    def _reap_leftovers(self):
        """Clusters on our ports left by a run that was killed before its clean-up."""
        ports = {str(self.primary_port), str(self.standby_port)}
        for pid_file in glob.glob(os.path.join(tempfile.gettempdir(), "ocop-replica-*", "*", "postmaster.pid")):
            lines = Path(pid_file).read_text(errors="replace").splitlines()
            if len(lines) > 3 and lines[3].strip() in ports:
                data_dir = Path(pid_file).parent
                if self._run("pg_ctl", "-D", data_dir, "-m", "immediate", "-w", "stop", check=False).returncode:
                    _kill_postmaster(data_dir)
                shutil.rmtree(data_dir.parent, ignore_errors=True)

    def stop_all(self):
        for data_dir in reversed(self.started):
            result = self._run("pg_ctl", "-D", data_dir, "-m", "immediate", "-w", "stop", check=False)
            if result.returncode != 0:
                _kill_postmaster(data_dir)
        self.started.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self, which):
        path = (self.primary_dir if which == "primary" else self.standby_dir).with_suffix(".log")
        return path.read_text(errors="replace") if path.exists() else ""

    def connect(self, port, dbname="postgres"):
        connection = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname=dbname)
        connection.autocommit = True
        return connection


def _kill_postmaster(data_dir):
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((data_dir / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)


def query(connection, sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def wait_until(predicate, seconds=30, what="condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def wait_for_replay(primary, standby):
    """Until the standby has replayed everything the primary has written so far."""
    (lsn,) = query(primary, "SELECT pg_current_wal_insert_lsn()::text")[0]
    wait_until(
        lambda: query(standby, "SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn()) <= 0", [lsn])[0][0],
        what="the standby to replay the primary's writes",
    )
