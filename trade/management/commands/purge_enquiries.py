"""Delete buyers' trade enquiries older than a number of days.

An enquiry holds a buyer's personal data, and the enquiry form promises to keep it no longer than the
retention period (trade.enquiries.RETENTION_DAYS, 365 days unless OCOP_ENQUIRY_RETENTION_DAYS says
otherwise). Run `python manage.py purge_enquiries --older-than 365` daily from cron; `--dry-run` counts only.
"""

from django.core.management.base import BaseCommand, CommandError

from ...enquiries import RETENTION_DAYS, purge


class Command(BaseCommand):
    help = "Delete trade enquiries sent more than DAYS days ago (default: the retention period)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            dest="days",
            type=int,
            default=RETENTION_DAYS,
            metavar="DAYS",
            help=f"Delete enquiries sent more than DAYS days ago (default {RETENTION_DAYS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args, days, dry_run, verbosity, **options):
        if days < 0:
            raise CommandError("--older-than must be 0 or more days.")
        count = purge(days, dry_run=dry_run)
        if verbosity:
            verb = "Would delete" if dry_run else "Deleted"
            self.stdout.write(self.style.SUCCESS(f"{verb} {count} enquiry(ies) older than {days} day(s)."))
