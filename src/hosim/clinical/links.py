"""Links for the sources a patient report cites: a reader can open every one.

Identifiers become their resolvers (a DOI at doi.org, a PMC or PubMed id at the NCBI, a trial at
ClinicalTrials.gov, a Cochrane review by its DOI); a citation without an identifier ("Neal 2000 Acta Orthop
Scand 71:122") becomes a PubMed search for it, so no source is left as a bare name or database id.
"""

from __future__ import annotations

import re
from urllib.parse import quote_plus

# Springer/BMC article numbers: the journal code says the publisher's DOI prefix.
ARTICLE_PREFIX = {"s12891": "10.1186", "s13018": "10.1186", "s00590": "10.1007", "s11999": "10.1007",
                  "s41394": "10.1038"}
PATTERNS = (
    (re.compile(r"doi:\s*(10\.\d{4,9}/[^\s;,)]+)", re.I), lambda m: f"https://doi.org/{m.group(1)}"),
    (re.compile(r"\b(PMC\d{5,9})\b"), lambda m: f"https://www.ncbi.nlm.nih.gov/pmc/articles/{m.group(1)}/"),
    (re.compile(r"\bqxmd (\d{6,9})\b"), lambda m: f"https://pubmed.ncbi.nlm.nih.gov/{m.group(1)}/"),
    (re.compile(r"\bPMID:?\s*(\d{6,9})\b"), lambda m: f"https://pubmed.ncbi.nlm.nih.gov/{m.group(1)}/"),
    (re.compile(r"\b(NCT\d{8})\b"), lambda m: f"https://clinicaltrials.gov/study/{m.group(1)}"),
    (re.compile(r"\b(CD\d{6})\b"), lambda m: f"https://doi.org/10.1002/14651858.{m.group(1)}"),
    (re.compile(r"\b(s\d{5})-(\d{3})-(\d{4,5})-(\w)\b"),
     lambda m: (f"https://doi.org/{ARTICLE_PREFIX[m.group(1)]}/{m.group(0)}" if m.group(1) in ARTICLE_PREFIX
                else None)),
    (re.compile(r"https?://[^\s;,)]+"), lambda m: m.group(0)),
)
CITATION = re.compile(r"\b((?:(?:van|de|der|den|von|da|del|della|Della|Vanden) )?[A-Z][A-Za-z'\-]+"
                      r"(?: (?:&|and) [A-Z][A-Za-z'\-]+)?(?: et al\.?)?) ((?:19|20)\d\d)\b"
                      r"((?: [A-Z][A-Za-z.&]*)*(?: \d+:\d+)?)")


def source_links(text: str) -> list[tuple[str, str]]:
    """(label, url) for every identifier in a source text, and a PubMed search for every author-year
    citation in the parts (between semicolons) that carry no identifier; in the text's order."""
    links: list[tuple[int, str, str]] = []
    offset = 0
    for part in text.split(";"):
        found = [(offset + m.start(), m.group(0), url) for pattern, url_of in PATTERNS
                 for m in pattern.finditer(part) if (url := url_of(m))]
        found = [link for link in found if not any(other[0] < link[0] < other[0] + len(other[1])
                                                   for other in found)]  # a DOI's own article number
        if not found:
            for m in CITATION.finditer(part):
                label = m.group(1) + " " + m.group(2) + m.group(3)
                found.append((offset + m.start(), label, f"https://pubmed.ncbi.nlm.nih.gov/?term={quote_plus(label)}"))
        links += found
        offset += len(part) + 1
    return [(label, url) for _, label, url in sorted(links)]
