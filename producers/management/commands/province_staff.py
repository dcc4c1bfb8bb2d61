"""Create or update a provincial staff account: the provinces it looks after, and nothing else it may see.

`python manage.py province_staff USERNAME --province SLUG [--province SLUG …] [--email E]`
The account is marked staff, put in the "Provincial staff" group (whose permissions a migration sets)
and assigned exactly the given provinces. A password is set only from an environment variable
(`--password-from-env VAR`), so that it never appears in the shell history or in the output.
"""

import os

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from core.admin.scoping import PROVINCIAL_STAFF_GROUP
from producers.models import Province, StaffProvince


class Command(BaseCommand):
    help = "Create or update a provincial staff account and the provinces it looks after."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--province",
            dest="provinces",
            action="append",
            required=True,
            metavar="SLUG",
            help="A current province's slug (e.g. son-la); repeat for several. Replaces the account's provinces.",
        )
        parser.add_argument("--email", help="The account's e-mail address (expiry reports are sent there).")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="Set the password from this environment variable (never typed on the command line).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check everything, then change nothing.")

    def handle(self, *args, username, provinces, email, password_from_env, dry_run, verbosity, **options):
        username = username.strip()
        if not username:
            raise CommandError("The user name is empty.")
        wanted = self.provinces(provinces)
        if email:
            self.check_email(email)
        password = self.password_from(password_from_env) if password_from_env else None
        group = self.staff_group()

        with transaction.atomic():
            user, created = get_user_model().objects.get_or_create(username=username)
            self.set_password(user, password, created)
            if email:
                user.email = email
            user.is_staff = True
            user.is_active = True
            user.save()
            user.groups.add(group)
            before = set(user.province_assignments.values_list("province__slug", flat=True))
            user.province_assignments.exclude(province__in=wanted).delete()
            for province in wanted:
                StaffProvince.objects.get_or_create(user=user, province=province)
            if dry_run:
                transaction.set_rollback(True)

        if verbosity:
            self.report(username, wanted, before, created=created, dry_run=dry_run, password_set=password is not None)

    @staticmethod
    def check_email(email):
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"Not an e-mail address: {email}") from exc

    @staticmethod
    def password_from(variable):
        password = os.environ.get(variable)
        if not password:
            raise CommandError(f"The environment variable {variable} is not set or empty.")
        return password

    @staticmethod
    def staff_group():
        try:
            return Group.objects.get(name=PROVINCIAL_STAFF_GROUP)
        except Group.DoesNotExist as exc:
            raise CommandError(f'The "{PROVINCIAL_STAFF_GROUP}" group is missing: run `manage.py migrate`.') from exc

    @staticmethod
    def set_password(user, password, created):
        """The password from the environment, checked by the validators; none (unusable) for a new account."""
        if password is not None:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                raise CommandError("The password is too weak: " + " ".join(exc.messages)) from exc
            user.set_password(password)
        elif created:
            user.set_unusable_password()

    def report(self, username, wanted, before, *, created, dry_run, password_set):
        after = sorted(p.slug for p in wanted)
        verb = ("Would create" if created else "Would update") if dry_run else ("Created" if created else "Updated")
        self.stdout.write(self.style.SUCCESS(f"{verb} staff account {username!r}: provinces {', '.join(after)}."))
        removed = sorted(before - set(after))
        if removed and not created:
            self.stdout.write(f"No longer assigned to: {', '.join(removed)}.")
        if password_set:
            self.stdout.write("Password set from the environment.")
        elif created:
            self.stdout.write(
                "No password yet (the account cannot log in). Set one with:\n"
                f"  python manage.py changepassword {username}"
            )

    def provinces(self, slugs):
        found = {p.slug: p for p in Province.objects.filter(slug__in=slugs).select_related("merged_into")}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise CommandError(f"Unknown province slug(s): {', '.join(unknown)} (see /provinces/ for the slugs).")
        former = [p for p in found.values() if not p.is_current]
        if former:
            hints = ", ".join(f"{p.slug} → {p.merged_into.slug}" for p in former)
            raise CommandError(f"Former province(s) merged on 1 July 2025; assign the current unit instead: {hints}.")
        return list(found.values())
