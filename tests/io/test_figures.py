"""Figures as a scientist reads them: totals converted to countable units correctly, calibration windows
only on the scenario they were calibrated for, every panel of both figures drawn."""

import cf_units
import pytest

from hosim.analysis.calibration import CALIBRATED_SCENARIO, target_windows
from hosim.io.figures import LESION_ROWS, READABLE_UNITS, _timeline_panels
from hosim.scenarios.observables import OBSERVABLES


@pytest.mark.parametrize("unit", READABLE_UNITS)
def test_readable_units_are_the_same_quantity(unit):
    factor, readable = READABLE_UNITS[unit]
    target = readable.split(" (")[0].replace("cells per uL of blood", "uL-1").replace("cells", "1")
    assert cf_units.Unit(unit).convert(1.0, cf_units.Unit(target)) == pytest.approx(factor)


def test_windows_belong_to_the_calibrated_scenario_and_to_drawn_panels():
    windows = target_windows(CALIBRATED_SCENARIO)
    assert len(windows) == 10 and target_windows("mouse-empty") == []
    drawn = {name for _, name in _timeline_panels(OBSERVABLES)}
    assert {observable for observable, *_ in windows} <= drawn


def test_the_lesion_figure_starts_with_the_trigger_fields():
    assert [row[0] for row in LESION_ROWS[:2]] == ["BMP2", "substance P"]


@pytest.mark.parametrize("count", [0, 2])
def test_painters_draw_the_same_figures_in_line_or_forked(tmp_path, count):
    """Forked painters draw the timeline in two halves and stitch them; without painters (no fork) it is
    drawn whole in line. Either way one timeline.png of the same size, and no parts left behind."""
    from PIL import Image

    from hosim.io.painters import Painters
    from hosim.simulation import simulate

    result = simulate("mouse-bmp2", dims=0, days=1.0)
    with Painters(count) as painters, painters.drawing(result, tmp_path):
        pass
    assert [p.name for p in tmp_path.iterdir()] == ["timeline.png"]
    with Image.open(tmp_path / "timeline.png") as image:
        assert image.size[0] == 1740 and image.size[1] > 1000
