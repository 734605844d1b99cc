"""The rules of targets/mouse_injury.toml as signed margins over the cases of the injuries experiment
(cohort/experiments.py INJURY_CASES), so that tests, the experiment's report and the fit's objective
(tools/fit_mouse_bmp2.py --injuries) read one definition. Each rule becomes one or more inequalities;
a margin is relative (analysis/calibration.ratio_margin): >= 0 when it holds.

Not here: the cartilage stage of burn/tenotomy (a strict xfail in tests/scenarios/test_injury_targets.py, which the
model does not meet; a fit should not chase it).
"""

from __future__ import annotations

from collections.abc import Mapping

from hosim.analysis.calibration import Check, ratio_margin
from hosim.analysis.measures import DETECTION_MM3

Runs = Mapping[str, Mapping[str, float | None]]  # case name -> its metrics and extra measures


def _check(rule: str, what: str, value: float | None, limit: float | None, above: bool) -> Check:
    margin = -10.0 if limit is None else ratio_margin(value, limit, above)
    return Check(rule, what, value, margin)


def at_least(rule: str, what: str, value, limit) -> Check:
    return _check(rule, f"{what} >= {_g(limit)}", value, limit, above=True)


def at_most(rule: str, what: str, value, limit) -> Check:
    return _check(rule, f"{what} <= {_g(limit)}", value, limit, above=False)


def _g(limit) -> str:
    return "undefined" if limit is None else f"{limit:.3g}"


def _scaled(value, factor):
    return None if value is None else factor * value


def injury_checks(runs: Runs, targets: Mapping[str, Mapping]) -> list[Check]:
    """Every inequality of the injury rules, read from the cases' measures (runs[case][measure])."""

    def bone(case: str):
        return runs[case]["heterotopic_bone_mm3"]

    both = runs["sci-cardiotoxin"]
    low, high = targets["sci_cardiotoxin_timing"]["window"]
    checks = [
        at_least("two_hit", "SCI + cardiotoxin bone", bone("sci-cardiotoxin"), 10 * DETECTION_MM3),
        at_most("two_hit", "cardiotoxin alone", bone("cardiotoxin"), _scaled(bone("sci-cardiotoxin"), 0.01)),
        at_most("two_hit", "SCI alone", bone("sci"), _scaled(bone("sci-cardiotoxin"), 0.01)),
        at_least("sci_cardiotoxin_timing", "bone onset day", both["bone_onset_day"], low),
        at_most("sci_cardiotoxin_timing", "bone onset day", both["bone_onset_day"], high),
        at_least("sci_cardiotoxin_timing", "bone at day 21 (still growing after day 14)", bone("sci-cardiotoxin"),
                 _scaled(both["heterotopic_bone_mm3_day14"], 1.1)),
        at_most("sci_cardiotoxin_timing", "cartilage peak (intramembranous)", both["cartilage_peak_mm3"],
                _scaled(both["heterotopic_bone_mm3_day14"], 0.1)),
        at_least("sci_cardiotoxin_origin", "resident share", both["heterotopic_bone_resident_share"], 0.8),
        at_most("sci_cardiotoxin_origin", "nerve-derived progenitors in blood (fold)",
                both["nerve_progenitors_peak_fold"], 1.05),
        at_most("sci_cardiotoxin_origin", "claudin-5+ blood cells (fold)", both["circulating_progenitors_peak_fold"],
                1.05),
    ]
    for case in ("sci-lps", "sci-crush"):
        limit = min(0.01 * bone("sci-cardiotoxin"), DETECTION_MM3) if bone("sci-cardiotoxin") is not None else None
        checks.append(at_most("negative_local_hits", f"{case} bone", bone(case), limit))
    checks += [
        at_least("negative_local_hits", "two hits + LPS over half the dose", bone("sci-cardiotoxin-lps"),
                 bone("sci-cardiotoxin-lps-half")),
        at_least("negative_local_hits", "two hits + half the LPS dose over two hits", bone("sci-cardiotoxin-lps-half"),
                 bone("sci-cardiotoxin")),
        at_most("macrophages_required", "clodronate", bone("sci-cardiotoxin-clodronate"),
                _scaled(bone("sci-cardiotoxin"), 0.5)),
        at_least("glucocorticoid", "cardiotoxin + glucocorticoid against two hits", bone("cardiotoxin-glucocorticoid"),
                 _scaled(bone("sci-cardiotoxin"), 0.5)),
        at_least("glucocorticoid", "cardiotoxin + glucocorticoid against cardiotoxin alone",
                 bone("cardiotoxin-glucocorticoid"), _scaled(bone("cardiotoxin"), 100.0)),
        at_most("glucocorticoid", "GR knockout", bone("sci-cardiotoxin-gr-ko"), _scaled(bone("sci-cardiotoxin"), 0.1)),
        at_most("sci_lowers_bmp2_threshold", "subthreshold AdBMP2, sham", bone("bmp2-sham"), DETECTION_MM3),
        at_least("sci_lowers_bmp2_threshold", "subthreshold AdBMP2, SCI", bone("bmp2-sci"), DETECTION_MM3),
        at_least("sci_lowers_bmp2_threshold", "subthreshold AdBMP2, SCI, forelimb", bone("bmp2-sci-forelimb"),
                 DETECTION_MM3),
        at_least("sci_level", "T3 over T11", bone("sci-cardiotoxin-t3"), bone("sci-cardiotoxin")),
        at_most("sci_level", "L3", bone("sci-cardiotoxin-l3"),
                min(DETECTION_MM3, 0.02 * bone("sci-cardiotoxin")) if bone("sci-cardiotoxin") is not None else None),
        at_most("sci_level", "glucocorticoid peak day", both["glucocorticoid_peak_day"], 0.5),
        at_least("sci_level", "glucocorticoid peak fold", both["glucocorticoid_peak_fold"], 5.0),
        at_most("sci_level", "substance P peak day", both["substance_p_peak_day"], 0.5),
        at_most("sci_level", "sympathetic tone peak day", both["sympathetic_tone_peak_day"], 0.5),
    ]
    burn = runs["burn-tenotomy"]
    checks += [
        at_least("burn_tenotomy", "bone by week 5", burn["heterotopic_bone_mm3_day35"], DETECTION_MM3),
        at_least("burn_tenotomy", "bone by week 9 over week 5", bone("burn-tenotomy"),
                 burn["heterotopic_bone_mm3_day35"]),
        at_most("burn_tenotomy", "tenotomy alone", bone("tenotomy"), _scaled(bone("burn-tenotomy"), 0.5)),
    ]
    for case in ("fop-pinch", "fop-cardiotoxin"):
        m = runs[case]
        checks += [
            at_least("fop_injury", f"{case} bone", m["heterotopic_bone_mm3"], 10 * DETECTION_MM3),
            at_least("fop_injury", f"{case} cartilage peak", m["cartilage_peak_mm3"], DETECTION_MM3),
            at_most("fop_injury", f"{case} cartilage onset day", m["cartilage_onset_day"], 7.0),
            at_most("fop_injury", f"{case} cartilage at day 14 (replaced)", m["cartilage_mm3_day14"],
                    _scaled(m["cartilage_peak_mm3"], 0.5)),
            at_most("fop_injury", f"{case} cartilage at day 14 against bone", m["cartilage_mm3_day14"],
                    m["heterotopic_bone_mm3_day14"]),
            at_least("fop_injury", f"{case} resident share", m["heterotopic_bone_resident_share"], 0.5),
        ]
    checks += [at_most("fop_injury", f"{case} bone", bone(case), DETECTION_MM3)
               for case in ("wild-type-pinch", "wild-type-cardiotoxin")]
    bmp2 = runs["bmp2"]
    low, high = targets["circulating_fold"]["window"]
    checks += [
        at_least("adbmp2_origin", "AdBMP2 nerve share", bmp2["heterotopic_bone_nerve_share"], 0.5),
        at_least("circulating_fold", "claudin-5+ blood fold", bmp2["circulating_progenitors_peak_fold"], low),
        at_most("circulating_fold", "claudin-5+ blood fold", bmp2["circulating_progenitors_peak_fold"], high),
    ]
    return checks
