"""Write the project's pictures into static/: the category drawings (products/pictures.py) as SVG
files under img/category/, and the site's icons (favicon.ico, web-app PNGs) drawn with Pillow.

Run after changing a drawing; tests/site/test_pictures.py fails while a file is out of date.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from ocop_catalogue.share_images import app_icon
from products.pictures import all_names, svg

STATIC = Path(settings.BASE_DIR) / "static"
ICON_SIZES = (180, 192, 512)


def write_icons(folder):
    folder.mkdir(parents=True, exist_ok=True)
    for size in ICON_SIZES:
        app_icon(size).save(folder / f"icon-{size}.png", optimize=True)
    app_icon(48).save(folder / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


class Command(BaseCommand):
    help = "Write static/img/category/*.svg and the site's icons from the project's drawings."

    def handle(self, *args, **options):
        folder = STATIC / "img" / "category"
        folder.mkdir(parents=True, exist_ok=True)
        for name in all_names():
            (folder / name).write_text(svg(name), encoding="utf-8")
        write_icons(STATIC / "img")
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"{len(all_names())} drawings and the icons written to {STATIC}"))
