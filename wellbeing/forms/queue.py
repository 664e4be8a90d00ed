"""Forms of the hub's queue and referral page: the queue's filters and the lead's allocation."""

from __future__ import annotations

from typing import Any

from django import forms

from portal.models import User
from portal.nhsuk_forms.helper import FormHelper
from portal.nhsuk_forms.layout import Field, Layout, Submit
from wellbeing.models import OPEN_STATUSES, HubMembership, HubRole, ReferralStatus
from wellbeing.queries import attention
from wellbeing.queries.queue import QueueFilters

ASSIGNED_CHOICES = [
    ("all", "Everyone's"),
    ("unassigned", "Nobody's yet"),
    ("mine", "Mine"),
]
STATUS_CHOICES = [("", "Any open status")] + [
    (status.value, status.label) for status in ReferralStatus if status in OPEN_STATUSES
]
RISK_CHOICES = [("", "Any"), ("high", "Urgent or high risk only")]
NEEDS_CHOICES = [("", "Anything"), *attention.NEEDS_CHOICES]


class QueueFilterForm(forms.Form):
    """The queue's filters, sent with GET so the page works without JavaScript and a filtered
    queue can be bookmarked. A value that is not offered (an edited address) is ignored."""

    assigned = forms.ChoiceField(label="Whose referrals", choices=ASSIGNED_CHOICES, required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)
    risk = forms.ChoiceField(label="Risk", choices=RISK_CHOICES, required=False)
    needs = forms.ChoiceField(label="Needing", choices=NEEDS_CHOICES, required=False)

    def filters(self) -> QueueFilters:
        if not self.is_valid():
            # Only an edited address gets here (every value comes from a select): show the
            # whole queue rather than an error page.
            return QueueFilters()
        data = self.cleaned_data
        return QueueFilters(
            assigned=data["assigned"] or "all",
            status=data["status"],
            risk=data["risk"],
            needs=data["needs"],
        )


def hub_clinicians() -> list[User]:
    """Active hub clinicians and leads, by name: who a referral can be allocated to."""
    ids = HubMembership.objects.holder_ids(HubRole.CLINICIAN, HubRole.LEAD)
    return list(
        User.objects.filter(pk__in=ids)
        .select_related("staff_profile")
        .order_by("staff_profile__display_name", "email")
    )


def clinician_label(user: User) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile and profile.display_name else user.email


class AllocateForm(forms.Form):
    """The hub lead gives a referral to a clinician, chosen by name.

    `seen` carries when the referral was last assigned as the lead saw it, so an allocation made
    on a stale page (someone took the referral since) is refused rather than silently
    overriding them.
    """

    clinician = forms.TypedChoiceField(
        label="Allocate to",
        coerce=int,
        error_messages={
            "required": "Choose who to allocate this referral to",
            "invalid_choice": "Choose a clinician from the list",
        },
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, clinicians: list[User], action: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinicians = {user.pk: user for user in clinicians}
        field = self.fields["clinician"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101 - declared above
        field.choices = [("", "Choose a clinician")] + [
            (user.pk, clinician_label(user)) for user in clinicians
        ]
        self.helper = FormHelper()
        self.helper.form_id = "allocate"
        self.helper.form_action = action
        self.helper.layout = Layout(
            Field.select("clinician", label_size="s"),
            "seen",
            Submit("allocate", "Allocate", secondary=True),
        )

    def chosen(self) -> User:
        return self.clinicians[self.cleaned_data["clinician"]]
