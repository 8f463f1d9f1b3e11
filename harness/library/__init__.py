"""The step library: what the Gherkin steps do and what the judges read — making objects, faults,
watching (the recorder), finding the lifecycle's objects, measuring windows on the watch's clock.

The checks themselves are in harness/judges/. Every wait names what it waited for.
"""
