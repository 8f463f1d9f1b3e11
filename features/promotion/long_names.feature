Feature: A promotion task whose definition has a long name still runs
  Stricter than Keptn (contract §6, C6.10): a task's name is shortened so that its Job's name
  `<task>-<5 digits>` stays a valid label value of at most 63 characters, since the Job's name
  becomes a label of its pods. Keptn shortens names only to 253 characters, and the pod template
  label of such a Job is refused.

  @id:LongDefinitionNameStillRuns @feature:PromotionObservability @extended @rule:C6.10
  Scenario: A definition name of 50 characters gives a shortened task and Job name, and the task runs
    Given the task definitions
      | name                                               | runs for | exits with |
      | promote-to-the-production-cluster-of-the-eu-region | 1s       | 0          |
    And an app context "checkout" with
      | list           | definitions                                        |
      | promotionTasks | promote-to-the-production-cluster-of-the-eu-region |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And the promotion task "promote-to-the-production-cluster-of-the-eu-region" and its Job have names that fit a label value
