"""Every curator page is closed to anonymous people (sent to sign in) and to staff without the
Curator role (403), and open to a curator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.learning.factories import CommentFactory, ResourceFactory

pytestmark = pytest.mark.django_db

# (method, URL name, whether it takes the resource or the comment)
CURATOR_URLS = [
    ("get", "learning:curate_index", None),
    ("get", "learning:curate_resources", None),
    ("get", "learning:curate_resource_create", None),
    ("post", "learning:curate_resource_create", None),
    ("get", "learning:curate_resource", "resource"),
    ("get", "learning:curate_resource_edit", "resource"),
    ("post", "learning:curate_resource_edit", "resource"),
    ("get", "learning:curate_resource_preview", "resource"),
    ("post", "learning:curate_resource_move", "resource"),
    ("get", "learning:curate_review_due", None),
    ("get", "learning:curate_broken_links", None),
    ("get", "learning:curate_import", None),
    ("post", "learning:curate_import", None),
    ("get", "learning:curate_export", None),
    ("get", "learning:curate_comments", None),
    ("post", "learning:curate_comment_publish", "comment"),
    ("get", "learning:curate_comment_reject", "comment"),
    ("post", "learning:curate_comment_reject", "comment"),
    ("get", "learning:curate_uptake", None),
    ("get", "learning:curate_uptake_csv", "table"),
]


@pytest.fixture
def url_for():
    resource = ResourceFactory()
    comment = CommentFactory(resource=resource, author=UserFactory(with_profile=True))

    def url(name, takes):
        kwargs = {
            None: {},
            "resource": {"pk": resource.pk},
            "comment": {"pk": comment.pk},
            "table": {"table": "level"},
        }[takes]
        return reverse(name, kwargs=kwargs)

    return url


@pytest.mark.parametrize(("method", "name", "takes"), CURATOR_URLS)
def test_anonymous_people_are_sent_to_sign_in(client, url_for, method, name, takes):
    url = url_for(name, takes)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(("method", "name", "takes"), CURATOR_URLS)
def test_staff_without_the_curator_role_are_refused(client, url_for, method, name, takes):
    client.force_login(UserFactory(with_profile=True))
    response = getattr(client, method)(url_for(name, takes))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("name", "takes"), [(name, takes) for method, name, takes in CURATOR_URLS if method == "get"]
)
def test_a_curator_can_open_every_curator_page(client, url_for, name, takes):
    client.force_login(UserFactory(with_profile=True, roles=["Curator"], with_totp=True))
    assert client.get(url_for(name, takes)).status_code == 200


def test_a_team_lead_is_not_a_curator(client, url_for):
    client.force_login(UserFactory(with_profile=True, roles=["Team lead"]))
    assert client.get(url_for("learning:curate_index", None)).status_code == 403


def test_a_curator_without_an_authenticator_must_set_one_up_first(client, url_for):
    client.force_login(UserFactory(with_profile=True, roles=["Curator"]))
    response = client.get(url_for("learning:curate_index", None))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_the_curator_urls_are_named_curate_in_the_learning_namespace():
    from learning.urls import urlpatterns

    curator_patterns = [p for p in urlpatterns if str(p.pattern).startswith("curate/")]
    assert curator_patterns
    assert all(pattern.name and pattern.name.startswith("curate_") for pattern in curator_patterns)
