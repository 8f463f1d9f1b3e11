"""The step library: named operations and requirements that the Gherkin steps call.

Every requirement fails with a message that shows what was expected, what was observed, and the
object's current state; every wait names what it waited for.
"""
