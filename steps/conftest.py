"""Fixtures every step module shares come from harness.plugin (cluster, kube, namespace,
implementation, and `scenario`, the context a feature extends); step sentences several features
use come from steps/shared_steps.py, imported here so that every feature has them."""
# pytest-bdd keeps each step as a fixture of the module that defines it: importing every name makes them conftest's
from shared_steps import *  # noqa: F401,F403
