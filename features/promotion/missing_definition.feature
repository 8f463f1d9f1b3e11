Feature: A version shows what it waits for and what its tasks did
  A listed KeptnTaskDefinition that does not exist: no task is created for it, the phase stays
  Pending and the version Progressing until it appears. Keptn is silent here; the contract is not.
  After a phase failed, the items of its tasks that still ran are followed to their end.

  @id:MissingPromotionDefinitionWaitsVisibly @feature:PromotionObservability @extended @rule:C3.7 @rule:C4.13 @rule:C4.14
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

  @id:FailedPhaseItemsFollowTheirTasks @feature:PromotionObservability @extended @rule:C6.7
  Scenario: After a promotion task failed, the items of its siblings still end as their tasks ended
    Stricter than Keptn (contract §6): the phase and the version fail at once (§4), and the items of
    the tasks still running are followed to their end, so that the version does not show them running
    for ever.
    Given the task definitions
      | name         | runs for | exits with | retries |
      | promote-a    | 5s       | 0          | 0       |
      | promote-fail | 1s       | 1          | 0       |
    And an app context "checkout" with
      | list           | definitions             |
      | promotionTasks | promote-a, promote-fail |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" fails in its "PromotionTasks" phase
    And its "promotionTaskStatus" items end as their tasks ended
