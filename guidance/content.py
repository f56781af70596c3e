"""The public information pages a public-sector website must have, and the Freedom of Information route: each page's
structure (its sections and their headings) is fixed here; each section's text is PCU's to edit (sanitised rich
text, audited), starting from the text below.

The accessibility statement follows the GOV.UK model statement ("Sample accessibility statement for a website",
Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    default: str  # the text shown until PCU edits it (sanitised rich text)


@dataclass(frozen=True)
class SitePage:
    slug: str
    title: str
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        return next(section for section in self.sections if section.key == key)


ACCESSIBILITY = SitePage("accessibility", "Accessibility statement", (
    Section("intro", "Accessibility statement for this service",
            "<p>This accessibility statement applies to the force's Publication Scheme of corporate policies and to "
            "PolicyHub, the service staff use to develop, approve, publish and review them.</p>"
            "<p>This website is run by the Policy Co-ordination Unit. We want as many people as possible to be able "
            "to use it. For example, that means you should be able to:</p><ul><li><p>change colours, contrast "
            "levels and fonts using browser or device settings</p></li><li><p>zoom in up to 400% without the text "
            "spilling off the screen</p></li><li><p>navigate most of the website using a keyboard or speech "
            "recognition software</p></li><li><p>listen to most of the website using a screen reader</p></li></ul>"
            "<p>We've also made the website text as simple as possible to understand.</p>"),
    Section("how_accessible", "How accessible this website is",
            "<p>We know some parts of this website are not fully accessible:</p><ul><li><p>some older policy "
            "documents are PDF files that may not be fully accessible to screen reader software</p></li><li><p>"
            "wide tables scroll sideways on small screens</p></li></ul>"),
    Section("feedback", "Feedback and contact information",
            "<p>If you need information on this website in a different format like accessible PDF, large print, "
            "easy read, audio recording or braille, contact the Policy Co-ordination Unit (the contact details are "
            "at the foot of every page). We'll consider your request and get back to you within 10 working "
            "days.</p>"),
    Section("reporting", "Reporting accessibility problems with this website",
            "<p>We're always looking to improve the accessibility of this website. If you find any problems not "
            "listed on this page or think we're not meeting accessibility requirements, contact the Policy "
            "Co-ordination Unit.</p>"),
    Section("enforcement", "Enforcement procedure",
            "<p>The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector "
            "Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the 'accessibility "
            "regulations'). If you're not happy with how we respond to your complaint, contact the Equality "
            "Advisory and Support Service (EASS).</p>"),
    Section("technical", "Technical information about this website's accessibility",
            "<p>The force is committed to making its website accessible, in accordance with the Public Sector "
            "Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018.</p>"),
    Section("compliance", "Compliance status",
            "<p>This website is partially compliant with the Web Content Accessibility Guidelines version 2.2 AA "
            "standard, due to the non-compliances listed below.</p>"),
    Section("non_accessible", "Non-accessible content",
            "<p>The content listed below is non-accessible for the following reasons.</p><p><strong>Non-compliance "
            "with the accessibility regulations</strong></p><p>Some PDF versions of policies may not be tagged "
            "for screen readers. The same text is always published as a web page beside the PDF.</p>"),
    Section("improving", "What we're doing to improve accessibility",
            "<p>Every page is checked automatically for accessibility problems before each release, at 320 pixels "
            "wide and at 200% zoom, and the whole policy cycle is tested with a keyboard alone.</p>"),
    Section("preparation", "Preparation of this accessibility statement",
            "<p>This statement was prepared on 2 December 2026. It was last reviewed on 2 December 2026.</p>"
            "<p>This website was last tested on 2 December 2026 against the WCAG 2.2 AA standard. The test was "
            "carried out by the Policy Co-ordination Unit, using automated checks of every page and manual "
            "keyboard testing.</p>"),
))

PRIVACY = SitePage("privacy", "Privacy notice", (
    Section("who", "Who we are",
            "<p>The force is the data controller for the personal information processed by this service. The "
            "Policy Co-ordination Unit runs it.</p>"),
    Section("what", "What personal information we use",
            "<p>Members of the public can read the Publication Scheme without giving any personal information. We "
            "keep the server logs of each visit (the address of your device, the page and the time) for up to 30 "
            "days to keep the service secure.</p><p>For staff, we use your name, work e-mail address, role and "
            "what you do in the service: every sign-off, decision and change is recorded in an audit trail.</p>"),
    Section("why", "Why we use it and our lawful basis",
            "<p>We use it to perform our public task: developing, approving, publishing and reviewing the force's "
            "policies as the force's policy procedure requires, and publishing information under the Freedom of "
            "Information Act 2000.</p>"),
    Section("how_long", "How long we keep it",
            "<p>The audit trail of policy decisions is kept for as long as the policy's records are kept, as "
            "evidence of how each policy was made.</p>"),
    Section("rights", "Your rights",
            "<p>You can ask to see the personal information we hold about you, and ask for it to be corrected. "
            "Contact the force's Data Protection Officer through the Policy Co-ordination Unit. You can complain "
            "to the Information Commissioner's Office (ICO) if you are unhappy with how we have used your "
            "information.</p>"),
))

COOKIES = SitePage("cookies", "Cookies", (
    Section("intro", "Cookies on this service",
            "<p>Cookies are small files saved on your phone, tablet or computer when you visit a website. This "
            "service uses only the cookies it needs to work. It does not use analytics or advertising "
            "cookies.</p>"),
    Section("essential", "Essential cookies",
            "<p>Reading the Publication Scheme sets no cookie. Signing in sets two: <strong>sessionid</strong>, "
            "which keeps you signed in and expires after 30 minutes without use or 12 hours after signing in, and "
            "<strong>csrftoken</strong>, which protects the forms you send from being forged by another website "
            "(it expires after a year).</p>"),
    Section("changes", "Changes to this page",
            "<p>If the service starts using other cookies, this page will list them first, and ask your consent for "
            "any that are not essential.</p>"),
))

FREEDOM_OF_INFORMATION = SitePage("freedom-of-information", "Ask for information that is not published", (
    Section("intro", "What is published",
            "<p>The Publication Scheme lists the force's corporate policies in force, with their Equality Impact "
            "Assessments and annual monitoring reports. Policies marked OFFICIAL-SENSITIVE, drafts and policies "
            "being reviewed are not published.</p>"),
    Section("how", "How to ask for something that is not published",
            "<p>Anyone can ask for recorded information under the Freedom of Information Act 2000. Say what "
            "information you want as clearly as you can (for example the policy's title or reference), and give a "
            "name and an address to reply to. You do not have to say why you want it.</p>"),
    Section("what_next", "What happens next",
            "<p>The force must reply within 20 working days. It will tell you if it holds the information and "
            "send it to you, unless an exemption applies, in which case it will explain why. If you are unhappy "
            "with the reply you can ask for an internal review, and then complain to the Information "
            "Commissioner's Office.</p>"),
))

PAGES: dict[str, SitePage] = {page.slug: page for page in (ACCESSIBILITY, PRIVACY, COOKIES, FREEDOM_OF_INFORMATION)}
