"""The demonstration force: reference data, people and policy histories, as data.

Everything here is invented (names, units, figures). ``seed_demo`` interprets it: it creates the reference
data and accounts, then replays every policy's ``steps`` through the real services, acting as the person
whose job each step is, on the day the step names (``days_ago``, counted back from the day of seeding), so
versions, EIAs, Workbooks, consultation logs, decisions and the audit trail are all genuine.

Steps of all policies are replayed in date order, so the audit trail reads forwards in time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEMO_PASSWORD = "policyhub-demo"
DEMO_URL = "http://127.0.0.1:8000/"

# --- reference data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    units: tuple[str, ...]


# What each policy is about: the Publication Scheme's "subject" filter (issue 17). (slug, name) -> titles.
SUBJECTS = {
    ("safeguarding", "Safeguarding and vulnerability"): ("Domestic Abuse", "Child Abuse", "Harmful Practice",
                                                         "Vulnerable Adults", "Missing Persons"),
    ("crime-and-communities", "Crime and communities"): ("Hate Crime", "Stop and Search", "Kidnap and Extortion",
                                                        "Counter-Terrorism Protective Security Advice"),
    ("equipment-and-records", "Equipment and records"): ("Taser extension", "Paper Pocket Notebooks",
                                                        "Social media"),
    ("corporate-governance", "Corporate governance"): ("Equality Impact Assessment Policy",
                                                       "Management of Policy Development",
                                                       "Corporate Health and Safety", "Good Conduct and Anti-Fraud"),
}
SUBJECT_OF = {title: slug for (slug, _), titles in SUBJECTS.items() for title in titles}


GROUPS = (
    Group("HQ", "MetHQ", (
        "Equality and Inclusion Policy Unit", "Corporate Governance Unit", "Media and Communications Policy Team",
    )),
    Group("TP", "Territorial Policing", (
        "Public Protection Policy Unit", "Neighbourhood Policing Policy Unit", "Operational Policing Standards Unit",
        "Custody and Criminal Justice Policy Unit",
    )),
    Group("SCO", "Specialist Crime & Operations", (
        "Safeguarding and Child Protection Policy Unit", "Serious and Organised Crime Policy Unit",
        "Specialist Investigations Policy Team",
    )),
    Group("SO", "Specialist Operations", (
        "Protective Security Policy Unit", "Counter Terrorism Policy Team", "Protection Command Policy Team",
    )),
    Group("PROF", "Professionalism", (
        "Counter-Corruption Policy Unit", "Professional Standards Policy Unit", "Vetting Policy Team",
    )),
    Group("DOR", "Directorate of Resources", (
        "Strategy and Improvement Department", "Health and Safety Policy Unit",
        "Procurement and Commercial Policy Team",
    )),
)


@dataclass(frozen=True)
class BoardSpec:
    name: str
    group: str | None  # business group code; None for a force-wide board
    remit: str


COMMISSIONERS_POLICY_FORUM = "Commissioner's Policy Forum"

BOARDS = (
    BoardSpec(COMMISSIONERS_POLICY_FORUM, None,
              "Monthly policy discussion, information and development forum of senior officers and staff. "
              "Approves high-risk corporate policy (Annual Governance Statement 2016-17)."),
    BoardSpec("Management Board", None,
              "The force's executive board. Its members own policy for their business areas and make executive "
              "decisions on critical and strategic policy issues."),
    BoardSpec("Performance Board", None,
              "Monthly review of business group performance indicators, including policy review and monitoring "
              "compliance reported by the Policy Co-ordination Unit."),
    *(
        BoardSpec(f"{group.name} Chief Officer Group", group.code,
                  f"The chief officers of {group.name}. Approves medium and low risk policy of the business group "
                  "on the Designated Lead's recommendation.")
        for group in GROUPS
    ),
)

# Annual Governance Statement 2016-17: high risk to the Commissioner's Policy Forum (force-wide default),
# medium and low to the business group's Chief Officer Group.
APPROVAL_ROUTES = (
    ("high", None, COMMISSIONERS_POLICY_FORUM),
    *((tier, group.code, f"{group.name} Chief Officer Group") for group in GROUPS for tier in ("medium", "low")),
)

# --- people -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    job_title: str
    # (role, business group code or None, unit name or None)
    roles: tuple[tuple[str, str | None, str | None], ...]
    superuser: bool = False
    # Left the force: the account was closed (outside PolicyHub) while still named on policies, so that the
    # orphan reminder and the handover (/people/<username>/handover/) can be tried (issue 12).
    left: bool = False
    # Where they work (business group code, unit name): issue 14, read and acknowledge. Most staff hold no role.
    works_in: tuple[str, str] | None = None


# Invented names: none of these is a real person. The named accounts come first; ``admin`` must be first
# of all because it assigns everyone's roles.
PEOPLE = (
    Person("admin", "Ellis", "Penrose", "PolicyHub administrator, Policy Co-ordination Unit",
           (("pcu", None, None),), superuser=True),
    Person("developer", "Aled", "Pryce", "Policy Developer, Public Protection Policy Unit",
           (("developer", "TP", "Public Protection Policy Unit"),)),
    # A second developer of the unit, named on no policy: whom a co-ordinator or PCU names when a developer is replaced
    # or leaves (the People tab, the handover), without first asking the administrator for a role (QA walk of
    # 2026-12-06).
    Person("developer3", "Hollie", "Marchbank", "Policy Developer, Public Protection Policy Unit",
           (("developer", "TP", "Public Protection Policy Unit"),)),
    Person("manager", "Nadia", "Kowalczyk", "Head of the Public Protection Policy Unit",
           (("manager", "TP", "Public Protection Policy Unit"),)),
    Person("developer2", "Imogen", "Sayers", "Policy Developer, Safeguarding and Child Protection Policy Unit",
           (("developer", "SCO", "Safeguarding and Child Protection Policy Unit"),)),
    Person("coordinator", "Tomasz", "Ashdown", "Business Group Policy Co-ordinator, Territorial Policing",
           (("coordinator", "TP", None),)),
    Person("pcu", "Jonah", "Whitcombe", "Policy Adviser, Policy Co-ordination Unit", (("pcu", None, None),)),
    # Separation of duties: PCU's quality assurance (pcu) and PCU's publication of a version are two people.
    Person("publisher", "Priya", "Halloran", "Publishing Officer, Policy Co-ordination Unit",
           (("pcu", None, None),)),
    Person("dcfd", "Adaeze", "Nwankwo-Hale", "Equality Adviser, Diversity and Citizen Focus Directorate",
           (("dcfd", None, None),)),
    Person("doi", "Kieran", "Mossop", "Information Management Adviser, Directorate of Information",
           (("doi", None, None),)),
    Person("shrmt", "Lorna", "Haigh-Bennett", "Health and Safety Adviser, Safety and Health Risk Management Team",
           (("shrmt", None, None),)),
    Person("lead", "Ruth", "Elphinstone-Cole", "Commander, Territorial Policing (Designated Policy Lead)",
           (("lead", "TP", None),)),
    Person("lead2", "Marcus", "Delane-Reid", "Commander, Specialist Crime & Operations (Designated Policy Lead)",
           (("lead", "SCO", None),)),
    Person("owner", "Graham", "Thirlestane", "Assistant Commissioner, Territorial Policing (Management Board)",
           (("owner", "TP", None),)),
    # A leaver: still the named developer of "Social media" and "Taser extension" when their account was closed.
    Person("leaver", "Owain", "Bracegirdle", "Former Policy Developer, Neighbourhood Policing Policy Unit (left)",
           (("developer", "TP", "Neighbourhood Policing Policy Unit"),), left=True),
    # Specialist Crime & Operations' other roles.
    Person("coordinator2", "Farida", "Mansour-Kent",
           "Business Group Policy Co-ordinator, Specialist Crime & Operations",
           (("coordinator", "SCO", None),)),
    Person("manager2", "Declan", "Hurstwood", "Head of the Safeguarding and Child Protection Policy Unit",
           (("manager", "SCO", "Safeguarding and Child Protection Policy Unit"),)),
    Person("owner2", "Beatrice", "Ollerenshaw",
           "Assistant Commissioner, Specialist Crime & Operations (Management Board)",
           (("owner", "SCO", None),)),
    # The other business groups: a developer, a co-ordinator and a Designated Lead each.
    Person("hq.developer", "Maya", "Lindqvist-Rowe", "Policy Developer, Equality and Inclusion Policy Unit",
           (("developer", "HQ", "Equality and Inclusion Policy Unit"),)),
    Person("hq.coordinator", "Oliver", "Brandreth", "Business Group Policy Co-ordinator, MetHQ",
           (("coordinator", "HQ", None),)),
    Person("hq.lead", "Sunita", "Ferreira-Hale", "Director, MetHQ (Designated Policy Lead)", (("lead", "HQ", None),)),
    Person("so.developer", "Noor", "Haddad-Price", "Policy Developer, Protective Security Policy Unit",
           (("developer", "SO", "Protective Security Policy Unit"),)),
    Person("so.coordinator", "Peter", "Lyall-Grant", "Business Group Policy Co-ordinator, Specialist Operations",
           (("coordinator", "SO", None),)),
    Person("so.lead", "Grace", "Tamworth", "Commander, Specialist Operations (Designated Policy Lead)",
           (("lead", "SO", None),)),
    Person("prof.developer", "Callum", "Deanery", "Policy Developer, Counter-Corruption Policy Unit",
           (("developer", "PROF", "Counter-Corruption Policy Unit"),)),
    Person("prof.coordinator", "Harriet", "Oduya", "Business Group Policy Co-ordinator, Professionalism",
           (("coordinator", "PROF", None),)),
    Person("prof.lead", "Julian", "Cracknell", "Commander, Professionalism (Designated Policy Lead)",
           (("lead", "PROF", None),)),
    Person("dor.developer", "Rhys", "Tenbury", "Policy Developer, Strategy and Improvement Department",
           (("developer", "DOR", "Strategy and Improvement Department"),)),
    Person("dor.coordinator", "Gwen", "Abara-Scott", "Business Group Policy Co-ordinator, Directorate of Resources",
           (("coordinator", "DOR", None),)),
    Person("dor.lead", "Victor", "Stanway", "Director of Strategy and Improvement (Designated Policy Lead)",
           (("lead", "DOR", None),)),
    # Staff with no part in the policy cycle (issue 14): they read the library and confirm they have read the
    # policies PCU asks them to; their unit head (``manager``) sees the unit's acknowledgement rate.
    Person("officer", "Saoirse", "Quennell", "Police Constable, Public Protection Policy Unit", (),
           works_in=("TP", "Public Protection Policy Unit")),
    Person("officer2", "Benedict", "Ashworth-Mile", "Detective Sergeant, Public Protection Policy Unit", (),
           works_in=("TP", "Public Protection Policy Unit")),
)

# Who does what for each business group's policies, unless a policy names someone else.
CASTS = {
    "TP": {"developer": "developer", "coordinator": "coordinator", "lead": "lead", "owner": "owner"},
    "SCO": {"developer": "developer2", "coordinator": "coordinator2", "lead": "lead2", "owner": "owner2"},
    "HQ": {"developer": "hq.developer", "coordinator": "hq.coordinator", "lead": "hq.lead"},
    "SO": {"developer": "so.developer", "coordinator": "so.coordinator", "lead": "so.lead"},
    "PROF": {"developer": "prof.developer", "coordinator": "prof.coordinator", "lead": "prof.lead"},
    "DOR": {"developer": "dor.developer", "coordinator": "dor.coordinator", "lead": "dor.lead"},
}
FORCE_WIDE_CAST = {"pcu": "pcu", "dcfd": "dcfd", "doi": "doi", "shrmt": "shrmt", "publisher": "publisher"}
# Policy managers (unit heads) by unit: named on the policies their unit owns.
UNIT_HEADS = {
    "Public Protection Policy Unit": "manager",
    "Safeguarding and Child Protection Policy Unit": "manager2",
}

# --- policy content ---------------------------------------------------------------------------------

CHARACTERISTICS = (
    "age", "disability", "gender_reassignment", "marriage_civil_partnership", "pregnancy_maternity", "race",
    "religion_belief", "sex", "sexual_orientation",
)


def impacts(default: str | None = None, *, default_impact: str = "neutral", **specific: tuple[str, str]) -> dict:
    """The EIA's impact table: ``specific`` characteristics as (impact, notes); every other characteristic
    ``default_impact`` with the ``default`` note (or left unassessed when there is no default)."""
    unknown = set(specific) - set(CHARACTERISTICS)
    if unknown:
        raise ValueError(f"Unknown protected characteristics: {sorted(unknown)}")
    table = {}
    for characteristic in CHARACTERISTICS:
        if characteristic in specific:
            impact, notes = specific[characteristic]
        elif default is not None:
            impact, notes = default_impact, default
        else:
            continue
        table[characteristic] = {"impact": impact, "notes": notes}
    return table


NO_DIFFERENTIAL_IMPACT = "No differential impact identified from the evidence reviewed or from consultation."


@dataclass(frozen=True)
class Sop:
    title: str
    text: str
    protective_marking: str = "official"
    publish_externally: bool = False


@dataclass(frozen=True)
class Consultation:
    consultee: str
    organisation: str
    consultee_type: str
    response: str = ""  # empty: no response yet
    decision_taken: str = ""
    feedback_given: bool = False


@dataclass(frozen=True)
class Package:
    """What the developer writes for one cycle: Policy Statement, SOPs, Workbook, EIA, consultation log.

    ``revision`` is what changes in the new draft after a return from quality assurance."""

    statement: str = ""
    sops: tuple[Sop, ...] = ()
    workbook: dict = field(default_factory=dict)
    eia: dict = field(default_factory=dict)
    consultations: tuple[Consultation, ...] = ()
    summary_of_changes: str = ""
    revision: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Review:
    """A review cycle (version 2.x): what changes from the published package. SOPs are matched by title."""

    summary_of_changes: str
    statement: str
    sops: tuple[Sop, ...] = ()
    workbook: dict = field(default_factory=dict)
    eia: dict = field(default_factory=dict)
    consultations: tuple[Consultation, ...] = ()


@dataclass(frozen=True)
class Report:
    """An annual monitoring report (SOP, stage 6)."""

    compliance: str
    benefits: str
    performance: str
    diversity_impact: str


@dataclass(frozen=True)
class Step:
    days_ago: int
    action: str
    actor: str | None = None  # username; by default whoever's job the action is
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PolicySpec:
    title: str
    group: str
    unit: str
    purpose: str
    relevant_to: str
    package: Package
    steps: tuple[Step, ...]
    risk_tier: str = "medium"
    protective_marking: str = "official"
    suitable_for_publication_scheme: bool = True
    registered_file_reference: str = ""
    review: Review | None = None
    reports: tuple[Report, ...] = ()
    cast: dict = field(default_factory=dict)
    # Issue 13: a local work instruction ("local"), and the title of the corporate policy it supplements, if any.
    kind: str = "corporate"
    supports: str = ""


# --- journeys: the usual sequences of steps, from a start day counting forwards -----------------------


def scoped(ago: int, *, requested_after: int = 4, commissioned_after: int | None = 10) -> tuple[Step, ...]:
    """Stage 1 (start, scoping), stage 2 (request and, unless None, the Lead's decision)."""
    steps = [Step(ago, "start"), Step(ago - requested_after, "request_commissioning")]
    if commissioned_after is not None:
        steps.append(Step(ago - commissioned_after, "commission"))
    return tuple(steps)


def developed(ago: int, *, responses_after: int = 25, assessed_after: int = 30) -> tuple[Step, ...]:
    """Stage 3: draft the package and send it out for consultation, record the responses, complete the EIA
    and Workbook."""
    return (Step(ago, "draft"), Step(ago - responses_after, "responses"), Step(ago - assessed_after, "assess"))


def quality_assured(ago: int) -> tuple[Step, ...]:
    """Stage 4: submitted to PCU, then PCU, DCFD and DOI each sign off."""
    return (
        Step(ago, "submit"),
        Step(ago - 4, "qa", options={"discipline": "pcu", "comments": "Statement and SOPs follow the corporate "
                                                                      "format."}),
        Step(ago - 7, "qa", options={"discipline": "dcfd", "comments": "EIA is proportionate and evidenced."}),
        Step(ago - 9, "qa", options={"discipline": "doi", "comments": "Information management sections complete."}),
    )


def approved(ago: int, *, comments: str = "Approved on behalf of the Management Board member.") -> tuple[Step, ...]:
    """Stage 4: the co-ordinator forwards the QA-passed package; the Lead approves it a week later."""
    return (Step(ago, "forward_to_lead"), Step(ago - 7, "approve", options={"comments": comments}))


def published(ago: int, *, implemented_after: int | None = 90, **publish_options) -> tuple[Step, ...]:
    """Stages 4 and 5: forwarded to PCU, published, and (unless None) implementation completed."""
    steps = [Step(ago, "forward_for_publication"), Step(ago - 3, "publish", options=publish_options)]
    if implemented_after is not None:
        steps.append(Step(ago - implemented_after, "complete_implementation"))
    return tuple(steps)


def monitored(ago: int, *, report: int = 0) -> tuple[Step, ...]:
    """Stage 6: the annual monitoring report written, quality-assured by the co-ordinator, published by PCU."""
    return (
        Step(ago, "report_submit", options={"report": report}),
        Step(ago - 6, "report_qa", options={"comments": "Logical, comprehensive and in plain English."}),
        Step(ago - 9, "report_publish"),
    )


SHRMT = "shrmt"
SUBJECT_EXPERT = "subject_expert"
INTERNAL = "internal"
STAFF_ASSOCIATION = "staff_association"
COMMUNITY = "community"
EXTERNAL = "external"

STAFF_ASSOCIATION_CONSULTATION = Consultation(
    "Branch Board secretary", "Metropolitan Police Federation", STAFF_ASSOCIATION,
    "No objection in principle. Asks that officers receive the training before the policy takes effect.",
    "Implementation plan schedules briefings before publication.", True,
)

# --- the policies ----------------------------------------------------------------------------------

POLICIES: tuple[PolicySpec, ...] = (
    # Monitoring, review OVERDUE and monitoring report OVERDUE; this year's report awaits the co-ordinator, and a
    # remedial action directed after the first report is still open.
    PolicySpec(
        title="Domestic Abuse",
        group="TP", unit="Public Protection Policy Unit", risk_tier="high",
        registered_file_reference="RF/TP/PP/0107",
        purpose="To set out how the force responds to, investigates and prevents domestic abuse, and protects "
                "victims and their children from further harm.",
        relevant_to="All police officers, police staff and volunteers, in particular call handlers, response "
                    "officers and Public Protection teams.",
        package=Package(
            statement=(
                "<p>The force treats every report of domestic abuse as serious. Officers and staff will respond "
                "promptly, identify and record risk using the approved risk assessment, and take positive action "
                "to protect victims and children, including arrest where it is necessary and proportionate.</p>"
                "<p>Investigations will be evidence-led so that prosecutions can proceed without relying solely on "
                "the victim's evidence. Victims will be referred to specialist support and, where the risk is "
                "high, to the Multi-Agency Risk Assessment Conference.</p>"
                "<p>Line managers are responsible for supervising every domestic abuse investigation in their "
                "team.</p>"
            ),
            sops=(
                Sop("Initial response and risk assessment",
                    "<p>Attend every domestic abuse call with the grading set by the control room. Separate the "
                    "parties, secure evidence (including body-worn video), and complete the risk assessment with "
                    "the victim before leaving.</p><p>Where children are present, record their details and make a "
                    "referral to children's social care.</p>",
                    publish_externally=True),
                Sop("Investigation and case building",
                    "<p>The investigating officer reviews the initial investigation within 24 hours, gathers "
                    "independent evidence (calls, neighbours, medical records, digital material) and consults the "
                    "Crown Prosecution Service before charge in every case of controlling or coercive behaviour.</p>"),
                Sop("Multi-agency referral",
                    "<p>Refer every victim assessed as high risk to the Multi-Agency Risk Assessment Conference "
                    "within one working day, and share information only as set out in the local information "
                    "sharing agreement.</p>"),
            ),
            workbook={
                "need": "Domestic abuse accounts for about one in ten recorded crimes in London and a large share of "
                        "repeat victimisation. Practice between boroughs is inconsistent, particularly on evidence-"
                        "led prosecution.",
                "legislation": "Serious Crime Act 2015 (s.76, controlling or coercive behaviour); Domestic Violence, "
                               "Crime and Victims Act 2004; Children Act 2004 (s.11); Human Rights Act 1998 (Articles "
                               "2, 3 and 8); national guidance on domestic abuse.",
                "data_and_statistics": "Force crime data for the last two years: reported domestic abuse offences "
                                       "up 9%; 31% of victims repeat within 12 months; arrest rate varies from 38% to "
                                       "61% between boroughs.",
                "costs_and_resources": "Met within existing budgets. Training delivered through the existing "
                                       "public protection learning programme (about 3 hours per response officer).",
                "benefits": "Fewer repeat victims; more charges without reliance on victim evidence; consistent "
                            "safeguarding referrals for children.",
                "health_and_safety_impact": "impact",
                "health_and_safety_statement": "Attending domestic incidents carries a risk of violence to officers. "
                                               "Control measures (attending in pairs where assessed, dynamic risk "
                                               "assessment, body-worn video) are set out in the initial response SOP.",
                "information_management": "Risk assessments and referrals are recorded on the crime system and "
                                          "retained under the force retention schedule for public protection records.",
                "consultation_summary": "SHRMT, advocacy groups, the Federation and Independent Domestic Violence "
                                        "Advisers were consulted; their comments on aftercare and on interpreters "
                                        "were adopted.",
                "implementation_plan": "Briefing for all response teams; e-learning module; borough public "
                                       "protection leads to audit ten cases each month for the first six months.",
                "monitoring_process": "Monthly arrest, charge and repeat-victim rates by borough; annual survey of "
                                      "victims' satisfaction; equality monitoring of victims and suspects.",
            },
            eia={
                "aims": "Protect victims of domestic abuse and their children, hold offenders to account, and reduce "
                        "repeat victimisation.",
                "evidence_and_data": "Force crime and victim data; national victim survey; feedback from advocacy "
                                     "groups and Independent Domestic Violence Advisers.",
                "consultation_summary": "Advocacy groups asked for interpreters who are not family members and for "
                                        "explicit reference to same-sex and trans victims; both adopted.",
                "impacts": impacts(
                    NO_DIFFERENTIAL_IMPACT,
                    sex=("positive", "Women are disproportionately victims; the policy also names male victims, "
                                     "who under-report."),
                    age=("positive", "Covers older victims and adolescent-to-parent abuse explicitly."),
                    disability=("positive", "Victims with disabilities may depend on the abuser for care; SOP "
                                            "requires an independent means of contact and intermediaries."),
                    race=("positive", "Professional interpreters only, never family members or the suspect."),
                    sexual_orientation=("positive", "Abuse in same-sex relationships is under-reported; the "
                                                    "policy names it and refers to specialist advocacy."),
                    gender_reassignment=("positive", "Threats to 'out' a trans victim are recognised as "
                                                     "controlling behaviour."),
                    pregnancy_maternity=("positive", "Abuse often starts or escalates in pregnancy; referral to "
                                                     "the midwife is part of the risk plan."),
                ),
                "mitigation": "Interpreters, intermediaries and specialist advocacy referrals are written into the "
                              "SOPs.",
                "decision": "no_major_change",
                "decision_rationale": "The policy promotes equality of protection; no adverse impact identified.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "Risk of violence at domestic incidents is covered by dynamic risk assessment; add a "
                             "reference to post-incident welfare support for officers.",
                             "Welfare support added to the initial response SOP.", True),
                Consultation("Chair", "Domestic Abuse Independent Advisory Group", COMMUNITY,
                             "Asks for interpreters who are not family members, and for same-sex and trans victims "
                             "to be named.", "Both adopted in the SOPs and EIA.", True),
                Consultation("Service manager", "Independent Domestic Violence Advisers' network", EXTERNAL,
                             "Supports referrals within one working day.", "No change needed.", True),
                STAFF_ASSOCIATION_CONSULTATION,
            ),
        ),
        reports=(
            Report(
                compliance="Risk assessment completed in 94% of incidents (target 95%); supervisory review within "
                           "24 hours in 88% of investigations.",
                benefits="Repeat victimisation within 12 months fell from 31% to 27%.",
                performance="Charge rate rose from 19% to 23%; evidence-led prosecutions up a third.",
                diversity_impact="Victim profile broadly matches the reporting population; reports from same-sex "
                                 "relationships rose after targeted engagement.",
            ),
            Report(
                compliance="Risk assessment completed in 96% of incidents; two boroughs below target were "
                           "supported by the public protection leads.",
                benefits="Repeat victimisation stable at 27%; children's referrals now made in 98% of relevant "
                         "incidents.",
                performance="Charge rate 24%; average time to charge down from 11 to 8 days.",
                diversity_impact="Satisfaction among victims who needed an interpreter is lower (71% against 82%); "
                                 "an action to improve interpreter availability has been agreed.",
            ),
        ),
        steps=(
            *scoped(1440, commissioned_after=14),
            *developed(1410),
            *quality_assured(1370),
            *approved(1358),
            *published(1348),
            *monitored(975, report=0),
            # The Lead directed remedial action after the first report (late), not yet due nor done: with the second
            # report still with the co-ordinator and the third overdue, its conclude page shows each of the three
            # things a review concluding no change waits for (lifecycle.gates_no_change).
            Step(40, "report_response", options={
                "outcome": "remedial", "due_in_days": 90,
                "reasons": "Supervisory review within 24 hours in 88% of investigations, short of the 95% the SOP "
                           "asks.",
                "action": "Add the 24-hour supervisory review to each borough's daily management meeting and report "
                          "it monthly."}),
            Step(14, "report_submit", options={"report": 1}),
        ),
    ),
    # Development of version 2.0: a review of a policy published more than three years ago.
    PolicySpec(
        title="Child Abuse",
        group="SCO", unit="Safeguarding and Child Protection Policy Unit", risk_tier="high",
        registered_file_reference="RF/SCO/SCP/0031",
        purpose="To make sure children at risk of abuse are identified, protected and supported, and that abuse "
                "is investigated jointly with partner agencies.",
        relevant_to="All police officers and police staff; in particular child abuse investigation teams and "
                    "officers who exercise police protection powers.",
        package=Package(
            statement=(
                "<p>The welfare of the child is paramount. Every officer and member of staff who has a concern "
                "about a child's safety will act on it, record it and share it with children's social care without "
                "delay.</p>"
                "<p>Allegations of abuse by a parent, carer or person in a position of trust will be investigated "
                "by specialist child abuse investigation teams, jointly with children's social care and following "
                "a strategy discussion.</p>"
            ),
            sops=(
                Sop("Strategy discussions and joint investigation",
                    "<p>Hold a strategy discussion with children's social care within one working day of a referral "
                    "that meets the threshold for enquiries under s.47 Children Act 1989. Record the decision and "
                    "the agreed lead agency.</p>"),
                Sop("Police protection powers",
                    "<p>An officer may remove a child to suitable accommodation, or prevent removal, under s.46 "
                    "Children Act 1989 where there is reasonable cause to believe the child would otherwise suffer "
                    "significant harm. The designated officer reviews every case.</p>",
                    publish_externally=True),
                Sop("Interviewing child witnesses",
                    "<p>Interviews are planned, conducted and recorded following Achieving Best Evidence guidance, "
                    "by officers trained to the specialist level.</p>"),
            ),
            workbook={
                "need": "A corporate policy is needed so that every part of the force recognises and refers child "
                        "abuse consistently.",
                "legislation": "Children Act 1989 (s.46, s.47); Children Act 2004 (s.11); statutory guidance on "
                               "inter-agency working to safeguard children.",
                "data_and_statistics": "Around 9,000 referrals a year from officers to children's social care; 2,100 "
                                       "joint investigations.",
                "costs_and_resources": "Within existing budgets; specialist interview training funded centrally.",
                "benefits": "Earlier referrals, fewer missed opportunities identified by case reviews.",
                "health_and_safety_impact": "impact",
                "health_and_safety_statement": "Exposure to traumatic material affects investigators; SOPs require "
                                               "psychological screening and supervision for child abuse teams.",
                "information_management": "Records are held on the crime system under the public protection "
                                          "retention rules; information shared under the safeguarding agreement.",
                "consultation_summary": "Partners supported joint strategy discussions; SHRMT asked for trauma "
                                        "support for investigators, which was added.",
                "implementation_plan": "Briefing for all officers; specialist training for investigation teams.",
                "monitoring_process": "Quarterly audit of strategy discussions held within one working day; annual "
                                      "equality monitoring of referrals.",
            },
            eia={
                "aims": "Protect children from abuse and neglect and bring offenders to justice.",
                "evidence_and_data": "Referral data; learning from local child safeguarding practice reviews.",
                "consultation_summary": "Partners and community representatives supported the approach.",
                "impacts": impacts(
                    NO_DIFFERENTIAL_IMPACT,
                    age=("positive", "The policy exists to protect children."),
                    disability=("positive", "Disabled children are at higher risk of abuse and less able to tell; "
                                            "intermediaries are provided for interviews."),
                    race=("neutral", "Referral rates by ethnicity are monitored against the child population."),
                    religion_belief=("neutral", "Belief-based abuse is addressed in the Harmful Practice policy."),
                ),
                "mitigation": "Intermediaries and interpreters for child witnesses.",
                "decision": "no_major_change",
                "decision_rationale": "No adverse impact; the policy promotes the welfare of children.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "Recommend psychological screening and supervision for child abuse investigators.",
                             "Added to the joint investigation SOP.", True),
                Consultation("Head of safeguarding", "London children's social care directors' network", EXTERNAL,
                             "Supports strategy discussions within one working day.", "No change needed.", True),
            ),
        ),
        review=Review(
            summary_of_changes="Updated for the revised inter-agency safeguarding guidance; adds contextual "
                               "safeguarding (risk outside the home) and the learning from a local practice review "
                               "on information sharing at weekends.",
            statement=(
                "<p>The welfare of the child is paramount. Every officer and member of staff who has a concern "
                "about a child's safety will act on it, record it and share it with children's social care without "
                "delay, at any time of day or week.</p>"
                "<p>Allegations of abuse by a parent, carer or person in a position of trust will be investigated "
                "by specialist child abuse investigation teams, jointly with children's social care and following "
                "a strategy discussion.</p>"
                "<p>Officers will also recognise harm to children from outside the family, such as exploitation by "
                "gangs, and refer it in the same way.</p>"
            ),
            sops=(
                Sop("Strategy discussions and joint investigation",
                    "<p>Hold a strategy discussion with children's social care within one working day of a referral "
                    "that meets the threshold for enquiries under s.47 Children Act 1989, including at weekends "
                    "through the out-of-hours service. Record the decision and the agreed lead agency.</p>"
                    "<p>Where the risk arises outside the home, invite the community safety partnership.</p>"),
            ),
            workbook={
                "data_and_statistics": "Referrals up to about 10,400 a year; 2,300 joint investigations; a local "
                                       "practice review found a 36-hour delay in sharing information at a weekend.",
            },
            eia={
                "evidence_and_data": "Referral data for the last three years; two local practice reviews; the "
                                     "monitoring reports for this policy.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "No new health and safety impact; the trauma support measures remain adequate.",
                             "None needed.", True),
                Consultation("Youth engagement lead", "London Youth Voice Forum", COMMUNITY),
                Consultation("Head of safeguarding", "London children's social care directors' network", EXTERNAL),
            ),
        ),
        reports=(
            Report(
                compliance="Strategy discussions held within one working day in 83% of cases.",
                benefits="Referrals to children's social care rose 12% after the briefing programme.",
                performance="Charge rate in child abuse investigations steady at 14%.",
                diversity_impact="Referral rates by ethnicity broadly in line with the child population.",
            ),
            Report(
                compliance="Strategy discussions held within one working day in 91% of cases; weekend referrals "
                           "are the slowest.",
                benefits="Out-of-hours strategy discussions now held in 4 of 5 weekend referrals.",
                performance="Charge rate in child abuse investigations 15%.",
                diversity_impact="Referral rates by ethnicity broadly in line with the child population.",
            ),
        ),
        # Issue 13: under review when its third annual monitoring report fell due (about two months ago, during the
        # review): `manage.py chase --dry-run` lists it, overdue and escalated. The Lead responded to each report.
        steps=(
            *scoped(1215),
            *developed(1195),
            *quality_assured(1150),
            *approved(1138),
            *published(1128),
            *monitored(755),
            Step(740, "report_response", options={
                "outcome": "remedial", "due_in_days": 60,
                "reasons": "17% of strategy discussions are late, most of them at weekends.",
                "action": "Agree an out-of-hours strategy discussion rota with the children's social care "
                          "emergency duty teams."}),
            Step(690, "remedial_done", options={
                "outcome": "Rota agreed with all 32 emergency duty teams and briefed to child abuse investigation "
                           "teams."}),
            *monitored(400, report=1),
            Step(385, "report_response", options={
                "outcome": "no_action",
                "reasons": "Weekend performance improved after the rota; the next review will build it into the "
                           "SOP."}),
            Step(150, "start_review", options={
                "reason": "Three-yearly review, started early because the inter-agency guidance was revised."}),
            Step(148, "rescope"),
            Step(146, "read_reports", options={
                "changes": "The out-of-hours rota the monitoring led to goes into the strategy discussions SOP; "
                           "weekend information sharing is the review's main change."}),
            Step(140, "request_commissioning"),
            Step(134, "commission", options={"comments": "Review commissioned; complete before the review date."}),
            Step(100, "draft"),
            Step(64, "responses"),
        ),
    ),
    # Development of version 1.1: returned from quality assurance by DCFD.
    PolicySpec(
        title="Harmful Practice",
        group="TP", unit="Public Protection Policy Unit", risk_tier="high",
        registered_file_reference="RF/TP/PP/0058",
        purpose="To protect people at risk of female genital mutilation, forced marriage and so-called "
                "honour-based abuse, and to investigate these offences.",
        relevant_to="All police officers and police staff.",
        package=Package(
            statement=(
                "<p>Female genital mutilation, forced marriage and so-called honour-based abuse are crimes and "
                "serious violations of human rights. No cultural, religious or family reason justifies them.</p>"
                "<p>Officers will treat any disclosure as urgent, speak to the person alone, never use family "
                "members as interpreters, and seek protection orders where needed.</p>"
            ),
            sops=(
                Sop("Responding to a disclosure",
                    "<p>See the person alone and in private, use a professional interpreter, and do not approach "
                    "the family or community leaders for mediation. Record the risk and refer to the specialist "
                    "team the same day.</p>"),
                Sop("Protection orders",
                    "<p>Consider a Female Genital Mutilation Protection Order or Forced Marriage Protection Order "
                    "in every case assessed as medium or high risk.</p>",
                    publish_externally=True),
            ),
            workbook={
                "need": "Harmful practices are under-reported and officers lack confidence in responding; there is "
                        "no single corporate policy.",
                "legislation": "Female Genital Mutilation Act 2003; Anti-social Behaviour, Crime and Policing Act "
                               "2014 (forced marriage offence); Forced Marriage (Civil Protection) Act 2007.",
                "data_and_statistics": "About 300 reports a year across the three practices; fewer than one in "
                                       "five lead to a protection order.",
                "costs_and_resources": "Training for 40 specialist officers; otherwise within existing resources.",
                "benefits": "More protection orders; victims' confidence to report.",
                "health_and_safety_impact": "none",
                "health_and_safety_statement": "There is no health and safety impact beyond the existing control "
                                               "measures for public protection work.",
                "information_management": "Records restricted to the specialist team because disclosure to family "
                                          "members could endanger the victim.",
                "consultation_summary": "Community groups and survivors' organisations supported the approach and "
                                        "asked for the 'never mediate' rule to be explicit.",
                "implementation_plan": "Specialist training; briefing for front-line officers; awareness material "
                                       "for schools officers.",
                "monitoring_process": "Annual count of reports, protection orders and outcomes, with equality "
                                      "monitoring.",
            },
            eia={
                "aims": "Protect people at risk of harmful practices and prosecute offenders.",
                "evidence_and_data": "Force report data; national statistics on protection orders; survivor "
                                     "organisations' evidence.",
                "consultation_summary": "Survivors' organisations supported the policy.",
                "impacts": impacts(
                    NO_DIFFERENTIAL_IMPACT,
                    sex=("positive", "Women and girls are most often at risk; the policy names male victims of "
                                     "forced marriage too."),
                    age=("positive", "Children and young adults are most at risk."),
                    race=("positive", "Protects people in communities where the practices occur."),
                    religion_belief=("positive", "States that no religion requires the practices."),
                ),
                "mitigation": "Professional interpreters; no mediation with families.",
                "decision": "no_major_change",
                "decision_rationale": "No adverse impact identified.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "No health and safety impact beyond existing public protection measures.",
                             "Statement of no impact included in the Workbook.", True),
                Consultation("Director", "Survivors of Harmful Practices Network", COMMUNITY,
                             "Make explicit that officers must never mediate with families.",
                             "Added to the disclosure SOP.", True),
            ),
            revision={
                "statement": (
                    "<p>Female genital mutilation, forced marriage and so-called honour-based abuse are crimes and "
                    "serious violations of human rights. No cultural, religious or family reason justifies them.</p>"
                    "<p>Officers will treat any disclosure as urgent, speak to the person alone, never use family "
                    "members as interpreters, and seek protection orders where needed.</p>"
                    "<p>The force will work with community organisations to build confidence to report, without "
                    "stigmatising any community.</p>"
                ),
                "eia": {
                    "impacts": impacts(
                        NO_DIFFERENTIAL_IMPACT,
                        sex=("positive", "Women and girls are most often at risk; the policy names male victims of "
                                         "forced marriage too."),
                        age=("positive", "Children and young adults are most at risk."),
                        race=("negative", "Risk that communities feel stigmatised and targeted, reducing "
                                          "reporting."),
                        religion_belief=("positive", "States that no religion requires the practices."),
                        disability=("positive", "People with learning disabilities are at heightened risk of "
                                                "forced marriage because they may not be able to consent."),
                        sexual_orientation=("positive", "Lesbian, gay and bisexual people are at risk of forced "
                                                        "marriage and 'honour' abuse; named in the SOP."),
                    ),
                    "mitigation": "Community engagement plan agreed with the Survivors of Harmful Practices "
                                  "Network; awareness material reviewed by community representatives.",
                    "decision": "adjust",
                    "decision_rationale": "Policy adjusted to add community engagement and to name disabled and "
                                          "LGB people at risk.",
                },
            },
        ),
        steps=(
            *scoped(200, commissioned_after=8),
            *developed(186, responses_after=40, assessed_after=100),
            Step(42, "submit"),
            Step(37, "qa", options={"discipline": "pcu", "comments": "Format and SOPs fine."}),
            Step(33, "return", options={
                "discipline": "dcfd",
                "comments": "The EIA does not consider the risk of stigmatising communities, nor people with "
                            "learning disabilities or LGB people at risk of forced marriage. Please revise and "
                            "add a community engagement plan."}),
            Step(12, "revise"),
        ),
    ),
    # Submitted for quality assurance: PCU has signed off, DCFD and DOI have not.
    PolicySpec(
        title="Hate Crime",
        group="TP", unit="Public Protection Policy Unit", risk_tier="high",
        registered_file_reference="RF/TP/PP/0122",
        purpose="To make sure hate crime is recognised, recorded, investigated and supported consistently "
                "across London.",
        relevant_to="All police officers, police staff and volunteers.",
        package=Package(
            statement=(
                "<p>Any incident perceived by the victim or anyone else to be motivated by hostility or prejudice "
                "based on disability, race, religion, sexual orientation or transgender identity will be recorded "
                "as a hate incident or crime.</p>"
                "<p>Every hate crime will be investigated to the same standard as any other crime, with evidence of "
                "hostility gathered so that the court can increase the sentence. Victims will be offered referral "
                "to support services.</p>"
            ),
            sops=(
                Sop("Recording and initial investigation",
                    "<p>Record the perception of hostility on the crime report and flag the strand(s). Gather "
                    "evidence of hostility (words used, online material, previous incidents) at the first "
                    "opportunity.</p>",
                    publish_externally=True),
                Sop("Third-party reporting and victim support",
                    "<p>Accept reports from third-party reporting centres as if made in person. Offer every victim "
                    "a referral to a support service within 48 hours.</p>",
                    publish_externally=True),
            ),
            workbook={
                "need": "Hate crime recording and investigation vary between boroughs; victims report lower "
                        "satisfaction than for other crime.",
                "legislation": "Crime and Disorder Act 1998 (aggravated offences); Sentencing Act 2020 (s.66); "
                               "Public Order Act 1986 (Parts 3 and 3A); Equality Act 2010.",
                "data_and_statistics": "About 25,000 hate crimes recorded a year; victim satisfaction 64% against "
                                       "73% for all crime.",
                "costs_and_resources": "Existing resources; an e-learning module built by the learning team.",
                "benefits": "Better recording and evidence of hostility; improved victim confidence.",
                "health_and_safety_impact": "none",
                "health_and_safety_statement": "There is no health and safety impact: the policy changes recording "
                                               "and investigative standards only.",
                "information_management": "Strand flags on the crime system; third-party reports recorded within "
                                          "24 hours.",
                "consultation_summary": "Community advisory groups supported the policy; asked for third-party "
                                        "reporting to be given equal status.",
                "implementation_plan": "E-learning for all officers; briefings by borough hate crime leads.",
                "monitoring_process": "Monthly recording and outcome data by strand; annual victim survey.",
            },
            eia={
                "aims": "Increase confidence to report hate crime and improve outcomes for victims.",
                "evidence_and_data": "Crime data by strand; victim satisfaction survey; community advisory group "
                                     "feedback.",
                "consultation_summary": "Advisory groups asked for equal status for third-party reports: adopted.",
                "impacts": impacts(
                    NO_DIFFERENTIAL_IMPACT,
                    disability=("positive", "Disability hate crime is the most under-reported strand."),
                    race=("positive", "Largest strand by volume."),
                    religion_belief=("positive", "Covers antisemitic and anti-Muslim hate crime."),
                    sexual_orientation=("positive", "Covers homophobic and biphobic hate crime."),
                    gender_reassignment=("positive", "Covers transphobic hate crime."),
                ),
                "mitigation": "None needed.",
                "decision": "no_major_change",
                "decision_rationale": "Positive impact on the five monitored strands; none adverse.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "Agree there is no health and safety impact.", "Statement of no impact recorded.", True),
                Consultation("Chair", "London Hate Crime Community Advisory Group", COMMUNITY,
                             "Asks that third-party reports be treated exactly as reports made in person.",
                             "Adopted in the SOP.", True),
                Consultation("Co-ordinator", "Third-Party Reporting Centres Partnership", EXTERNAL,
                             "Welcomes the 48-hour support referral.", "No change needed.", True),
            ),
        ),
        steps=(
            *scoped(210, commissioned_after=12),
            *developed(176, responses_after=40, assessed_after=150),
            Step(6, "submit"),
            Step(3, "qa", options={"discipline": "pcu", "comments": "Corporate format and plain English: passed."}),
        ),
    ),
    # Commissioning: waiting for the Lead's decision.
    PolicySpec(
        title="Vulnerable Adults",
        group="TP", unit="Public Protection Policy Unit", risk_tier="high",
        registered_file_reference="RF/TP/PP/0131",
        purpose="To set out how officers identify adults at risk of abuse or neglect and work with local "
                "authorities to protect them.",
        relevant_to="All police officers and police staff.",
        package=Package(
            workbook={
                "need": "Referrals of adults at risk to local authorities are inconsistent and often lack the "
                        "information needed for a safeguarding enquiry.",
                "legislation": "Care Act 2014 (s.42); Mental Capacity Act 2005; Human Rights Act 1998.",
                "data_and_statistics": "About 30,000 adult coming-to-notice reports a year; local authorities "
                                       "report that a third lack consent or capacity information.",
                "costs_and_resources": "No new posts; changes to the existing coming-to-notice form.",
                "benefits": "Better-quality referrals; earlier protection for adults at risk.",
            },
            eia={
                "aims": "Protect adults at risk of abuse or neglect while respecting their autonomy.",
                "evidence_and_data": "Referral volumes and quality audits by three local authorities.",
            },
        ),
        steps=(Step(40, "start"), Step(9, "request_commissioning")),
    ),
    # Scoping: early drafting, consultation with SHRMT sent.
    PolicySpec(
        title="Social media",
        group="TP", unit="Neighbourhood Policing Policy Unit", risk_tier="low",
        purpose="To set out how officers and staff use social media, personally and on official neighbourhood "
                "accounts, without compromising investigations, safety or public confidence.",
        relevant_to="All police officers, police staff and volunteers.",
        package=Package(
            statement=(
                "<p>Official accounts are a valuable way to engage with communities and will be run by trained, "
                "authorised staff. Personal use must not bring the force into disrepute, disclose police "
                "information, or compromise anyone's safety.</p>"
            ),
            sops=(
                Sop("Running an official neighbourhood account",
                    "<p>Accounts are authorised by the borough commander, registered with the corporate "
                    "communications team, and moderated during working hours.</p>"),
            ),
            workbook={
                "need": "More than 400 official neighbourhood accounts exist with no common standard; misconduct "
                        "cases involving personal social media have increased.",
                "legislation": "Data Protection Act 2018; Communications Act 2003 (s.127); Standards of "
                               "Professional Behaviour.",
            },
            eia={"aims": "Support safe and effective engagement with communities online."},
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT),
                Consultation("Head of digital engagement", "Directorate of Media and Communications", INTERNAL),
            ),
        ),
        steps=(Step(21, "start"), Step(8, "draft")),
        cast={"developer": "leaver"},
    ),
    # QA passed: ready for the co-ordinator to forward to the Lead.
    PolicySpec(
        title="Missing Persons",
        group="TP", unit="Public Protection Policy Unit", risk_tier="high",
        registered_file_reference="RF/TP/PP/0119",
        purpose="To make sure reports of missing people are risk-assessed, investigated and resolved "
                "consistently, and that the reasons people go missing are addressed.",
        relevant_to="All police officers and police staff, in particular call handlers and response officers.",
        package=Package(
            statement=(
                "<p>Every report of a missing person will be accepted, risk-assessed and investigated in proportion "
                "to the risk. Supervisors will review the risk at set intervals.</p>"
                "<p>When a missing person is found, a return interview will be offered to understand why they went "
                "missing and to reduce the risk of it happening again.</p>"
            ),
            sops=(
                Sop("Risk assessment and supervision",
                    "<p>Grade the risk as high, medium or low on the report; a sergeant reviews it within two hours, "
                    "an inspector within six.</p>",
                    publish_externally=True),
                Sop("Found persons and return interviews",
                    "<p>Complete a safe and well check when the person is found; refer children for an independent "
                    "return interview within 72 hours.</p>"),
            ),
            workbook={
                "need": "Missing person investigations consume significant resources; risk grading varies.",
                "legislation": "Children Act 2004 (s.11); Human Rights Act 1998 (Article 2); national guidance on "
                               "missing persons.",
                "data_and_statistics": "About 45,000 reports a year; 60% concern children; 8% graded high risk.",
                "costs_and_resources": "Within existing resources.",
                "benefits": "Better risk grading; fewer repeat missing episodes.",
                "health_and_safety_impact": "impact",
                "health_and_safety_statement": "Searches of open water, derelict buildings and railways carry risk; "
                                               "SOP requires a search adviser's assessment before such searches.",
                "information_management": "Reports on the missing person system; retention under the force "
                                          "schedule.",
                "consultation_summary": "Children's services and a missing persons charity supported the return "
                                        "interview standard.",
                "implementation_plan": "Briefing and updated call-handling scripts.",
                "monitoring_process": "Quarterly repeat-missing rates; audit of risk reviews.",
            },
            eia={
                "aims": "Find missing people quickly and safely and reduce repeat episodes.",
                "evidence_and_data": "Missing person data by age, sex and ethnicity; serious case reviews.",
                "consultation_summary": "Partners supported the approach.",
                "impacts": impacts(
                    NO_DIFFERENTIAL_IMPACT,
                    age=("positive", "Children and older people with dementia are prioritised by risk."),
                    disability=("positive", "Mental ill health and dementia are explicit risk factors."),
                    race=("neutral", "Grading by ethnicity is monitored to detect any disparity."),
                ),
                "mitigation": "Monitoring of risk grading by ethnicity.",
                "decision": "no_major_change",
                "decision_rationale": "No adverse impact identified.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "Require a search adviser's assessment for hazardous search areas.",
                             "Added to the risk assessment SOP.", True),
                Consultation("Head of services", "Missing People Support Charity", EXTERNAL,
                             "Supports independent return interviews within 72 hours.", "Adopted.", True),
            ),
        ),
        steps=(
            *scoped(300, commissioned_after=9),
            *developed(270, responses_after=35, assessed_after=200),
            *quality_assured(24),
        ),
    ),
    # With the Designated Lead for approval.
    PolicySpec(
        title="Stop and Search",
        group="TP", unit="Operational Policing Standards Unit", risk_tier="high",
        registered_file_reference="RF/TP/OPS/0045",
        purpose="To make sure stop and search is used lawfully, fairly and effectively, and that the public can "
                "scrutinise its use.",
        relevant_to="All police officers and special constables; supervisors of officers who use the powers.",
        package=Package(
            statement=(
                "<p>Stop and search is an important power that must be used lawfully, with reasonable grounds, "
                "and with courtesy. Every encounter will be recorded on body-worn video and the person will be "
                "offered a record.</p>"
                "<p>Supervisors will review the grounds recorded, and the use of the powers will be open to "
                "scrutiny by community monitoring groups.</p>"
            ),
            sops=(
                Sop("Conducting a search",
                    "<p>Explain the grounds, the object of the search, the officer's name and station, and the "
                    "right to a record (GOWISELY). Activate body-worn video before the encounter.</p>",
                    publish_externally=True),
                Sop("Supervision and community scrutiny",
                    "<p>Sergeants review the grounds of every search recorded by their team each week; a sample of "
                    "video is viewed by the community monitoring group each month.</p>",
                    publish_externally=True),
            ),
            workbook={
                "need": "Public confidence in stop and search is low in some communities; recording of grounds is "
                        "inconsistent.",
                "legislation": "Police and Criminal Evidence Act 1984 (s.1) and Code A; Misuse of Drugs Act 1971 "
                               "(s.23); Criminal Justice and Public Order Act 1994 (s.60); Equality Act 2010.",
                "data_and_statistics": "Around 200,000 searches a year; find rate 22%; people from Black "
                                       "communities are searched at a higher rate than their share of the "
                                       "population.",
                "costs_and_resources": "Existing body-worn video; community monitoring groups supported from the "
                                       "engagement budget.",
                "benefits": "Better-grounded searches, a higher find rate and greater public confidence.",
                "health_and_safety_impact": "impact",
                "health_and_safety_statement": "Searches may expose officers to sharp objects and assault. Control "
                                               "measures (safe search technique, gloves) are set out in the SOP.",
                "information_management": "Records on the stop and search system; video retained 31 days unless "
                                          "evidential or requested.",
                "consultation_summary": "Community monitoring groups asked for video review and for receipts to be "
                                        "offered in every case; both adopted.",
                "implementation_plan": "Refresher training for all officers; monthly data published by borough.",
                "monitoring_process": "Monthly searches, find rates and outcomes by ethnicity, age and sex; "
                                      "community group review.",
            },
            eia={
                "aims": "Lawful, fair and effective use of stop and search that commands public confidence.",
                "evidence_and_data": "Searches by ethnicity, age and sex against the resident population; complaint "
                                     "data; community survey.",
                "consultation_summary": "Community groups acknowledged the scrutiny measures but remain concerned "
                                        "about disproportionality.",
                "impacts": impacts(
                    NO_DIFFERENTIAL_IMPACT,
                    race=("negative", "Black people are searched at a higher rate than their share of the "
                                      "population."),
                    age=("negative", "Young men aged 15-24 are searched far more than other age groups."),
                    sex=("neutral", "Men are searched more, in line with suspect profiles for the offences."),
                    religion_belief=("neutral", "Officers must respect religious dress; searches of headgear in "
                                                "private by an officer of the same sex."),
                    gender_reassignment=("neutral", "Searches of trans people follow the person's affirmed gender."),
                ),
                "mitigation": "Body-worn video, supervisory review of grounds, community scrutiny and publication "
                              "of data by ethnicity.",
                "decision": "continue",
                "decision_rationale": "The powers are necessary to tackle violence and weapon carrying; the "
                                      "disproportionality is mitigated by scrutiny and kept under monthly review.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "Include safe search technique and protective gloves.", "Added to the SOP.", True),
                Consultation("Chair", "Borough Community Monitoring Groups' Network", COMMUNITY,
                             "Want video review and receipts in every case.", "Both adopted.", True),
                STAFF_ASSOCIATION_CONSULTATION,
            ),
        ),
        steps=(
            *scoped(330, commissioned_after=6),
            *developed(300, responses_after=50, assessed_after=240),
            *quality_assured(45),
            Step(28, "forward_to_lead"),
        ),
    ),
    # EMERGENCY approval, published and awaiting its EIA. OFFICIAL-SENSITIVE with OFFICIAL-SENSITIVE SOPs.
    PolicySpec(
        title="Taser extension",
        group="TP", unit="Operational Policing Standards Unit", risk_tier="high",
        protective_marking="official_sensitive", suitable_for_publication_scheme=False,
        registered_file_reference="RF/TP/OPS/0061",
        purpose="To extend the carriage of Taser to trained officers in emergency response roles, following the "
                "Commissioner's Policy Forum's recommendation.",
        relevant_to="Officers trained and authorised to carry Taser; their supervisors.",
        package=Package(
            statement=(
                "<p>Taser may be carried only by officers who are trained, authorised and in date for "
                "refresher training. It may be used only where it is necessary, proportionate and lawful, and "
                "every use, including drawing and aiming, will be recorded and reviewed.</p>"
            ),
            sops=(
                Sop("Authorisation, carriage and deployment",
                    "<p>Deployment tactics, authorisation levels and the carriage arrangements for response "
                    "vehicles.</p>",
                    protective_marking="official_sensitive"),
                Sop("Aftercare and post-deployment review",
                    "<p>After a discharge, provide first aid, call an ambulance where needed, and inform the duty "
                    "inspector. Every use is reviewed by the professional standards champion.</p>",
                    protective_marking="official_sensitive"),
            ),
            workbook={
                "need": "Assaults on officers in response roles have risen; the Forum recommended extending Taser "
                        "carriage at once to meet the operational need.",
                "legislation": "Criminal Law Act 1967 (s.3); Police and Criminal Evidence Act 1984 (s.117); "
                               "Human Rights Act 1998 (Articles 2 and 3); Firearms Act 1968 (s.5 authority).",
                "data_and_statistics": "Assaults on response officers up 14% in a year; Taser drawn but not "
                                       "discharged in 84% of recorded uses.",
                "costs_and_resources": "Devices and training funded from the operational capital budget.",
                "benefits": "Fewer injuries to officers and the public in violent confrontations.",
                "health_and_safety_impact": "impact",
                "health_and_safety_statement": "Discharge carries a risk of injury from falls and probes; aftercare "
                                               "and medical assessment are mandatory (see the aftercare SOP).",
                "information_management": "Use-of-force records and device download data retained under the "
                                          "firearms records schedule.",
                "consultation_summary": "SHRMT advised on aftercare; the Federation supported the extension.",
                "implementation_plan": "Phased training of response officers over six months.",
                "monitoring_process": "Monthly use-of-force data by ethnicity, age and sex; review of every "
                                      "discharge.",
            },
            eia={
                "aims": "Protect officers and the public by extending the option of Taser to response officers.",
                "evidence_and_data": "Use-of-force data; national research on Taser use; community feedback.",
                "impacts": impacts(
                    None,
                    race=("negative", "National data show Taser is used disproportionately on Black people."),
                    disability=("negative", "People in mental health crisis may not respond to warnings."),
                    age=("neutral", "Use on children and older people requires exceptional justification."),
                    pregnancy_maternity=("neutral", "Use on a person known to be pregnant is avoided except in "
                                                    "extreme circumstances."),
                    sex=("neutral", "No differential impact identified."),
                ),
                "mitigation": "Under assessment: community scrutiny of body-worn video of Taser uses is proposed.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "Aftercare and medical assessment must be mandatory after any discharge.",
                             "Aftercare SOP written.", True),
                STAFF_ASSOCIATION_CONSULTATION,
            ),
        ),
        steps=(
            *scoped(64, requested_after=1, commissioned_after=2),
            Step(50, "draft"),
            Step(40, "responses"),
            Step(38, "assess", options={"documents": ["workbook"]}),
            Step(34, "emergency_approve", options={
                "risk_statement": "Immediate operational need: assaults on response officers are rising. I accept "
                                  "the risk of publishing before the EIA is complete; the EIA will be completed "
                                  "within seven weeks.",
                "eia_due_in_days": 49,
            }),
            Step(34, "emergency_agree", options={"reason": "Agreed: the operational need is immediate."}),
            Step(33, "forward_for_publication"),
            Step(31, "publish", options={"on_publication_scheme": False}),
            Step(5, "assess", options={"documents": ["eia"]}),
        ),
        cast={"developer": "leaver"},
    ),
    # Withdrawn after being published for years.
    PolicySpec(
        title="Paper Pocket Notebooks",
        group="TP", unit="Operational Policing Standards Unit", risk_tier="low",
        registered_file_reference="RF/TP/OPS/0012",
        purpose="To set out the issue, use, retention and disposal of paper pocket notebooks.",
        relevant_to="All police officers and police community support officers.",
        package=Package(
            statement=(
                "<p>Officers will record their duties and evidential notes in an issued pocket notebook, in ink, "
                "contemporaneously, and will hand it in for retention when it is complete.</p>"
            ),
            sops=(
                Sop("Issue, use and retention",
                    "<p>Notebooks are issued by the station office and signed for. Completed notebooks are kept for "
                    "seven years, or longer if they relate to an undetected serious crime.</p>",
                    publish_externally=True),
            ),
            workbook={
                "need": "A consistent standard for original notes that may be disclosed in court.",
                "legislation": "Criminal Procedure and Investigations Act 1996 and its Code of Practice.",
                "data_and_statistics": "About 40,000 notebooks issued a year.",
                "costs_and_resources": "Printing and storage costs within budget.",
                "benefits": "Reliable original notes for court.",
                "health_and_safety_impact": "none",
                "health_and_safety_statement": "There is no health and safety impact.",
                "information_management": "Retention for seven years; secure destruction afterwards.",
                "consultation_summary": "No concerns raised.",
                "implementation_plan": "Notice to all officers.",
                "monitoring_process": "Annual audit of notebook returns.",
            },
            eia={
                "aims": "Reliable, disclosable original notes.",
                "evidence_and_data": "Court feedback on note-taking.",
                "consultation_summary": "No equality issues raised.",
                "impacts": impacts(
                    NO_DIFFERENTIAL_IMPACT,
                    disability=("neutral", "Officers with dyslexia may use approved alternatives as a reasonable "
                                           "adjustment."),
                ),
                "mitigation": "Reasonable adjustments available.",
                "decision": "no_major_change",
                "decision_rationale": "No adverse impact.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "No health and safety impact.", "Statement of no impact recorded.", True),
            ),
        ),
        steps=(
            *scoped(1720, commissioned_after=5),
            *developed(1700, responses_after=20, assessed_after=22),
            *quality_assured(1672),
            *approved(1660),
            *published(1650),
            # Issue 13: the Lead decides the withdrawal; PCU carries it out.
            Step(122, "decide_withdrawal", actor="lead", options={
                "reason": "Superseded by the electronic notebook on officers' mobile devices; the Digital Notes "
                          "policy replaces it."}),
            Step(120, "withdraw", actor="pcu", options={"comments": "Taken off the intranet and the Scheme."}),
        ),
    ),
    # Approved by the Lead; waiting for the co-ordinator to send it to PCU.
    PolicySpec(
        title="Kidnap and Extortion",
        group="SCO", unit="Serious and Organised Crime Policy Unit", risk_tier="high",
        registered_file_reference="RF/SCO/SOC/0019",
        purpose="To set out the force's response to kidnap, hostage-taking and extortion, where the first "
                "priority is the safe release of the victim.",
        relevant_to="Call handlers, response officers, senior investigating officers and specialist crime teams.",
        package=Package(
            statement=(
                "<p>In any kidnap or extortion the safe release of the victim is the first priority. The first "
                "officer to receive a report will inform the specialist kidnap unit at once and will take no "
                "overt action that could endanger the victim without its advice.</p>"
            ),
            sops=(
                Sop("First response to a reported kidnap",
                    "<p>Keep the reporting person on the line, record exactly what the kidnappers said, and contact "
                    "the specialist unit through the control room.</p>",
                    publish_externally=True),
                Sop("Negotiation and covert tactics",
                    "<p>Command structure, negotiation arrangements and covert tactical options.</p>",
                    protective_marking="official_sensitive"),
            ),
            workbook={
                "need": "Kidnaps are rare but high-harm; first responders need a clear, simple instruction.",
                "legislation": "Common law offence of kidnapping; Child Abduction Act 1984; Theft Act 1968 (s.21, "
                               "blackmail); Regulation of Investigatory Powers Act 2000.",
                "data_and_statistics": "About 600 kidnap and extortion reports a year, most linked to drugs "
                                       "debts.",
                "costs_and_resources": "Specialist unit already funded.",
                "benefits": "Safer resolution of kidnaps.",
                "health_and_safety_impact": "impact",
                "health_and_safety_statement": "Covert deployments carry risk to officers; control measures are in "
                                               "the OFFICIAL-SENSITIVE tactics SOP.",
                "information_management": "Intelligence handled under the intelligence management rules.",
                "consultation_summary": "Specialist unit and SHRMT comments adopted.",
                "implementation_plan": "Briefing to control room staff and senior investigating officers.",
                "monitoring_process": "Annual review of all cases and outcomes.",
            },
            eia={
                "aims": "Safe release of victims and prosecution of offenders.",
                "evidence_and_data": "Case reviews of the last three years.",
                "consultation_summary": "No equality concerns raised.",
                "impacts": impacts(
                    NO_DIFFERENTIAL_IMPACT,
                    race=("neutral", "Victims from some diaspora communities are targeted for ransom abroad; "
                                     "family liaison officers with language skills are provided."),
                ),
                "mitigation": "Interpreters and family liaison officers.",
                "decision": "no_major_change",
                "decision_rationale": "No adverse impact.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "Risk assessments for covert deployments must be recorded.",
                             "Covered in the tactics SOP.", True),
                Consultation("Head of unit", "Specialist Kidnap Unit", SUBJECT_EXPERT,
                             "Keep the first-response SOP to one page.", "Done.", True),
            ),
        ),
        steps=(
            *scoped(400, commissioned_after=7),
            *developed(380, responses_after=30, assessed_after=300),
            *quality_assured(70),
            Step(56, "forward_to_lead"),
            # Issue 13, tiered approval: high risk, so approved at the Commissioner's Policy Forum, minuted.
            Step(14, "approve", options={"comments": "Approved. The Forum noted the first-response SOP.",
                                         "minute_reference": "CPF/2026/11"}),
        ),
    ),
    # Approved and with PCU for publication (not yet scheduled).
    PolicySpec(
        title="Equality Impact Assessment Policy",
        group="HQ", unit="Equality and Inclusion Policy Unit", risk_tier="medium",
        registered_file_reference="RF/HQ/EI/0004",
        purpose="To make sure every policy, procedure and function is assessed for its impact on equality, as "
                "the public sector equality duty requires.",
        relevant_to="Everyone who develops or reviews policy, procedures or functions.",
        package=Package(
            statement=(
                "<p>Every new or reviewed policy will be assessed for its impact on people who share protected "
                "characteristics, using Form 6119a, before it is approved. Assessments are published on the "
                "Publication Scheme.</p>"
                "<p>An assessment is not a one-off: it is revisited when the policy is reviewed and when monitoring "
                "shows an adverse impact.</p>"
            ),
            sops=(
                Sop("Completing Form 6119a",
                    "<p>Start the assessment at scoping, gather evidence for each protected characteristic, consult "
                    "those affected, and record a decision with its rationale.</p>",
                    publish_externally=True),
                Sop("Quality assurance of assessments",
                    "<p>The Diversity and Citizen Focus Directorate quality-assures every assessment before the "
                    "policy goes to its Designated Lead.</p>",
                    publish_externally=True),
            ),
            workbook={
                "need": "Assessments vary in quality; some policies were approved with incomplete assessments.",
                "legislation": "Equality Act 2010 (s.149, public sector equality duty); Human Rights Act 1998.",
                "data_and_statistics": "An audit of 60 assessments found 22 with one or more characteristics not "
                                       "considered.",
                "costs_and_resources": "Within existing resources.",
                "benefits": "Compliance with the equality duty; better policies.",
                "health_and_safety_impact": "none",
                "health_and_safety_statement": "There is no health and safety impact.",
                "information_management": "Completed assessments published on the Publication Scheme.",
                "consultation_summary": "Staff networks asked for plain-English guidance; added.",
                "implementation_plan": "E-learning and a guide for policy developers.",
                "monitoring_process": "Annual audit of a sample of assessments by DCFD.",
            },
            eia={
                "aims": "Embed equality analysis in all policy development.",
                "evidence_and_data": "Audit of assessments; staff network feedback.",
                "consultation_summary": "Staff networks supported the policy.",
                "impacts": impacts("The policy requires every characteristic to be considered.",
                                   default_impact="positive"),
                "mitigation": "None needed.",
                "decision": "no_major_change",
                "decision_rationale": "Positive impact across all protected characteristics.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "No health and safety impact.", "Statement of no impact recorded.", True),
                Consultation("Chairs", "Staff Support Networks' Forum", STAFF_ASSOCIATION,
                             "Ask for plain-English guidance with examples.", "Guide added.", True),
            ),
        ),
        steps=(
            *scoped(260, commissioned_after=10),
            *developed(240, responses_after=30, assessed_after=80),
            *quality_assured(50),
            Step(36, "forward_to_lead"),
            Step(16, "approve", options={"comments": "Approved by the MetHQ Chief Officer Group."}),
            Step(9, "forward_for_publication"),
        ),
    ),
    # Reviewed (version 2.0) and scheduled for publication on a future date.
    PolicySpec(
        title="Management of Policy Development",
        group="DOR", unit="Strategy and Improvement Department", risk_tier="medium",
        registered_file_reference="RF/DOR/SID/0001",
        purpose="To provide the force with a consistent corporate process for developing, approving, publishing, "
                "monitoring and reviewing policy.",
        relevant_to="Management Board members, Designated Business Group Policy Leads, policy managers, "
                    "developers and co-ordinators, and the Policy Co-ordination Unit.",
        package=Package(
            statement=(
                "<p>Corporate policy will be developed through the six-stage cycle: identification and scoping, "
                "commissioning, development, approval, implementation, and monitoring and review.</p>"
                "<p>No corporate policy will be approved unless it has been impact assessed using the Corporate "
                "Policy Workbook and the Equality Impact Assessment. Every policy will be reviewed at least every "
                "three years and its monitoring report published annually.</p>"
            ),
            sops=(
                Sop("The corporate policy development cycle",
                    "<p>Describes each stage, the documents required and who is responsible for them.</p>",
                    publish_externally=True),
                Sop("Roles and responsibilities",
                    "<p>Sets out the role of Management Board members, Designated Leads, policy managers, "
                    "developers, co-ordinators, PCU, SHRMT, DCFD and DOI.</p>",
                    publish_externally=True),
            ),
            workbook={
                "need": "A consistent corporate policy process so that policy is necessary, lawful and up to date.",
                "legislation": "Equality Act 2010; Freedom of Information Act 2000 (Publication Scheme); Health "
                               "and Safety at Work etc. Act 1974.",
                "data_and_statistics": "About 250 corporate policies; 18% overdue for review at the last audit.",
                "costs_and_resources": "PCU staffing within existing budget.",
                "benefits": "Policies that are fit for purpose and published.",
                "health_and_safety_impact": "none",
                "health_and_safety_statement": "There is no direct health and safety impact; the process requires "
                                               "every policy to consult SHRMT and to contain its own statement.",
                "information_management": "Registered files and the corporate policy database.",
                "consultation_summary": "Co-ordinators asked for clearer timescales; added.",
                "implementation_plan": "Guide and training for policy developers.",
                "monitoring_process": "Quarterly report to Performance Board on overdue reviews and monitoring.",
            },
            eia={
                "aims": "A consistent process that embeds equality analysis in every policy.",
                "evidence_and_data": "Audit of policy compliance.",
                "consultation_summary": "No equality concerns.",
                "impacts": impacts("Indirectly positive: every policy must be impact assessed.",
                                   default_impact="positive"),
                "mitigation": "None needed.",
                "decision": "no_major_change",
                "decision_rationale": "No adverse impact.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "The process must require SHRMT consultation for every policy.",
                             "Included in the cycle SOP.", True),
                Consultation("Business group co-ordinators", "Business Group Policy Co-ordinators' Network",
                             INTERNAL, "Ask for clearer timescales.", "Added: allow at least 6 months for a review.",
                             True),
            ),
        ),
        review=Review(
            summary_of_changes="Adds risk-tiered approval (high risk to the Commissioner's Policy Forum, medium "
                               "and low to the Chief Officer Group), the emergency route with a retrospective EIA, "
                               "and electronic submission through PolicyHub.",
            statement=(
                "<p>Corporate policy will be developed through the six-stage cycle: identification and scoping, "
                "commissioning, development, approval, implementation, and monitoring and review.</p>"
                "<p>No corporate policy will be approved unless it has been impact assessed using the Corporate "
                "Policy Workbook and the Equality Impact Assessment, save where a Designated Lead approves it by "
                "the emergency route to meet an immediate operational need, in consultation with PCU; the "
                "assessment is then completed as soon as reasonably practicable.</p>"
                "<p>High-risk policy is approved through the Commissioner's Policy Forum, medium and low risk "
                "through the business group's Chief Officer Group. Every policy will be reviewed at least every "
                "three years and its monitoring report published annually.</p>"
            ),
            sops=(
                Sop("The corporate policy development cycle",
                    "<p>Describes each stage, the documents required and who is responsible for them. Submission, "
                    "quality assurance, approval and publication are recorded in PolicyHub.</p>",
                    publish_externally=True),
            ),
            workbook={
                "data_and_statistics": "About 260 corporate policies; 11% overdue for review at the last audit.",
                "consultation_summary": "Co-ordinators welcomed electronic submission; Leads asked for the "
                                        "emergency route to be explicit. Both done.",
            },
            eia={"consultation_summary": "No equality concerns raised in the review."},
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "No change to the health and safety requirements.", "None needed.", True),
                Consultation("Business group co-ordinators", "Business Group Policy Co-ordinators' Network",
                             INTERNAL, "Welcome electronic submission.", "Adopted.", True),
            ),
        ),
        reports=(
            Report(
                compliance="82% of corporate policies were within their review date at year end.",
                benefits="Average time from commissioning to publication fell from 11 to 9 months.",
                performance="All business groups reported to Performance Board quarterly.",
                diversity_impact="Every policy approved in the year had a complete EIA.",
            ),
        ),
        steps=(
            *scoped(1240, commissioned_after=8),
            *developed(1220),
            *quality_assured(1180),
            *approved(1168),
            *published(1158),
            *monitored(780),
            Step(765, "report_response", options={
                "outcome": "no_action", "reasons": "Review compliance improving; no remedial action needed."}),
            Step(230, "start_review", options={"reason": "Three-yearly review."}),
            Step(228, "rescope"),
            Step(227, "read_reports", options={
                "changes": "Electronic submission and the reminder schedule respond to the 18% of policies found "
                           "past their review date."}),
            Step(226, "request_commissioning"),
            Step(220, "commission", options={"comments": "Review commissioned."}),
            *developed(200, responses_after=40, assessed_after=80),
            *quality_assured(60),
            *approved(40, comments="Approved by the Directorate of Resources Chief Officer Group."),
            Step(22, "forward_for_publication"),
            Step(18, "publish", options={"publish_in_days": 10, "on_publication_scheme": True}),
        ),
    ),
    # Monitoring; the annual monitoring report is OVERDUE (review not yet due).
    PolicySpec(
        title="Corporate Health and Safety",
        group="DOR", unit="Health and Safety Policy Unit", risk_tier="medium",
        registered_file_reference="RF/DOR/HS/0002",
        purpose="To set out the force's commitment to the health, safety and welfare of officers, staff and "
                "visitors, and how it is managed.",
        relevant_to="All police officers, police staff, volunteers and contractors.",
        package=Package(
            statement=(
                "<p>The force will, so far as is reasonably practicable, protect the health, safety and welfare "
                "of everyone who works for it or is affected by its work. Risks will be assessed and controlled, "
                "and accidents, incidents and near misses reported and learned from.</p>"
                "<p>Managers at every level are responsible for health and safety in their area.</p>"
            ),
            sops=(
                Sop("Risk assessment",
                    "<p>Managers identify hazards, assess risks and record control measures, reviewing them "
                    "annually or after an incident.</p>",
                    publish_externally=True),
                Sop("Accident and incident reporting",
                    "<p>Report every accident, incident and near miss on the safety system within 24 hours; "
                    "reportable incidents go to the regulator through SHRMT.</p>",
                    publish_externally=True),
            ),
            workbook={
                "need": "The force must have a written health and safety policy.",
                "legislation": "Health and Safety at Work etc. Act 1974 (s.2(3)); Management of Health and Safety "
                               "at Work Regulations 1999; Reporting of Injuries, Diseases and Dangerous Occurrences "
                               "Regulations 2013.",
                "data_and_statistics": "About 4,000 accidents and incidents reported a year; assaults are the "
                                       "largest category.",
                "costs_and_resources": "SHRMT staffing within budget.",
                "benefits": "Fewer injuries and lost working days.",
                "health_and_safety_impact": "impact",
                "health_and_safety_statement": "This is the force's health and safety policy: it defines the "
                                               "safety management system.",
                "information_management": "Safety records retained under the force schedule.",
                "consultation_summary": "Trade unions and the Federation supported the policy.",
                "implementation_plan": "Manager training; intranet guidance.",
                "monitoring_process": "Quarterly accident statistics to the Health and Safety Board.",
            },
            eia={
                "aims": "Protect the health, safety and welfare of everyone affected by the force's work.",
                "evidence_and_data": "Accident data by role, age and sex.",
                "consultation_summary": "No equality concerns raised.",
                "impacts": impacts(
                    NO_DIFFERENTIAL_IMPACT,
                    pregnancy_maternity=("positive", "New and expectant mothers have individual risk assessments."),
                    disability=("positive", "Personal emergency evacuation plans for disabled staff."),
                    age=("neutral", "Risk assessments consider young workers and older workers."),
                ),
                "mitigation": "Individual risk assessments.",
                "decision": "no_major_change",
                "decision_rationale": "No adverse impact.",
            },
            consultations=(
                Consultation("Head of SHRMT", "Safety and Health Risk Management Team", SHRMT,
                             "SHRMT drafted the technical content; no further comments.", "None needed.", True),
                Consultation("Health and safety representatives", "Police staff trade unions", STAFF_ASSOCIATION,
                             "Support the policy.", "No change.", True),
            ),
        ),
        reports=(
            Report(
                compliance="Risk assessments in date for 91% of premises and 86% of roles.",
                benefits="Lost working days from injury fell 6%.",
                performance="Reportable incidents reported within the statutory time in 97% of cases.",
                diversity_impact="All expectant mothers who notified their manager had an individual assessment.",
            ),
        ),
        steps=(
            *scoped(880, commissioned_after=6),
            *developed(865, responses_after=20, assessed_after=22),
            *quality_assured(840),
            *approved(830),
            *published(823),
            *monitored(450),
        ),
    ),
    # Implementation: recently published.
    PolicySpec(
        title="Good Conduct and Anti-Fraud",
        group="PROF", unit="Counter-Corruption Policy Unit", risk_tier="medium",
        registered_file_reference="RF/PROF/CC/0014",
        purpose="To set out the standards of honesty and integrity expected of everyone in the force and how "
                "fraud and corruption are prevented, reported and investigated.",
        relevant_to="All police officers, police staff, volunteers and contractors.",
        package=Package(
            statement=(
                "<p>Everyone in the force will act with honesty and integrity, declare interests, gifts and "
                "hospitality, and report suspected fraud or corruption. Reports can be made confidentially and "
                "those who report in good faith will be supported.</p>"
            ),
            sops=(
                Sop("Declaring interests, gifts and hospitality",
                    "<p>Declare any business interest, and any gift or hospitality offered, on the register within "
                    "seven days, whether accepted or not.</p>",
                    publish_externally=True),
                Sop("Investigating suspected fraud",
                    "<p>Referral criteria, investigative and covert options, and liaison with the Crown Prosecution "
                    "Service.</p>",
                    protective_marking="official_sensitive"),
            ),
            workbook={
                "need": "Fraud and corruption undermine public confidence; the previous guidance was fragmented.",
                "legislation": "Fraud Act 2006; Bribery Act 2010; Police (Conduct) Regulations 2020; Public "
                               "Interest Disclosure Act 1998.",
                "data_and_statistics": "About 350 corruption and fraud referrals a year.",
                "costs_and_resources": "Within existing resources.",
                "benefits": "Clear standards; confidence to report.",
                "health_and_safety_impact": "none",
                "health_and_safety_statement": "There is no health and safety impact.",
                "information_management": "Registers held by Professionalism; investigation records restricted.",
                "consultation_summary": "Staff associations asked for protection of those who report; added.",
                "implementation_plan": "Intranet notice and mandatory e-learning.",
                "monitoring_process": "Annual register compliance audit; referral and outcome data.",
            },
            eia={
                "aims": "Honesty and integrity throughout the force.",
                "evidence_and_data": "Referral data by protected characteristic of the subject.",
                "consultation_summary": "Staff networks asked for monitoring of referrals by ethnicity: adopted.",
                "impacts": impacts(
                    NO_DIFFERENTIAL_IMPACT,
                    race=("neutral", "Referral rates by ethnicity are monitored to detect disproportionality."),
                ),
                "mitigation": "Monitoring of referrals by ethnicity.",
                "decision": "no_major_change",
                "decision_rationale": "No adverse impact.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "No health and safety impact.", "Statement of no impact recorded.", True),
                Consultation("Chairs", "Staff Support Networks' Forum", STAFF_ASSOCIATION,
                             "Monitor referrals by ethnicity.", "Adopted.", True),
            ),
        ),
        steps=(
            *scoped(380, commissioned_after=10),
            *developed(360, responses_after=30, assessed_after=200),
            *quality_assured(100),
            *approved(85),
            *published(52, implemented_after=None, on_publication_scheme=True),
        ),
    ),
    # Monitoring; review OVERDUE, its monitoring up to date: ready to conclude with no change. OFFICIAL-SENSITIVE.
    PolicySpec(
        title="Counter-Terrorism Protective Security Advice",
        group="SO", unit="Protective Security Policy Unit", risk_tier="high",
        protective_marking="official_sensitive", suitable_for_publication_scheme=False,
        registered_file_reference="RF/SO/PS/0008",
        purpose="To set out how counter-terrorism security advisers give protective security advice to crowded "
                "places and critical sites.",
        relevant_to="Counter-terrorism security advisers and their supervisors.",
        package=Package(
            statement=(
                "<p>Counter-terrorism security advisers will prioritise their advice by threat and "
                "vulnerability, record it, and follow up its implementation.</p>"
            ),
            sops=(
                Sop("Prioritising and recording advice",
                    "<p>Prioritisation criteria and site assessment records.</p>",
                    protective_marking="official_sensitive"),
            ),
            workbook={
                "need": "Advice is given inconsistently and not always followed up.",
                "legislation": "Counter-Terrorism and Security Act 2015; Terrorism Act 2000.",
                "data_and_statistics": "About 1,200 site visits a year.",
                "costs_and_resources": "Adviser posts already funded.",
                "benefits": "Reduced vulnerability of crowded places.",
                "health_and_safety_impact": "none",
                "health_and_safety_statement": "There is no health and safety impact beyond advisers' existing "
                                               "lone-working arrangements.",
                "information_management": "Site records are OFFICIAL-SENSITIVE and held on the restricted system.",
                "consultation_summary": "SHRMT and advisers consulted; no concerns.",
                "implementation_plan": "Adviser team briefing.",
                "monitoring_process": "Annual review of advice given and followed up.",
            },
            eia={
                "aims": "Consistent, prioritised protective security advice.",
                "evidence_and_data": "Site visit records.",
                "consultation_summary": "No equality concerns.",
                "impacts": impacts(
                    NO_DIFFERENTIAL_IMPACT,
                    religion_belief=("positive", "Places of worship are included in the priority criteria."),
                ),
                "mitigation": "None needed.",
                "decision": "no_major_change",
                "decision_rationale": "No adverse impact.",
            },
            consultations=(
                Consultation("Health and safety adviser", "Safety and Health Risk Management Team", SHRMT,
                             "Lone-working arrangements already cover site visits.", "Statement recorded.", True),
            ),
        ),
        reports=(
            Report(
                compliance="Priority sites visited: 96%.",
                benefits="Advice implemented in full at 71% of sites followed up.",
                performance="Follow-up visits made within six months at 64% of sites.",
                diversity_impact="Places of worship of all faiths were visited in proportion to their number.",
            ),
            Report(
                compliance="Priority sites visited: 97%; every site visited within the year of its listing.",
                benefits="Advice implemented in full at 78% of sites followed up.",
                performance="Follow-up visits made within six months at 81% of sites, after the reminder schedule.",
                diversity_impact="Places of worship of all faiths were visited in proportion to their number.",
            ),
            Report(
                compliance="Priority sites visited: 98%.",
                benefits="Advice implemented in full at 80% of sites followed up.",
                performance="Follow-up visits made within six months at 86% of sites.",
                diversity_impact="No differential impact: visits and take-up even across faiths and areas.",
            ),
        ),
        # Its three annual reports written, quality-assured, published and answered by its Lead, none overdue: the
        # review date has passed and the Lead may conclude the review with no change (lifecycle.gates_no_change
        # asks the monitoring to be in and answered, SOP stage 6: "This monitoring data then feeds into future policy
        # reviews"). Domestic Abuse shows what holds that conclusion back.
        steps=(
            *scoped(1460, commissioned_after=6),
            *developed(1440, responses_after=15, assessed_after=18),
            *quality_assured(1415),
            *approved(1404),
            *published(1392),
            *monitored(1010),
            Step(995, "report_response", options={
                "outcome": "remedial", "due_in_days": 120,
                "reasons": "Follow-up visits within six months at 64% of sites: too few to know the advice was taken.",
                "action": "Put every priority site's follow-up visit in the counter-terrorism security advisers' "
                          "diary when the advice is given."}),
            Step(870, "remedial_done", options={
                "outcome": "Follow-up visits are now booked when the advice is given, and chased monthly."}),
            *monitored(650, report=1),
            Step(636, "report_response", options={
                "outcome": "no_action", "reasons": "Follow-up rate up to 81% since the visits are booked."}),
            *monitored(285, report=2),
            Step(271, "report_response", options={
                "outcome": "no_action", "reasons": "Steady improvement; the policy works as written."}),
        ),
    ),
    # Issue 13: a local work instruction, written by a unit head of Specialist Crime & Operations to supplement
    # Territorial Policing's Domestic Abuse policy: its Designated Lead agreed first, then the unit's own business
    # group Lead approved it, without PCU. On the intranet for that group only; never on the Publication Scheme.
    PolicySpec(
        title="Domestic abuse referrals at the Safeguarding Hub",
        group="SCO", unit="Safeguarding and Child Protection Policy Unit", risk_tier="low", kind="local",
        supports="Domestic Abuse", suitable_for_publication_scheme=False,
        purpose="To set out how the Safeguarding Hub triages the domestic abuse referrals it receives from "
                "Territorial Policing, under the force's Domestic Abuse policy.",
        relevant_to="Staff of the Safeguarding and Child Protection Policy Unit's referral hub.",
        package=Package(
            statement=(
                "<p>Every domestic abuse referral that names a child is triaged by a hub supervisor within four "
                "working hours, and shared with children's social care the same day when the risk is high.</p>"
            ),
            eia={
                "aims": "Triage referrals consistently and quickly, whoever the victim is.",
                "evidence_and_data": "Hub referral log for the last year: 2,400 referrals, 31% naming a child.",
                "impacts": impacts(NO_DIFFERENTIAL_IMPACT,
                                   age=("positive", "Referrals naming a child are triaged first.")),
                "decision": "no_major_change",
                "decision_rationale": "No adverse impact identified; the triage order favours children at risk.",
            },
        ),
        steps=(
            Step(60, "start", actor="manager2"),
            Step(55, "draft", actor="manager2"),
            Step(50, "assess", actor="manager2", options={"documents": ("eia",)}),
            # The Domestic Abuse policy's Designated Lead (Territorial Policing).
            Step(45, "agree_local", actor="lead"),
            Step(40, "approve_local"),
        ),
    ),
)
