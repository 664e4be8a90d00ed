from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from portal import outbox_setup, sessions, signals  # noqa: F401  (connects the receivers)

        outbox_setup.register()
