from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "creneau.www.public"
    label = "public"
