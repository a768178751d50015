"""Who may do what: visitors read, curators annotate, admins (staff) run the atlas.

Curators are the members of the "curators" group, which holds the annotation and tour
permissions; admins are staff users (superusers hold every permission). A visitor who is
not logged in is sent to the login page; a logged-in user without the right gets a 403.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.decorators import method_decorator
from django_ratelimit.decorators import ratelimit

CURATORS = "curators"
CURATOR_PERMISSIONS = [
    ("curation", "add_annotation"),
    ("curation", "change_annotation"),
    ("curation", "view_annotation"),
    ("curation", "view_annotationrevision"),
    ("curation", "view_taxon"),
    ("cinema", "add_tour"),
    ("cinema", "change_tour"),
    ("cinema", "view_tour"),
    ("cinema", "add_tourstop"),
    ("cinema", "change_tourstop"),
    ("cinema", "delete_tourstop"),
    ("cinema", "view_tourstop"),
]


def ensure_curators_group() -> Group:
    """The curators group with its permissions (created or completed if needed)."""
    group, _ = Group.objects.get_or_create(name=CURATORS)
    wanted = Q()
    for app_label, codename in CURATOR_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(wanted))
    return group


def make_curator(user) -> None:
    user.groups.add(ensure_curators_group())


def can_annotate(user) -> bool:
    return user.is_active and user.has_perm("curation.change_annotation")


def can_edit_tours(user) -> bool:
    return user.is_active and user.has_perm("cinema.change_tour")


def is_admin(user) -> bool:
    return user.is_active and user.is_staff


def _only(test):
    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    return decorator


curator_required = _only(can_annotate)
tour_editor_required = _only(can_edit_tours)
admin_required = _only(is_admin)


def _login_rate(group, request) -> str:
    return settings.ATLAS_LOGIN_RATE


@method_decorator(ratelimit(key="ip", rate=_login_rate, method="POST"), name="post")
@method_decorator(ratelimit(key="post:username", rate=_login_rate, method="POST"), name="post")
class LoginView(auth_views.LoginView):
    """Django's login, throttled per address and per user name (then a 429)."""
