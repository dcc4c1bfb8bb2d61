"""`make backup` / `make restore` (scripts/backup.py) round trips that compare every row of every table
and every media file: SQLite through its backup API, PostgreSQL through pg_dump/pg_restore into a
scratch database."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from PIL import Image

from tests import factories

BASE_DIR = Path(__file__).resolve().parents[2]


def script_env(database_url, media_root, backup_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        BACKUP_DIR=str(backup_dir),
        DJANGO_DEBUG="1",  # for manage.py; the backup script itself does not load Django
    )
    return env


def run(args, env, check=True):
    result = subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def backup(env):
    out = run([sys.executable, "scripts/backup.py", "backup"], env).stdout
    folder = Path(out.split()[1])
    assert folder.is_dir()
    assert folder.parent == Path(env["BACKUP_DIR"])
    return folder


def restore(folder, env, check=True):
    return run([sys.executable, "scripts/backup.py", "restore", str(folder)], env, check=check)


def jpeg_bytes(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def make_media(root):
    files = {
        "products/2025/che-shan-tuyet.jpg": jpeg_bytes((40, 120, 60)),
        "logos/htx-mộc-châu.jpg": jpeg_bytes((200, 160, 20)),
        "certificates/quyết định 1032.pdf": b"%PDF-1.4\n% scan of a rating decision\n",
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def media_snapshot(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def sqlite_rows(path):
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        # The page cache's table is not data: the restore invalidates it (a new catalogue version).
        tables = [table for table in tables if table != "catalogue_cache"]
        return {table: db.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall() for table in tables}  # noqa: S608
    finally:
        db.close()


def test_sqlite_round_trip_restores_every_row_and_file(tmp_path):
    live_db = tmp_path / "live" / "db.sqlite3"
    live_db.parent.mkdir()
    env = script_env(f"sqlite:///{live_db}", tmp_path / "media", tmp_path / "backups")
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([sys.executable, "manage.py", "load_demo"], env)
    make_media(tmp_path / "media")

    folder = backup(env)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["engine"] == "sqlite"
    assert manifest["media_files"] == 3
    rows = sqlite_rows(live_db)
    assert len(rows["products_product"]) > 10
    assert len(rows["producers_province"]) == 63
    files = media_snapshot(tmp_path / "media")

    # Damage the live site after the backup: rows changed and deleted, files lost and added.
    db = sqlite3.connect(live_db)
    db.execute("UPDATE products_product SET name = 'hỏng'")
    db.execute("DELETE FROM django_migrations WHERE app = 'products'")
    db.commit()
    db.close()
    (tmp_path / "media" / "products/2025/che-shan-tuyet.jpg").unlink()
    (tmp_path / "media" / "stray.txt").write_text("not in the backup")

    restore(folder, env)
    assert sqlite_rows(live_db) == rows
    assert media_snapshot(tmp_path / "media") == files

    # And onto a new machine: an empty place, then Django reads the restored database.
    new_db = tmp_path / "new-host" / "db.sqlite3"
    new_env = script_env(f"sqlite:///{new_db}", tmp_path / "new-media", tmp_path / "backups")
    restore(folder, new_env)
    assert sqlite_rows(new_db) == rows
    assert media_snapshot(tmp_path / "new-media") == files
    count = run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from products.models import Product; print(Product.objects.count())",
        ],
        new_env,
    ).stdout.splitlines()[-1]
    assert int(count) == len(rows["products_product"])


def test_a_damaged_or_hostile_backup_changes_nothing(tmp_path):
    live_db = tmp_path / "db.sqlite3"
    env = script_env(f"sqlite:///{live_db}", tmp_path / "media", tmp_path / "backups")
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    make_media(tmp_path / "media")
    folder = backup(env)
    rows = sqlite_rows(live_db)
    files = media_snapshot(tmp_path / "media")
    sqlite3.connect(live_db).execute("DELETE FROM producers_province WHERE is_current = 0").connection.commit()
    changed_rows = sqlite_rows(live_db)
    assert changed_rows != rows

    # A flipped byte in the database copy: refused by the checksum.
    data = bytearray((folder / "database.sqlite3").read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for name in ("manifest.json", "media.tar.gz"):
        (damaged / name).write_bytes((folder / name).read_bytes())
    (damaged / "database.sqlite3").write_bytes(bytes(data))
    result = restore(damaged, env, check=False)
    assert result.returncode != 0
    assert "damaged" in result.stderr

    # A media archive that climbs out of MEDIA_ROOT, with a matching checksum: refused before the database.
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    (hostile / "database.sqlite3").write_bytes((folder / "database.sqlite3").read_bytes())
    with tarfile.open(hostile / "media.tar.gz", "w:gz") as tar:
        info = tarfile.TarInfo("../../escaped.txt")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["sha256"]["media.tar.gz"] = hashlib.sha256((hostile / "media.tar.gz").read_bytes()).hexdigest()
    (hostile / "manifest.json").write_text(json.dumps(manifest))
    result = restore(hostile, env, check=False)
    assert result.returncode != 0
    assert not list(tmp_path.rglob("escaped.txt"))

    assert sqlite_rows(live_db) == changed_rows
    assert media_snapshot(tmp_path / "media") == files


def pg_rows(dsn):
    with psycopg2.connect(**dsn) as db, db.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        tables = [r[0] for r in cur.fetchall() if r[0] != "catalogue_cache"]
        rows = {}
        for table in tables:
            cur.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608 - names from the catalogue
            rows[table] = cur.fetchall()
        cur.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")
        rows["<sequences>"] = cur.fetchall()
        cur.execute("SELECT extname FROM pg_extension ORDER BY 1")
        rows["<extensions>"] = cur.fetchall()
    db.close()
    return rows


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_round_trip_restores_every_row_and_file(tmp_path, settings):
    if not settings.USING_POSTGRES:
        pytest.skip("pg_dump/pg_restore need PostgreSQL: CI's PostgreSQL pass runs this test")
    call_command("load_demo", verbosity=0)
    factories.rated_product(stars=4, name="Mật ong bạc hà Mèo Vạc")
    source = connection.settings_dict
    dsn = {"host": source["HOST"] or "127.0.0.1", "port": source["PORT"] or 5432, "user": source["USER"]}
    if source["PASSWORD"]:
        dsn["password"] = source["PASSWORD"]
    auth = source["USER"] + (f":{source['PASSWORD']}" if source["PASSWORD"] else "")
    server = f"postgres://{auth}@{dsn['host']}:{dsn['port']}"
    make_media(tmp_path / "media")

    env = script_env(f"{server}/{source['NAME']}", tmp_path / "media", tmp_path / "backups")
    folder = backup(env)
    assert json.loads((folder / "manifest.json").read_text())["engine"] == "postgresql"

    # The scratch database is named after the configured one: ocop_prod -> ocop_prod_restore.
    scratch = source["NAME"].removeprefix("test_") + "_restore"
    admin = psycopg2.connect(dbname="postgres", **dsn)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            cur.execute(f'CREATE DATABASE "{scratch}"')
        restored_env = script_env(f"{server}/{scratch}", tmp_path / "restored-media", tmp_path / "backups")
        restore(folder, restored_env)
        original = pg_rows({**dsn, "dbname": source["NAME"]})
        restored = pg_rows({**dsn, "dbname": scratch})
        assert len(original["products_product"]) > 20
        assert ("pg_trgm",) in original["<extensions>"]
        assert restored.keys() == original.keys()
        for table in original:
            assert restored[table] == original[table], table
        assert media_snapshot(tmp_path / "restored-media") == media_snapshot(tmp_path / "media")

        # Restoring over a database that has changed since brings it back to the backup.
        with psycopg2.connect(dbname=scratch, **dsn) as db, db.cursor() as cur:
            cur.execute("UPDATE products_product SET name = 'hỏng'")
            cur.execute("DELETE FROM certifications_certifiedproduct")
        db.close()
        restore(folder, restored_env)
        assert pg_rows({**dsn, "dbname": scratch}) == original
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.close()
