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
