from django.urls import path, register_converter

from . import views


class IdConverter:
    """A database id: 1 to 18 digits, so a longer number is a 404 rather than an out-of-range query."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

app_name = "certifications"

urlpatterns = [
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/verify/", views.verify, name="verify"),
    path("certificates/<id:pk>/", views.certificate_detail, name="certificate_detail"),
]
