from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    """The Resilience Hub. Its models live in the "confidential" database only."""

    name = "wellbeing"
    verbose_name = "Resilience Hub"

    def ready(self) -> None:
        from wellbeing import signals  # noqa: F401 - connects the outcome summaries' receivers
        from wellbeing.services import outreach

        outreach.register()
