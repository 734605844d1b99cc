"""docs/model.md carries the variable and parameter tables generated from the package, up to date."""

import importlib.util
from pathlib import Path

from hosim.biology import CASCADE_STEPS

ROOT = Path(__file__).resolve().parents[2]


def load_tool():
    spec = importlib.util.spec_from_file_location("model_doc", ROOT / "tools" / "model_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_tables_are_current():
    tool = load_tool()
    for doc in tool.PAGES:
        text = doc.read_text(encoding="utf-8")
        assert tool.render(text, doc) == text, f"{doc.name}: run python tools/model_doc.py"


def test_every_step_has_its_equations():
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    for k, step in enumerate(CASCADE_STEPS, start=1):
        assert f"**{k} {step.__name__.replace('_', ' ')}**" in text
