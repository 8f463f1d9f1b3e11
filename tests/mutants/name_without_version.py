"""Breaks contract §2 C2.2 "one KeptnAppVersion named `<app>-<version>-<hash>`": the version string is left out of the name.

The KeptnAppVersion is named `<app>-<hash>`, the hash still the right one of the generation, so a
judge that reads only the name's end passes it.
"""
from harness.controller import app_versions
from harness.controller.naming import generation_hash
from mutants.compose import replace


def without_version(app: str, version: str, generation: int) -> str:
    return f"{app}-{generation_hash(generation)}"


def install() -> None:
    replace(app_versions, "app_version_name", without_version)
