from django.urls import path

from . import views

app_name = "certifications"

urlpatterns = [
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/verify/", views.verify, name="verify"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
]
