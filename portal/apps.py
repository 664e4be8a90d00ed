from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from portal import (  # noqa: F401  (connects the receivers)
            outbox_setup,
            sessions,
            signals,
            tasks,
        )

        outbox_setup.register()
