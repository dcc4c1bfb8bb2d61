"""`make restore` leaves no page cached with the data it replaced: it bumps the catalogue version, in the
shared Redis (CACHE_URL) as in the database cache table."""

import os
import subprocess
import sys

import redis

from tests.site.test_backup import backup, restore, run, script_env
from tests.workers import worker_index

VERSION_KEY = "ocop:1:catalogue:version"  # core.cache.VERSION_KEY under the catalogue cache's prefix


def _version(env):
    code = "from core.cache import current_version; print(current_version())"
    return run([sys.executable, "manage.py", "shell", "-c", code], env).stdout.split()[-1]


def test_a_restore_invalidates_the_page_cache_in_redis(tmp_path):
    database = 12 + worker_index() % 4
    live_db = tmp_path / "db.sqlite3"
    env = script_env(f"sqlite:///{live_db}", tmp_path / "media", tmp_path / "backups")
    env["CACHE_URL"] = f"redis://127.0.0.1:6379/{database}"
    redis.Redis(db=database).delete(VERSION_KEY)
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    folder = backup(env)
    before = _version(env)
    restore(folder, env)
    assert _version(env) != before


def test_a_restore_invalidates_the_database_cache_table(tmp_path):
    live_db = tmp_path / "db.sqlite3"
    env = script_env(f"sqlite:///{live_db}", tmp_path / "media", tmp_path / "backups")
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    at_backup = _version(env)
    folder = backup(env)
    restore(folder, env)
    assert _version(env) != at_backup, "the restored table's version would serve the pages cached before"


def test_the_command_says_when_it_cannot_reach_the_cache(tmp_path):
    env = script_env(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "media", tmp_path / "backups")
    env["CACHE_URL"] = "redis://127.0.0.1:1/12"
    result = subprocess.run(
        [sys.executable, "manage.py", "invalidate_cache"],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "could not be reached" in result.stderr
