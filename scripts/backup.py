#!/usr/bin/env python3
"""Backups of the database and the uploaded media: `make backup` and `make restore BACKUP=<folder>`.

    python scripts/backup.py backup              -> var/backups/ocop-<engine>-<UTC time>/
    python scripts/backup.py restore <folder>    -> the configured database and MEDIA_ROOT, replaced
    python scripts/backup.py list

PostgreSQL: `pg_dump --format=custom` (a consistent snapshot while the site runs), restored with
`pg_restore --clean --if-exists --single-transaction` (all or nothing). SQLite: a consistent copy
through sqlite3's online backup API, safe while the site writes; restored the same way. Media: a
tar.gz of MEDIA_ROOT, restored into a fresh folder that then takes MEDIA_ROOT's place.

The database and folders are read from the same environment variables as settings.py (DATABASE_URL,
unset meaning var/db.sqlite3; MEDIA_ROOT, default var/media) plus BACKUP_DIR (default var/backups).
This script does not load Django: a backup must work even when the site itself cannot start.
"""

import argparse
import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DB_FILE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
MEDIA_FILE = "media.tar.gz"
MANIFEST = "manifest.json"


def database_config():
    url = env.str("DATABASE_URL", default="")
    if not url:
        return {"engine": "sqlite", "NAME": str(BASE_DIR / "var" / "db.sqlite3")}
    config = env.db_url_config(url)
    if config["ENGINE"].endswith(("postgresql", "postgis")):
        return {"engine": "postgresql", **config}
    if config["ENGINE"].endswith("sqlite3"):
        return {"engine": "sqlite", **config}
    raise SystemExit(f"backup: unsupported database engine {config['ENGINE']}")


def media_root():
    return Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))


def backup_dir():
    return Path(env.str("BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))


def pg_env(config):
    """libpq environment variables: no password on any command line (`ps` would show it)."""
    pg = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if config.get(key):
            pg[var] = str(config[key])
    pg["PGDATABASE"] = config["NAME"]
    return pg


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sqlite_copy(source, target):
    """A consistent page-by-page copy, even while another process is writing to `source`."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def backup():
    config = database_config()
    engine = config["engine"]
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = backup_dir() / f"ocop-{engine}-{stamp}"
    work = backup_dir() / f".partial-{final.name}"
    work.mkdir(parents=True)
    try:
        db_path = work / DB_FILE[engine]
        if engine == "postgresql":
            subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(db_path)],
                env=pg_env(config),
                check=True,
            )
        else:
            if not Path(config["NAME"]).is_file():
                raise SystemExit(f"backup: no SQLite database at {config['NAME']}")
            sqlite_copy(config["NAME"], db_path)

        media = media_root()
        media_files = 0
        with tarfile.open(work / MEDIA_FILE, "w:gz") as tar:
            if media.is_dir():
                for path in sorted(media.rglob("*")):
                    if path.is_file() and not path.is_symlink():
                        tar.add(path, arcname=str(path.relative_to(media)), recursive=False)
                        media_files += 1

        manifest = {
            "created": datetime.datetime.now(datetime.UTC).isoformat(),
            "engine": engine,
            "database": Path(config["NAME"]).name if engine == "sqlite" else config["NAME"],
            "media_files": media_files,
            "sha256": {name: sha256(work / name) for name in (DB_FILE[engine], MEDIA_FILE)},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        work.rename(final)  # a folder without the ".partial-" prefix is always complete
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    print(f"backup: {final} ({engine}, {media_files} media files)")
    return final


def restore(folder):
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    config = database_config()
    engine = config["engine"]
    if manifest["engine"] != engine:
        raise SystemExit(f"restore: the backup is {manifest['engine']}, the configured database is {engine}")
    for name, expected in manifest["sha256"].items():
        if sha256(folder / name) != expected:
            raise SystemExit(f"restore: {folder / name} is damaged (checksum differs); nothing was changed")

    # The media archive is unpacked (and so checked) before the database is touched: a bad archive
    # leaves everything as it was.
    fresh_media = _unpack_media(folder / MEDIA_FILE, media_root())
    try:
        db_path = folder / DB_FILE[engine]
        if engine == "postgresql":
            subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    "--dbname",
                    config["NAME"],
                    str(db_path),
                ],
                env=pg_env(config),
                check=True,
            )
        else:
            target = Path(config["NAME"])
            target.parent.mkdir(parents=True, exist_ok=True)
            sqlite_copy(db_path, target)
    except BaseException:
        shutil.rmtree(fresh_media, ignore_errors=True)
        raise
    _swap_in(fresh_media, media_root())
    print(f"restore: {folder} -> {engine} database {config['NAME']} and {media_root()}")
    # Pages cached before the restore show the data it replaced: a new catalogue version makes them stale.
    invalidated = subprocess.run([sys.executable, "manage.py", "invalidate_cache"], cwd=BASE_DIR, check=False)
    if invalidated.returncode:
        print("restore: WARNING: the page cache could not be invalidated; run `manage.py invalidate_cache`")


def _unpack_media(archive, media):
    media.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{media.name}-restoring-", dir=media.parent))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(fresh, filter="data")  # refuses absolute paths, "..", devices and links out
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    fresh.chmod(0o755)
    return fresh


def _swap_in(fresh, media):
    old = media.with_name(f".{media.name}-replaced")
    shutil.rmtree(old, ignore_errors=True)
    if media.exists():
        media.rename(old)
    fresh.rename(media)
    shutil.rmtree(old, ignore_errors=True)


def list_backups():
    folder = backup_dir()
    found = sorted(p for p in folder.glob("ocop-*") if (p / MANIFEST).is_file()) if folder.is_dir() else []
    for path in found:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        print(f"{path}  {manifest['engine']}  {manifest['media_files']} media files  {manifest['created']}")
    if not found:
        print(f"no backups in {folder}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("backup", help="back up the database and the media")
    restore_parser = sub.add_parser("restore", help="replace the database and the media with a backup")
    restore_parser.add_argument("folder", help="a folder made by `backup`, e.g. var/backups/ocop-sqlite-…")
    sub.add_parser("list", help="list the backups")
    args = parser.parse_args(argv)
    if args.command == "backup":
        backup()
    elif args.command == "restore":
        restore(args.folder)
    else:
        list_backups()


if __name__ == "__main__":
    sys.exit(main())
