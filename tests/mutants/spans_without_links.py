"""Breaks contract §10 C10.2 "a version whose KeptnAppContext lists `spanLinks` links its trace to them": the version's span is sent without its links.

Spans still reach the collector and tasks still carry the version's trace; only the links are left out.
"""
from harness.controller.tracing import Tracing
from mutants.compose import wrap


def install() -> None:
    def without_links(export_version):
        def exported(self, name, carrier, span_links, *args, **kwargs):
            return export_version(self, name, carrier, [], *args, **kwargs)
        return exported
    wrap(Tracing, "export_version", without_links)
