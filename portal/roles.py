"""The roles of the portal.

Every signed-in member of staff can browse learning, keep a learning record and self-refer; a
role adds to that. Curator and Team lead are Django groups, given in the back office. The hub's
roles are not groups: they are held in the confidential store, granted and removed only inside
the hub by a hub lead, and never held by a superuser (ADR 0023). `settings.HUB_ROLES_OF` names
the function that reads them, so the portal wires the hub in by a string.
"""

from __future__ import annotations

CURATOR = "Curator"
TEAM_LEAD = "Team lead"
HUB_CLINICIAN = "Hub clinician"
HUB_LEAD = "Hub lead"
HUB_RESEARCHER = "Hub researcher"

GROUP_ROLES = (CURATOR, TEAM_LEAD)
HUB_ROLES = frozenset({HUB_CLINICIAN, HUB_LEAD, HUB_RESEARCHER})
ALL_ROLES = (CURATOR, TEAM_LEAD, HUB_CLINICIAN, HUB_LEAD, HUB_RESEARCHER)
# Roles that see other people's data or change what everyone sees: they must use MFA.
MFA_REQUIRED_ROLES = frozenset({CURATOR, *HUB_ROLES})
