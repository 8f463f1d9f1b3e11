"""Runs the reference controller with one change installed: `launch.py MODULE[:FUNCTION] [controller flags]`.

MODULE is a module under tests/ (`mutants.sequential_promotion`, `mutants.variants.polling`) whose
FUNCTION (default `install`) changes the reference by composition; then the reference's own entry
point runs with the flags. Generated mutant adapters (adapters.py) and the variants' adapters start
their implementation this way.
"""
import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, where MODULE lives

from harness.controller.app import main  # noqa: E402 - after the path is set

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(f"usage: {sys.argv[0]} MODULE[:FUNCTION] [controller flags]")
    module, _, function = sys.argv[1].partition(":")
    getattr(importlib.import_module(module), function or "install")()
    sys.exit(main(sys.argv[2:]))
