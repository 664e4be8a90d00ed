"""The hub's demo content for `seed_demo` (development only): sample campaigns, team requests
and the directory, and referrals in every state. `seed` is the hub's demo step
(settings.DEMO_STEPS)."""

from __future__ import annotations

from portal.demo import DemoSection
from wellbeing.demo.campaigns import seed_demo_campaigns
from wellbeing.demo.hub_team import seed_demo_hub_team
from wellbeing.demo.referrals import DEMO_REFERRALS, seed_demo_referrals
from wellbeing.demo.research import seed_demo_study
from wellbeing.demo.team_support import seed_demo_team_support


def seed() -> list[DemoSection]:
    seed_demo_hub_team()
    campaigns = seed_demo_campaigns()
    team_support = seed_demo_team_support()
    seed_demo_referrals()
    study = seed_demo_study()
    return [
        DemoSection("Sample outreach campaigns:", campaigns),
        DemoSection("Sample team support requests and the directory:", team_support),
        DemoSection(
            "Sample referrals in the hub queue:",
            [
                f"  RH-DEMO-01 to RH-DEMO-{len(DEMO_REFERRALS):02d}: every state, some urgent, "
                "some near or past the rapid-assessment target; RH-DEMO-07 is "
                "staff@demo.nhs.net's own"
            ],
        ),
        DemoSection("A sample research study:", study),
    ]
