"""The reference in docs/ keeps up with the code: every command and option of the command line is
in docs/commands.md, and every rule of the catalogue is in docs/rules.md (as sqlite-utils checks
its CLI reference against the code)."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from generator.cli import app
from generator.core.rules import CATALOGUE, catalogue_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


def commands() -> dict:
    return dict(typer.main.get_command(app).commands)


def test_every_command_and_option_is_documented():
    page = (DOCS / "commands.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## `([a-z-]+)", page, flags=re.M)
    missing = []
    for name, command in commands().items():
        if name not in headings:
            missing.append(name)
            continue
        section = page.split(f"## `{name}", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            if param.param_type_name == "option":
                for opt in param.opts:
                    if opt.startswith("--") and f"`{opt}" not in section:
                        missing.append(f"{name} {opt}")
    assert missing == [], f"not in docs/commands.md: {missing}"
    assert "--lang" in page


def test_every_rule_is_documented_as_the_catalogue_says():
    page = (DOCS / "rules.md").read_text(encoding="utf-8")
    # To refresh: python -c "from generator.core.rules import catalogue_markdown; print(catalogue_markdown())"
    assert catalogue_markdown() in page, "docs/rules.md's rule table differs from generator/core/rules.py"
    assert [r.id for r in CATALOGUE if f"`{r.id}`" not in page] == []


def test_the_readme_links_only_to_pages_that_exist():
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert links and [l for l in links if not (DOCS.parent / l).exists()] == []
