Feature: In blocking mode a failure stops the lifecycle
  KeptnConfig spec.blockDeployment is true by default. A failing promotion task fails the version
  (its siblings run on); a failure in an earlier phase deprecates promotion, which never starts.
  What a failed phase leaves Deprecated is the table of contract §4 (harness/contract/phases.py).

  Background:
    Given the task definitions
      | name         | runs for | exits with | retries |
      | pre-check    | 1s       | 0          | 0       |
      | pre-broken   | 1s       | 1          | 0       |
      | post-check   | 1s       | 0          | 0       |
      | post-broken  | 1s       | 1          | 0       |
      | promote-a    | 30s      | 0          | 0       |
      | promote-b    | 30s      | 0          | 0       |
      | promote-fail | 1s       | 1          | 0       |
    And a metric "error-rate" with value "7"
    And an evaluation definition "error-budget" requiring "error-rate" to be "<1"

  @id:PromotionTaskFailureFailsVersion @feature:PromotionBlockingFailure @core @rule:C3.5 @rule:C3.12 @rule:C3.13 @rule:C4.6 @rule:C4.7
  Scenario: One failing promotion task fails the version at once, and its siblings run to completion
    Given an app context "checkout" with
      | list           | definitions                       |
      | promotionTasks | promote-a, promote-fail, promote-b |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" fails in its "PromotionTasks" phase
    And its "PromotionTasks" phase recorded the events "Started, Failed"
    And the Jobs of the promotion tasks "promote-a, promote-b" run to completion and succeed
    And it was seen Failed while the Jobs of the promotion tasks "promote-a, promote-b" still ran
    And its "promotionTaskStatus" item "promote-fail" is "Failed"

  @id:PostDeploymentTaskFailureDeprecatesPromotion @feature:PromotionBlockingFailure @core @rule:C4.4 @rule:C4.8
  Scenario: A failing post-deployment task means promotion never starts
    Given an app context "checkout" with
      | list                | definitions |
      | postDeploymentTasks | post-broken |
      | promotionTasks      | promote-a   |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" fails in its "AppPostDeployTasks" phase
    And no promotion task was ever created

  @id:PostDeploymentEvaluationFailureDeprecatesPromotion @feature:PromotionBlockingFailure @core @rule:C4.5 @rule:C4.8 @rule:C3.11
  Scenario: A failing post-deployment evaluation means promotion never starts
    Given an app context "checkout" with
      | list                      | definitions  |
      | postDeploymentTasks       | post-check   |
      | postDeploymentEvaluations | error-budget |
      | promotionTasks            | promote-a    |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" fails in its "AppPostDeployEvaluations" phase
    And no promotion task was ever created

  @id:PreDeploymentTaskFailureDeprecatesPromotion @feature:PromotionBlockingFailure @core @rule:C4.1
  Scenario: A failing pre-deployment task means nothing after it runs, promotion included
    Given an app context "checkout" with
      | list               | definitions |
      | preDeploymentTasks | pre-broken  |
      | postDeploymentTasks | post-check |
      | promotionTasks     | promote-a   |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" fails in its "AppPreDeployTasks" phase
    And no promotion task was ever created
    And no "post" task was ever created

  @id:PreDeploymentEvaluationFailureDeprecatesPromotion @feature:PromotionBlockingFailure @core @rule:C4.2
  Scenario: A failing pre-deployment evaluation means nothing after it runs, promotion included
    Given an evaluation definition "pre-budget" requiring "error-rate" to be "<1", tried every 1s up to 2 times
    And an app context "checkout" with
      | list                     | definitions |
      | preDeploymentEvaluations | pre-budget  |
      | postDeploymentTasks      | post-check  |
      | promotionTasks           | promote-a   |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" fails in its "AppPreDeployEvaluations" phase
    And no promotion task was ever created
    And no "post" task was ever created
