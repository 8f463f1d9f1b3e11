Feature: The example app of examples/app promotes itself
  What the README's "Try it: an example app" shows a person, run as a test: the files applied with
  kubectl as they are, on the session's cluster with the implementation running, take the app's
  version through its phases and run both promotion tasks. It checks the example, not an
  implementation, so it carries no conformance feature tag and no run report counts it.

  Scenario: The example app applied as the README says completes, its promotion tasks run once each
    When the example in "examples/app" is applied with kubectl
    Then the app version of "checkout" in "promotion-example" completes with
      | status    | currentPhase | preDeploymentStatus | postDeploymentStatus | promotionStatus |
      | Succeeded | Completed    | Succeeded           | Succeeded            | Succeeded       |
    And it ran one promotion task each of "open-pull-request, notify-team"
