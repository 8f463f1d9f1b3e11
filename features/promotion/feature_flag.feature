Feature: The promotion phase is behind the operator's feature flag
  With PROMOTION_TASKS_ENABLED off (Keptn's default), phase 6 is skipped: promotionStatus stays
  Pending and the version completes after the post-deployment evaluations.

  @id:PromotionSkippedWhenFlagOff @feature:PromotionFeatureFlag @core @exclusive @rule:C3.9
  Scenario: With the feature flag off no promotion task runs and the version completes
    Given the implementation runs with promotion tasks disabled
    And the task definitions
      | name       | runs for | exits with |
      | post-check | 1s       | 0          |
      | promote-a  | 1s       | 0          |
    And an app context "checkout" with
      | list                | definitions |
      | postDeploymentTasks | post-check  |
      | promotionTasks      | promote-a   |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status    | currentPhase | postDeploymentStatus | promotionStatus |
      | Succeeded | Completed    | Succeeded            | Pending         |
    And no promotion task was ever created
