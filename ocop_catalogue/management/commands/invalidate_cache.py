"""Make every cached page and fragment stale at once: a new catalogue version (core/cache.py).

Run by `make restore` after the database comes back from a backup, whose data the pages cached since
do not show; safe at any time (the next visitors rebuild what they ask for).
"""

from django.core.management.base import BaseCommand

from core.cache import VERSION_KEY, _cache, bump_version


class Command(BaseCommand):
    help = "Invalidate the catalogue's page and fragment cache (a new catalogue version)."

    def handle(self, *args, **options):
        try:
            before = _cache().get(VERSION_KEY)
            bump_version()
            after = _cache().get(VERSION_KEY)
        except Exception:  # noqa: BLE001 - any cache failure means the same to the operator
            before = after = None
        if after is None or after == before:
            self.stderr.write(self.style.ERROR("The catalogue cache could not be reached; pages may be stale."))
            raise SystemExit(1)
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("Catalogue cache invalidated (new version)."))
