@exclusive
Feature: In non-blocking mode a failure is a warning and the lifecycle goes on
  KeptnConfig spec.blockDeployment false (cluster-wide, so these scenarios run alone): a failed
  task or evaluation phase becomes Warning, counts as passed, and the next phase starts.

  Background:
    Given deployments are not blocked by failures
    And the task definitions
      | name         | runs for | exits with | retries |
      | post-broken  | 1s       | 1          | 0       |
      | promote-a    | 1s       | 0          | 0       |
      | promote-fail | 1s       | 1          | 0       |

  @id:PromotionFailureIsWarning @feature:PromotionNonBlockingFailure @extended @rule:C4.10
  Scenario: A failing promotion task ends the version Succeeded with promotionStatus Warning
    Given an app context "checkout" with
      | list           | definitions             |
      | promotionTasks | promote-a, promote-fail |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Warning         |
    And its "promotionTaskStatus" item "promote-fail" is "Failed"

  @id:PostDeploymentFailureIsWarningAndPromotionRuns @feature:PromotionNonBlockingFailure @extended @rule:C4.9
  Scenario: A failing post-deployment task is a warning, and promotion still runs
    Given an app context "checkout" with
      | list                | definitions |
      | postDeploymentTasks | post-broken |
      | promotionTasks      | promote-a   |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status    | currentPhase | postDeploymentStatus | promotionStatus |
      | Succeeded | Completed    | Warning              | Succeeded       |
    And its promotion tasks are "promote-a"
