"""Who may do what: visitors read, curators annotate, admins (staff) run the atlas.

Curators are the members of the "curators" group, which holds the annotation and tour
permissions; admins are staff users (superusers hold every permission). A visitor who is
not logged in is sent to the login page; a logged-in user without the right gets a 403.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

CURATORS = "curators"
CURATOR_PERMISSIONS = [
    ("catalog", "add_annotation"),
    ("catalog", "change_annotation"),
    ("catalog", "view_annotation"),
    ("catalog", "view_annotationrevision"),
    ("catalog", "view_taxon"),
    ("catalog", "add_tour"),
    ("catalog", "change_tour"),
    ("catalog", "view_tour"),
    ("catalog", "add_tourstop"),
    ("catalog", "change_tourstop"),
    ("catalog", "delete_tourstop"),
    ("catalog", "view_tourstop"),
]


def ensure_curators_group() -> Group:
    """The curators group with its permissions (created or completed if needed)."""
    group, _ = Group.objects.get_or_create(name=CURATORS)
    wanted = Permission.objects.filter(
        content_type__app_label="catalog",
        codename__in=[codename for _, codename in CURATOR_PERMISSIONS],
    )
    group.permissions.add(*wanted)
    return group


def make_curator(user) -> None:
    user.groups.add(ensure_curators_group())


def can_annotate(user) -> bool:
    return user.is_active and user.has_perm("catalog.change_annotation")


def can_edit_tours(user) -> bool:
    return user.is_active and user.has_perm("catalog.change_tour")


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
