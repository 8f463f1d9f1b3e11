"""Conformance profiles and the features each one holds, written once.

A scenario carries one `@feature:<Name>` tag and its profile tag (`@core` or `@extended`); an
implementation claims features in its adapter file, and a scenario runs only when all of its
features are claimed. A profile whose scenarios partly did not run is `partial`.
"""
from __future__ import annotations

PROFILES: dict[str, dict[str, str]] = {
    "core": {
        "PromotionOrdering": "promotion runs after post-deployment tasks and evaluations, and only then",
        "PromotionTaskContract": "promotion KeptnTasks and their Jobs carry the context, labels and limits of the spec",
        "PromotionParallelism": "all promotion tasks of a version run at the same time",
        "PromotionBlockingFailure": "a failing promotion task fails the version; earlier failures deprecate promotion",
        "PromotionFeatureFlag": "with PROMOTION_TASKS_ENABLED off the phase is skipped",
        "CRDCompatibility": "the promotion fields upgrade the lifecycle CRDs without breaking stored objects or old clients",
    },
    "extended": {
        "PromotionNonBlockingFailure": "with blockDeployment false a failure becomes Warning and the lifecycle goes on",
        "PromotionRetriesAndTimeouts": "retries and timeout of a definition reach the Job and its outcome the task",
        "PromotionExactlyOnce": "a promotion task runs once, across restarts, replicas and garbage-collected Jobs",
        "PromotionObservability": "every reason a version waits or fails is visible in status and events",
        "PromotionTracing": "with tracing configured, promotion tasks carry the version's trace and its spans reach the collector",
        "PromotionAcrossStages": "a version that passed a stage is promoted to the next one through Git and Flux, once, and only then",
    },
}

FEATURES: dict[str, str] = {feature: profile for profile, features in PROFILES.items() for feature in features}


def profile_of(feature: str) -> str:
    try:
        return FEATURES[feature]
    except KeyError:
        raise ValueError(f"unknown conformance feature {feature!r}; known: {', '.join(sorted(FEATURES))}") from None
