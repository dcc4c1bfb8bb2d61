"""Tell each province's staff which certificates expire within the next OCOP_EXPIRING_DAYS days (a setting).

`python manage.py expiry_report` prints the report of every province; `--send` mails each province's
report to its staff (the active staff accounts assigned to it, with an e-mail address) through the
configured e-mail backend (the console unless EMAIL_URL says otherwise). Run it daily or weekly from cron.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import translation

from core import validity
from core.admin.scoping import NATIONAL_STAFF_GROUP
from producers.models import Province

from ...services import expiring_by_province, national_heading


class Command(BaseCommand):
    help = (
        f"Report the certificates that expire within {settings.OCOP_EXPIRING_DAYS} days, by province; "
        "--send mails each province's staff."
    )

    def add_arguments(self, parser):
        parser.add_argument("--send", action="store_true", help="Mail each report to the province's staff.")
        parser.add_argument("--province", dest="provinces", action="append", metavar="SLUG", help="Only this province.")

    def handle(self, *args, send, provinces, verbosity, **options):
        day = validity.today()
        chosen = None
        if provinces:
            chosen = list(Province.objects.filter(slug__in=provinces, is_current=True))
            unknown = set(provinces) - {p.slug for p in chosen}
            if unknown:
                raise CommandError(f"Unknown or former province slug(s): {', '.join(sorted(unknown))}.")
        report = expiring_by_province(day, chosen)
        if not report:
            if verbosity:
                self.stdout.write(
                    f"Nothing expires between {day:%d/%m/%Y} and {validity.expiring_horizon(day):%d/%m/%Y}."
                )
            return

        with translation.override(settings.LANGUAGE_CODE):
            messages, unsent = [], []
            for province, certificates in report.items():
                context = {
                    "province": province,
                    # A national decision has no province: its report goes to national staff.
                    "province_name": province.name if province else national_heading(),
                    "certificates": certificates,
                    "day": day,
                    "horizon": validity.expiring_horizon(day),
                    "site_name": settings.SITE_NAME,
                }
                subject = render_to_string("admin/certifications/email/expiry_report_subject.txt", context).strip()
                body = render_to_string("admin/certifications/email/expiry_report.txt", context)
                if not send:
                    self.stdout.write(f"== {subject}\n{body}")
                    continue
                recipients = self.recipients(province)
                if not recipients:
                    unsent.append(province)
                    continue
                messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
            if send:
                sent = get_connection().send_messages(messages) if messages else 0
                if verbosity:
                    self.stdout.write(self.style.SUCCESS(f"Sent {sent} report(s)."))
                for province in unsent:
                    if province is None:
                        self.stderr.write(
                            f"No national staff (group “{NATIONAL_STAFF_GROUP}”) with an e-mail address: the report "
                            "of national decisions was not sent."
                        )
                        continue
                    self.stderr.write(
                        f"No staff with an e-mail address for {province.name}: its report was not sent "
                        f"(assign one with `manage.py province_staff USERNAME --province {province.slug} --email …`)."
                    )

    @staticmethod
    def recipients(province):
        staff = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
        if province is None:  # national decisions: national staff (a filter on None would pick the unassigned)
            users = staff.filter(groups__name=NATIONAL_STAFF_GROUP)
        else:
            users = staff.filter(province_assignments__province=province)
        return sorted(set(users.values_list("email", flat=True)))
