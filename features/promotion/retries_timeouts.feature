Feature: A definition's retries and timeout reach the Job, and the Job's outcome the task
  retries becomes the Job's backoffLimit and timeout its activeDeadlineSeconds; when the Job
  fails, the KeptnTask is Failed with the Job's reason and message. How many times the container
  ran is the Job controller's doing once backoffLimit is right (more than retries + 1 is reported
  as an observation, never charged to the implementation).

  @id:PromotionTaskRetriesThenFails @feature:PromotionRetriesAndTimeouts @extended @rule:C5.10 @rule:C5.17
  Scenario: A promotion task that always fails is tried retries + 1 times
    Given the task definitions
      | name         | runs for | exits with | retries |
      | promote-fail | 0s       | 1          | 2       |
    And an app context "checkout" with
      | list           | definitions  |
      | promotionTasks | promote-fail |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status | promotionStatus |
      | Failed | Failed          |
    And the promotion task "promote-fail" is "Failed" with reason "BackoffLimitExceeded"
    And the promotion task "promote-fail" has the message of its Job's "Failed" condition
    And the Job of the promotion task "promote-fail" allowed 2 retries and its container ran at least 3 times

  @id:PromotionTaskTimeout @feature:PromotionRetriesAndTimeouts @extended @rule:C5.11 @rule:C5.17
  Scenario: A promotion task that runs past its timeout fails with DeadlineExceeded
    Given the task definitions
      | name      | runs for | exits with | retries | timeout |
      | promote-a | 60s      | 0          | 0       | 5s      |
    And an app context "checkout" with
      | list           | definitions |
      | promotionTasks | promote-a   |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status | promotionStatus |
      | Failed | Failed          |
    And the promotion task "promote-a" is "Failed" with reason "DeadlineExceeded"
    And the promotion task "promote-a" has the message of its Job's "Failed" condition
