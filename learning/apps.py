from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "learning"
    verbose_name = "Mind & Body learning"

    def ready(self) -> None:
        from learning import signals  # noqa: F401  (connects the receivers)
