Feature: In blocking mode a failure stops the lifecycle
  KeptnConfig spec.blockDeployment is true by default. A failing promotion task fails the version
  (its siblings run on); a failure in an earlier phase deprecates promotion, which never starts.

  Background:
    Given the task definitions
      | name         | runs for | exits with | retries |
      | pre-check    | 1s       | 0          | 0       |
      | pre-broken   | 1s       | 1          | 0       |
      | post-check   | 1s       | 0          | 0       |
      | post-broken  | 1s       | 1          | 0       |
      | promote-a    | 5s       | 0          | 0       |
      | promote-b    | 5s       | 0          | 0       |
      | promote-fail | 1s       | 1          | 0       |
    And a metric "error-rate" with value "7"
    And an evaluation definition "error-budget" requiring "error-rate" to be "<1"

  @id:PromotionTaskFailureFailsVersion @feature:PromotionBlockingFailure @core
  Scenario: One failing promotion task fails the version, and its siblings run to completion
    Given an app context "checkout" with
      | list           | definitions                       |
      | promotionTasks | promote-a, promote-fail, promote-b |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status | currentPhase   | promotionStatus |
      | Failed | PromotionTasks | Failed          |
    And its end time is set
    And the event "PromotionTasksFailed" was recorded for it
    And the Jobs of the promotion tasks "promote-a, promote-b" run to completion and succeed
    And its "promotionTaskStatus" item "promote-fail" is "Failed"
    And its "promotionTaskStatus" items end as their tasks ended

  @id:PostDeploymentTaskFailureDeprecatesPromotion @feature:PromotionBlockingFailure @core
  Scenario: A failing post-deployment task means promotion never starts
    Given an app context "checkout" with
      | list                | definitions |
      | postDeploymentTasks | post-broken |
      | promotionTasks      | promote-a   |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status | postDeploymentStatus | postDeploymentEvaluationStatus | promotionStatus |
      | Failed | Failed               | Deprecated                     | Deprecated      |
    And no promotion task was ever created

  @id:PostDeploymentEvaluationFailureDeprecatesPromotion @feature:PromotionBlockingFailure @core
  Scenario: A failing post-deployment evaluation means promotion never starts
    Given an app context "checkout" with
      | list                      | definitions  |
      | postDeploymentTasks       | post-check   |
      | postDeploymentEvaluations | error-budget |
      | promotionTasks            | promote-a    |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status | postDeploymentStatus | postDeploymentEvaluationStatus | promotionStatus |
      | Failed | Succeeded            | Failed                         | Deprecated      |
    And no promotion task was ever created

  @id:PreDeploymentTaskFailureDeprecatesPromotion @feature:PromotionBlockingFailure @core
  Scenario: A failing pre-deployment task means nothing after it runs, promotion included
    Given an app context "checkout" with
      | list               | definitions |
      | preDeploymentTasks | pre-broken  |
      | postDeploymentTasks | post-check |
      | promotionTasks     | promote-a   |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status | preDeploymentStatus | workloadOverallStatus | postDeploymentStatus | promotionStatus |
      | Failed | Failed              | Deprecated            | Deprecated           | Deprecated      |
    And no promotion task was ever created
    And no "post" task was ever created
