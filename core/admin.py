"""The admin is for PCU administrators to keep reference data and role assignments. It is not a user
interface for the lifecycle: evidence (policies, versions, decisions, audit) is shown read-only, and
every change made here goes through a service or writes its audit event in the same transaction."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db import transaction
from django.forms.models import model_to_dict

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.holdings import holdings_refusal, user_deactivate, user_holdings
from core.models import ApprovalRoute, AuditEvent, Board, BusinessGroup, Role, RoleAssignment, Subject, Unit, User
from core.services import role_assign, role_revoke


def is_pcu_administrator(user) -> bool:
    if not (user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return RoleAssignment.objects.filter(user_id=user.pk, role=Role.PCU).exists()


class PCUAdminMixin:
    """Only superusers and staff holding the force-wide PCU role may use these pages."""

    def has_module_permission(self, request):
        return is_pcu_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_pcu_administrator(request.user)

    def has_add_permission(self, request):
        return is_pcu_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_pcu_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_pcu_administrator(request.user)


class AuditedReferenceAdmin(PCUAdminMixin, admin.ModelAdmin):
    """Reference data: each save or delete writes an audit event in the same transaction."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changed = {name: model_to_dict(obj, fields=[name]).get(name) for name in form.changed_data}
            audit_log(
                actor=request.user,
                action=AuditAction.reference(obj._meta.model_name, "changed" if change else "created"),
                obj=obj,
                changes={key: str(value) for key, value in changed.items()},
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_log(actor=request.user, action=AuditAction.reference(obj._meta.model_name, "deleted"), obj=obj,
                      changes={"name": str(obj)})
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BusinessGroup)
class BusinessGroupAdmin(AuditedReferenceAdmin):
    list_display = ["name", "code", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    inlines = [UnitInline]


@admin.register(Subject)
class SubjectAdmin(AuditedReferenceAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class GroupFixedAdmin(AuditedReferenceAdmin):
    """Reference data whose business group (``fixed_fields``) is chosen when the row is added and never changed: what
    is already under the row (policies, roles, decisions) belongs to that group, and would be moved with it, silently.
    Read-only on the change form, said why (``fixed_reason``), and checked again in the save under the row's lock, so
    that no other way through the admin moves it either; the rest of the form is saved and audited as before."""

    fixed_fields: tuple[str, ...] = ("business_group",)
    fixed_reason = ""
    change_fields: tuple[str, ...] = ()  # the change form's fields, in order, the fixed ones among them

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, *self.fixed_fields] if obj is not None else readonly

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return super().get_fieldsets(request, obj)
        return [(None, {"fields": list(self.change_fields), "description": self.fixed_reason})]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        with transaction.atomic():
            locked = type(obj).objects.select_for_update().get(pk=obj.pk)
            attnames = [obj._meta.get_field(name).attname for name in self.fixed_fields]
            moved = [attname for attname in attnames if getattr(locked, attname) != getattr(obj, attname)]
            if moved:
                messages.error(request, self.fixed_reason)
                for attname in moved:
                    setattr(obj, attname, getattr(locked, attname))
            super().save_model(request, obj, form, change)


# SOP, "Role of Policy Managers/Unit Heads": they "maintain an overview of ... the policies for which their unit is
# responsible", and the policy owner "retain[s] ultimate ownership of ... policy ... within their business area". A
# policy's owning unit is of its business group, and a Policy Manager's assignment names a unit of the group it is held
# in: a unit moved to another group would leave both naming a unit outside their group (integrity review of
# 2026-12-06, LOW 10a). A policy moves group, with its unit and people, through its People page (PCU).
UNIT_GROUP_FIXED = (
    "A unit cannot be moved to another business group once it exists: the policies it owns, the Policy Managers' "
    "roles that name it and the staff who work in it all belong to its business group. To move a policy, PCU uses "
    "\u201cMove to another business group\u201d on the policy\u2019s People page. For a unit added to the wrong "
    "business group, add it again in the right one, and untick \u201cActive\u201d here."
)
# Annual Governance Statement 2016-17: high-risk policies go to the Commissioner's Policy Forum, medium and low to the
# business group's Chief Officer Group. A board's approval routes send its group's policies to it, and the decisions it
# recorded name it: a board moved to another group, or a route moved to another group or tier, changed which board
# approves (or approved) the policies already under it, without anyone deciding so.
BOARD_GROUP_FIXED = (
    "A board cannot be moved to another business group once it exists: the approval routes that send policies to it, "
    "and the approvals it has recorded, are those of its business group. To send a business group\u2019s policies to "
    "another board, change the board of that group\u2019s approval route. For a board added to the wrong business "
    "group, add it again in the right one."
)
ROUTE_GROUP_FIXED = (
    "An approval route cannot be moved to another business group or risk tier once it exists: the policies of that "
    "group and tier, those already under it included, would go to another board without anyone deciding so. Change "
    "the board here to change which board approves them. For a route added for the wrong business group or tier, "
    "delete it and add it again."
)


@admin.register(Unit)
class UnitAdmin(GroupFixedAdmin):
    list_display = ["name", "business_group", "is_active"]
    list_filter = ["business_group", "is_active"]
    search_fields = ["name"]
    fixed_reason = UNIT_GROUP_FIXED
    change_fields = ("business_group", "name", "is_active")


@admin.register(Board)
class BoardAdmin(GroupFixedAdmin):
    list_display = ["name", "business_group"]
    search_fields = ["name"]
    fixed_reason = BOARD_GROUP_FIXED
    change_fields = ("business_group", "name", "remit")


@admin.register(ApprovalRoute)
class ApprovalRouteAdmin(GroupFixedAdmin):
    list_display = ["risk_tier", "business_group", "board"]
    list_filter = ["risk_tier"]
    fixed_fields = ("business_group", "risk_tier")
    fixed_reason = ROUTE_GROUP_FIXED
    change_fields = ("risk_tier", "business_group", "board")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(PCUAdminMixin, admin.ModelAdmin):
    """Assignments are created and removed through core.services, so each change is audited.
    An assignment is never edited in place: remove it and add the new one."""

    list_display = ["user", "role", "business_group", "unit", "created_at"]
    list_filter = ["role", "business_group"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    fields = ["user", "role", "business_group", "unit"]

    def has_change_permission(self, request, obj=None):
        # The change page is shown read-only for an existing row; new rows are added through the form.
        return obj is None and is_pcu_administrator(request.user)

    def save_model(self, request, obj, form, change):
        try:
            assignment = role_assign(
                actor=request.user, user=obj.user, role=obj.role, business_group=obj.business_group, unit=obj.unit
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            return
        obj.pk = assignment.pk

    def delete_model(self, request, obj):
        role_revoke(actor=request.user, assignment=obj)

    def delete_queryset(self, request, queryset):
        for assignment in queryset:
            role_revoke(actor=request.user, assignment=assignment)


class PolicyHubUserChangeForm(UserChangeForm):
    def clean_is_active(self):
        """Issue 12: an account is not deactivated while its holder is still named on policies; the error lists
        what they hold (core.holdings), on the form, and nothing is saved."""
        active = self.cleaned_data.get("is_active")
        if self.instance.pk and self.instance.is_active and not active:
            held = user_holdings(self.instance)
            if held:
                raise forms.ValidationError(holdings_refusal(self.instance, held))
        return active


# What gives every permission, or Django's own (which PolicyHub's roles do not use: core.models.User): only a superuser
# gives or takes them away. For a PCU administrator who is not one, they are shown read-only (integrity review of
# 2026-12-06, MEDIUM 3: a PCU administrator could make anyone a superuser, themselves included).
SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions")
# The two flags that open the admin and everything in it: each change of the account records both, before and after.
PRIVILEGE_FLAGS = ("is_staff", "is_superuser")


@admin.register(User)
class UserAdmin(PCUAdminMixin, DjangoUserAdmin):
    form = PolicyHubUserChangeForm
    list_display = ["username", "first_name", "last_name", "email", "job_title", "is_active", "is_staff"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("PolicyHub", {"fields": ["job_title", "unit"]}))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [name for name in SUPERUSER_ONLY_FIELDS if name not in readonly]
        return readonly

    def has_change_permission(self, request, obj=None):
        # A superuser's account (its password above all) is changed by a superuser only: whoever sets it holds
        # everything it gives. Others see it read-only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Deactivation goes through core.holdings.user_deactivate, which checks again under the user's row lock.
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        try:
            with transaction.atomic():
                before = (User.objects.select_for_update().values(*PRIVILEGE_FLAGS).get(pk=obj.pk) if change
                          else dict.fromkeys(PRIVILEGE_FLAGS))
                if not request.user.is_superuser and (obj.is_superuser or before["is_superuser"]):
                    raise ApplicationError("Only a superuser can change a superuser\u2019s account, or make one.")
                if deactivating:
                    obj.is_active = True
                super().save_model(request, obj, form, change)
                audit_log(
                    actor=request.user, action=AuditAction.USER_CHANGED if change else AuditAction.USER_CREATED,
                    obj=obj, changes={"fields": sorted(name for name in form.changed_data
                                                       if name not in {"password", "is_active"}),
                                      **{name: {"before": before[name], "after": getattr(obj, name)}
                                         for name in PRIVILEGE_FLAGS}},
                )
                if deactivating:
                    user_deactivate(actor=request.user, user=obj)
        except ApplicationError as error:  # named on a policy since the form was checked: nothing was saved
            messages.error(request, error.message)

    def user_change_password(self, request, id, form_url=""):
        """An administrator setting someone's password is audited, with who did it, in the same transaction
        (issue 11: it left no event). The hash itself is never recorded."""
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            before = user.password if user is not None else None
            response = super().user_change_password(request, id, form_url)
            if user is not None:
                user.refresh_from_db(fields=["password"])
                if user.password != before:
                    audit_log(actor=request.user, action=AuditAction.USER_PASSWORD_SET_BY_ADMIN, obj=user,
                              changes={"username": user.username, "usable": user.has_usable_password()})
        return response

    def delete_model(self, request, obj):
        # Accounts are evidence of who did what: deactivate instead of deleting.
        messages.error(request, "Accounts are kept as evidence: untick 'active' instead of deleting.")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(PCUAdminMixin, admin.ModelAdmin):
    list_display = ["sequence", "occurred_at", "actor_username", "action", "object_repr"]
    list_filter = ["action"]
    search_fields = ["action", "object_repr", "actor_username"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
