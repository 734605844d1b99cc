"""A one-page HTML report a patient can read: the risk in plain numbers, what to watch for, sources.

Self-contained (inline style, no scripts, no network), so it opens the same anywhere and prints.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from urllib.parse import quote_plus

from hosim import __version__
from hosim.clinical.evidence import evidence_row
from hosim.clinical.links import source_links
from hosim.clinical.prevention import prevention_for
from hosim.clinical.risk import Effect, Probability, RiskEstimate
from hosim.clinical.settings import FACTOR_LABELS
from hosim.clinical.timeline import (
    CALL_A_DOCTOR,
    CALL_A_DOCTOR_SOURCE,
    STAGES,
    onset_sentence,
)

STYLE = """
body{font-family:Georgia,'Times New Roman',serif;max-width:46em;margin:2em auto;padding:0 1em;
color:#1d2330;line-height:1.5;background:#fff}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ccd}
.lead{font-size:1.25em;background:#eef3fb;border-left:6px solid #2a5db0;padding:.8em 1em}
.dots{display:grid;grid-template-columns:repeat(20,1.1em);gap:.25em;margin:1em 0}
.dot{width:1em;height:1em;border-radius:50%;background:#d9dde6}.dot.on{background:#c0392b}
.warn{background:#fff4e5;border-left:6px solid #e67e22;padding:.6em 1em}
table{border-collapse:collapse;width:100%;font-size:.92em}td,th{border:1px solid #ccd;padding:.35em;
vertical-align:top;text-align:left}th{background:#f3f5f9}.small{font-size:.85em;color:#555}
"""


def per_hundred(probability: float) -> str:
    """A probability as a whole number out of 100, without claiming 0 or 100."""
    if probability < 0.005:
        return "fewer than 1"
    if probability > 0.995:
        return "more than 99"
    return str(round(probability * 100))


def range_sentence(probability: Probability) -> str:
    if probability.low is None:
        return "No range can be given: the studies behind this figure reported no uncertainty."
    return (f"Allowing for the uncertainty in the studies, it could be anywhere from about "
            f"{per_hundred(probability.low)} to {per_hundred(probability.high)} in 100.")


def _dots(probability: float) -> str:
    filled = round(probability * 100)
    dots = "".join(f'<span class="dot{" on" if i < filled else ""}"></span>' for i in range(100))
    return f'<div class="dots" role="img" aria-label="{filled} of 100 dots coloured">{dots}</div>'


def _factor_label(name: str) -> str:
    return FACTOR_LABELS.get(name, name)


def cited(source: str) -> str:
    """A source in words followed by links a reader can open (identifiers resolved, citations searched)."""
    links = source_links(source) or [("find it", "https://pubmed.ncbi.nlm.nih.gov/?term="
                                      + quote_plus(f"{source} heterotopic ossification"))]
    opened = ", ".join(f'<a href="{escape(url)}">{escape(label)}</a>' for label, url in links)
    return f"{escape(source)} <span class='small'>[{opened}]</span>"


def _change(effect: Effect, with_it: float) -> str:
    """How one factor moves the chance, in people-out-of-100."""
    if effect.without is None:
        return ""
    now, before = per_hundred(with_it), per_hundred(effect.without)
    if now == before:
        return f"makes little difference to your chance (about {now} in 100 either way)"
    verb = "raises" if with_it > effect.without else "lowers"
    return f"{verb} your chance from about {before} in 100 (without it) to about {now} in 100"


def effect_items(estimate: RiskEstimate) -> str:
    items, prevention_done = [], False
    for effect in estimate.effects:
        source = cited(evidence_row(effect.evidence_id).source)
        if effect.kind == "not quantified":
            text = ("known to raise the risk, but no reliable figure exists, so it is <b>not</b> in the number "
                    "above: your risk may be higher")
        elif effect.kind == "subgroup incidence":
            text = f"in studies of people with this, about {per_hundred(effect.value)} in 100 developed HO"
        elif effect.kind == "subgroup severe-HO incidence":
            text = f"in studies of people with this, about {per_hundred(effect.value)} in 100 developed severe HO"
        elif effect.name.startswith(("nsaid", "radiotherapy")):
            if prevention_done:  # radiotherapy's two published steps are one change for the patient
                items[-1] = items[-1].replace("</li>", f" <span class='small'>and {source}</span></li>")
                continue
            prevention_done = True
            effect = replace(effect, name=f"{estimate.prophylaxis} (prevention)")
            text = _change(effect, estimate.any_ho.probability)
        elif effect.kind == "odds ratio per day":
            text = _change(effect, estimate.any_ho.probability).replace("(without it)", "(if operated on sooner)")
        else:
            text = _change(effect, estimate.any_ho.probability)
        items.append(f"<li><b>{escape(_factor_label(effect.name))}</b>: {text} <span class='small'>"
                     f"({source})</span></li>")
    return "".join(items) or "<li>None that you reported.</li>"


def sources_table(estimate: RiskEstimate) -> str:
    rows = []
    for row_id in estimate.evidence:
        row = evidence_row(row_id)
        figure = "described, no figure" if row.value is None else f"{row.value:g} {row.unit}"
        if row.low is not None or row.high is not None:
            figure += f" (range {row.low if row.low is not None else '?'}-{row.high if row.high is not None else '?'})"
        earlier = f"<br><span class='small'>An earlier summary said: {escape(row.seed_figure)}. " \
                  f"This page uses the published figure.</span>" if row.seed_figure else ""
        rows.append(f"<tr><td>{escape(row.quantity)} ({escape(row.setting)})</td><td>{escape(figure)}</td>"
                    f"<td>{cited(row.source)}{earlier}</td></tr>")
    return ("<table><tr><th>What</th><th>Figure</th><th>Source</th></tr>" + "".join(rows) + "</table>")


def _over_what_time(onset_days: tuple[float, float] | None) -> str:
    if onset_days is None:
        return "The studies do not say when it shows."
    return f"When it happens, it usually shows within about {round(onset_days[1] / 7):g} weeks."


def render_report(estimate: RiskEstimate, simulated: str = "") -> str:
    """The whole HTML page for one risk estimate; `simulated`: an HTML section (already escaped) on what a
    model run of this patient showed, placed after the evidence's numbers."""
    spec = estimate.setting_spec
    told = [_factor_label(name) for name in estimate.factors]
    if estimate.tbsa is not None:
        told.append(f"burns over {estimate.tbsa:g}% of the body surface")
    if estimate.delay_days is not None:
        told.append(f"{estimate.delay_days:g} days from fracture to surgery")
    you = ", ".join(told) or "none of the listed risk factors"
    other = [name for name in spec.factor_names if name not in estimate.factors]
    severe = estimate.severe_ho
    typical_severe = ("" if estimate.typical_severe_ho is None else
                      f" For a typical patient in this situation it is about {per_hundred(estimate.typical_severe_ho)} "
                      "in 100.")
    severe_html = (
        f"<p class=\"lead\">About <b>{per_hundred(severe.probability)} in 100</b> people like you get "
        f"<b>severe</b> HO ({escape(estimate.severe_definition)}), the kind that can limit movement.</p>"
        f"{_dots(severe.probability)}<p>{range_sentence(severe)}{typical_severe}</p>"
        if severe else
        "<p>There is no reliable published figure for <b>severe</b> HO in this situation, so none is given.</p>"
    )
    effects = effect_items(estimate)
    others = "".join(f"<li>{escape(_factor_label(n))}</li>" for n in other)
    stages = "".join(f"<tr><td><b>{escape(s.name)}</b></td><td>{escape(s.feels_like)}</td><td>{escape(s.when)}"
                     f"<br><span class='small'>{cited(s.source)}</span></td></tr>" for s in STAGES)
    calls = "".join(f"<li>{escape(text)}</li>" for text in CALL_A_DOCTOR)
    prevention = "".join(f"<li>{escape(a.text)} <span class='small'>({cited(a.sources)})</span></li>"
                         for a in prevention_for(spec))
    notes = "".join(f"<li>{escape(note)}</li>" for note in estimate.notes)
    prophylaxis = f" You told us about prevention: <b>{escape(estimate.prophylaxis)}</b>." if estimate.prophylaxis else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your risk of extra bone (heterotopic ossification)</title>
<style>{STYLE}</style></head>
<body>
<h1>Your risk of extra bone forming (heterotopic ossification)</h1>
<p>Situation: <b>{escape(spec.label)}</b>. What you told us: {escape(you)}.{prophylaxis}</p>
<p class="warn"><b>This is a research tool, not a diagnosis.</b> It gives the average for people like you in
published studies. Your own care team knows your situation and should guide decisions.</p>

<h2>How likely is it?</h2>
<p class="lead">About <b>{per_hundred(estimate.any_ho.probability)} in 100</b> people like you develop
{escape(spec.event)}. {escape(_over_what_time(estimate.onset_days))}</p>
{_dots(estimate.any_ho.probability)}
<p>{range_sentence(estimate.any_ho)} For a typical patient in this situation (everyone in the studies, without
looking at any risk factor or prevention) it is about {per_hundred(estimate.typical_any_ho)} in 100.</p>
<h3>Severe HO</h3>
{severe_html}
<p>Heterotopic ossification (HO) is real bone growing in muscle or other soft tissue where there should be none.
Often it is small and causes no trouble; sometimes it makes a joint stiff.</p>
{simulated}
<h2>What raises or lowers your risk</h2>
<ul>{effects}</ul>
{"<p>Other things that change the risk in this situation (tell your team if any apply):</p><ul>" + others + "</ul>" if others else ""}

<h2>What to watch for, and when</h2>
<p>{escape(onset_sentence(estimate.onset_days))}</p>
<table><tr><th>Stage</th><th>What it feels like</th><th>When</th></tr>{stages}</table>

<h2>When to call a doctor</h2>
<ul>{calls}</ul>
<p class="small">Source: {cited(CALL_A_DOCTOR_SOURCE)}</p>

<h2>What prevention exists</h2>
<ul>{prevention}</ul>

<h2>How sure is this?</h2>
<p>These points are for you and your care team: they say what the number leaves out.</p>
<ul>{notes}</ul>

<h2>Sources</h2>
{sources_table(estimate)}
<p class="small">Made by hosim {escape(__version__)} (setting {escape(estimate.setting)}, sampling seed
{estimate.seed}, {estimate.samples} samples). Method: the published figures above, combined as odds (one published
rate for the situation, then each factor's published odds ratio), with the range from redrawing every figure
within its reported uncertainty. A research tool, not a diagnosis.</p>
</body></html>
"""
