"""Build step (setuptools reads pyproject.toml for everything else): ship the repository's
rules/ inside the package as pipeline/_rules/, so an installed wheel runs without the
repository. rules/ stays the single copy a user edits; pipeline.rules.DEFAULT_RULES_DIR
reads it in a checkout or editable install, and the copy only where the package is
installed."""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RULES = Path(__file__).resolve().parent / "rules"


class BuildPyWithRules(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return      # an editable install reads rules/ where it is
        files = sorted(p for p in RULES.glob("*") if p.is_file() and p.suffix in (".yml", ".md"))
        if not any(p.suffix == ".yml" for p in files):
            raise SystemExit(f"no rule files in {RULES}: the package cannot run without them")
        target = Path(self.build_lib) / "pipeline" / "_rules"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for src in files:
            shutil.copyfile(src, target / src.name)


setup(cmdclass={"build_py": BuildPyWithRules})
