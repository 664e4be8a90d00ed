from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Mind & Body learning"

    def ready(self) -> None:
        from learning import reminders, signals  # noqa: F401  (connects the receivers)

        # The portal app, earlier in INSTALLED_APPS, has registered the "portal" outbox.
        reminders.register()
