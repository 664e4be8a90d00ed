"""The roles of the portal, as Django groups created by a data migration.

Every signed-in member of staff can browse learning, keep a learning record and self-refer; a
group adds a role on top of that.
"""

from __future__ import annotations

CURATOR = "Curator"
TEAM_LEAD = "Team lead"
HUB_CLINICIAN = "Hub clinician"
HUB_LEAD = "Hub lead"

ALL_ROLES = (CURATOR, TEAM_LEAD, HUB_CLINICIAN, HUB_LEAD)
HUB_ROLES = frozenset({HUB_CLINICIAN, HUB_LEAD})
# Roles that see other people's data or change what everyone sees: they must use MFA.
MFA_REQUIRED_ROLES = frozenset({CURATOR, HUB_CLINICIAN, HUB_LEAD})

# Permissions only a role gives. Django hands a superuser every permission, but the back office's
# administrator is not in the hub: the confidential pages open for the hub roles (and team
# support for team leads) only, whoever else is signed in (portal.models.User.has_perm).
ROLE_ONLY_PERMISSIONS = frozenset(
    {
        "portal.work_in_hub",
        "portal.allocate_referrals",
        "portal.manage_service_directory",
        "portal.run_outreach_campaigns",
        "portal.view_hub_reports",
        "portal.view_record_audit",
        "portal.manage_team_support",
        "portal.request_team_support",
    }
)
