from django.urls import path

from . import views

app_name = "annuaire"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("nouveau/", views.nouveau, name="nouveau"),
    path("<uuid:public_id>/", views.partenaire, name="partenaire"),
]
