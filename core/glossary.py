"""The abbreviations PolicyHub's pages use, expanded: the help page's glossary and every ``{% abbr %}`` (the first
use on a page shows the expansion in words; later ones an <abbr> with it as its title)."""

GLOSSARY: dict[str, str] = {
    "ACPO": "Association of Chief Police Officers",
    "DCFD": "Diversity and Citizen Focus Directorate",
    "DOI": "Directorate of Information",
    "EIA": "Equality Impact Assessment",
    "FOI": "Freedom of Information",
    "MPS": "Metropolitan Police Service",
    "PCU": "Policy Co-ordination Unit",
    "QA": "quality assurance",
    "SHRMT": "Safety and Health Risk Management Team",
    "SOP": "Standard Operating Procedure",
}

# The plurals pages use ("SOPs", "EIAs"), expanded as plurals: "Standard Operating Procedures (SOPs)".
PLURALS: dict[str, str] = {
    "EIA": "Equality Impact Assessments",
    "SOP": "Standard Operating Procedures",
}
