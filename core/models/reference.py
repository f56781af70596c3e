"""Reference data, edited by PCU administrators in the admin."""

from django.db import models


class RiskTier(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class BusinessGroup(models.Model):
    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(max_length=20, unique=True, help_text="Short code, e.g. TP for Territorial Policing.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Subject(models.Model):
    """What a policy is about (e.g. "Custody", "Public order"): how staff and the public find policies on the
    Publication Scheme and in the library, besides the owning business group (issue 17: "The Scheme has search
    and filters (business group, subject)")."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True, help_text="Used in addresses, e.g. custody.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """An owning unit or branch (the document-control block's "creating branch")."""

    business_group = models.ForeignKey(BusinessGroup, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(max_length=160)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["business_group__name", "name"]
        constraints = [models.UniqueConstraint(fields=["business_group", "name"], name="unit_unique_per_group")]

    def __str__(self) -> str:
        return self.name


class Board(models.Model):
    """A board or forum that approves or oversees policy (e.g. the Commissioner's Policy Forum)."""

    name = models.CharField(max_length=160, unique=True)
    business_group = models.ForeignKey(
        BusinessGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="boards",
        help_text="Empty for a force-wide board.",
    )
    remit = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApprovalRoute(models.Model):
    """Which board a policy of a given risk tier goes to.

    Annual Governance Statement 2016-17: high-risk policies go to the Commissioner's Policy Forum,
    medium and low to the business group's Chief Officer Group; the Designated Lead signs in every case.
    A row with no business group is the force-wide default for its tier.
    """

    risk_tier = models.CharField(max_length=10, choices=RiskTier.choices)
    business_group = models.ForeignKey(
        BusinessGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="approval_routes"
    )
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="approval_routes")

    class Meta:
        ordering = ["risk_tier", "business_group__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["risk_tier", "business_group"], name="approval_route_unique_per_group"
            ),
            models.UniqueConstraint(
                fields=["risk_tier"],
                condition=models.Q(business_group__isnull=True),
                name="approval_route_one_default_per_tier",
            ),
        ]

    def __str__(self) -> str:
        scope = self.business_group or "force-wide default"
        return f"{self.get_risk_tier_display()} risk ({scope}) → {self.board}"

    @classmethod
    def board_for(cls, *, risk_tier: str, business_group_id: int | None) -> Board | None:
        """The board that approves a policy of ``risk_tier`` in that business group: the group's own route, else the
        force-wide one (None when neither is set)."""
        routes = cls.objects.filter(risk_tier=risk_tier).select_related("board")
        route = (routes.filter(business_group_id=business_group_id).first() if business_group_id else None) \
            or routes.filter(business_group__isnull=True).first()
        return route.board if route else None


class ReferenceCounter(models.Model):
    """Gap-free human-friendly reference numbers (POL-0042), allocated under a row lock."""

    name = models.CharField(max_length=40, primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"
