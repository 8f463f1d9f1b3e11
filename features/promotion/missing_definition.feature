Feature: A version waiting for a missing definition says so
  A listed KeptnTaskDefinition that does not exist: no task is created for it, the phase stays
  Pending and the version Progressing until it appears. Keptn is silent here; the contract is not.

  @id:MissingPromotionDefinitionWaitsVisibly @feature:PromotionObservability @extended
  Scenario: The promotion phase waits, names the missing definition, and completes once it exists
    Given the task definitions
      | name      | runs for | exits with |
      | promote-a | 1s       | 0          |
    And an app context "checkout" with
      | list           | definitions                 |
      | promotionTasks | promote-a, promote-missing |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" settles at
      | status      | currentPhase   | promotionStatus |
      | Progressing | PromotionTasks | Pending         |
    And the app version of "checkout" shows why it waits, naming "promote-missing"
    And its promotion tasks are "promote-a"
    When the task definition "promote-missing" is created, running for "1s"
    Then the app version of "checkout" completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And its promotion tasks are "promote-a, promote-missing"
