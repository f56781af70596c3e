"""Per-object grants (django-guardian, with direct foreign keys so permission filtering is a join, not a
generic-relation scan): a developer added to one policy, a consultee given read access to one draft."""

from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class PolicyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("lifecycle.Policy", on_delete=models.CASCADE, related_name="user_grants")

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["user", "content_object"], name="policy_grant_user_idx")]


class PolicyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("lifecycle.Policy", on_delete=models.CASCADE, related_name="group_grants")
