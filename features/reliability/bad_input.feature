Feature: Bad input is refused with a clear message or reported, and never breaks the implementation
  SPEC §6, never silent, and the quality bar: bad input gets a clear error naming the object, the
  field and what was expected. Each object of the corpus (fixtures/reliability/bad_input/, every
  file says what is wrong with it and what must happen) is either refused at admission with a
  message naming its field, or accepted and then reported: its version waits or fails and says
  why in its status or events. Meanwhile the implementation keeps running (same process, no crash
  in its log), serves a valid app version beside the bad ones, and does not hot-loop, as counted
  by the API server (apiserver_request_total): once everything settled, it writes at most once
  per 10 bad objects in 10 s (a settled implementation has nothing to write; a loop that retries
  at once writes many times a second), and over the whole scenario the API server refused at most
  one of its requests per bad object (sending again what was refused, even with back-off, exceeds
  that within a minute). The counts are cluster-wide, so these scenarios run alone.

  @id:BadInputRefusedOrReported @feature:PromotionObservability @extended @exclusive
  Scenario: Every object of the bad-input corpus is refused naming its field, or accepted and reported with its reason
    Given the implementation is watched for crashes
    When every file of the bad-input corpus is submitted
    Then every object the corpus expects to be refused was refused with a message naming its field
    And every accepted object of the corpus shows its expected outcome and reason
    When a valid app version is deployed beside them
    Then it completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And once everything settled, the implementation writes at most once per 10 bad objects in 10 seconds
    And the API server refused at most one request of the implementation per bad object
    And the implementation did not crash

  @id:RandomSpecsRefusedOrReported @feature:PromotionObservability @extended @exclusive
  Scenario: Random specs are refused exactly when their schema says so, naming the field, and the versions of the others complete or say why
    Given the implementation is watched for crashes
    When 30 random apps are submitted, each with one field of its task definition, app context or app replaced by a random value
    Then every accepted random app's version completes, or waits and says why
    When a valid app version is deployed beside them
    Then it completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And once everything settled, the implementation writes at most once per 10 bad objects in 10 seconds
    And the API server refused at most one request of the implementation per bad object
    And the implementation did not crash

  @id:DefinitionDeletedWhileItsTaskRuns @feature:PromotionObservability @extended
  Scenario: A task definition deleted while its promotion task runs does not disturb the task: it ends with its Job's result
    Given the task definitions
      | name          | runs for | exits with | retries |
      | promote-slow  | 4s       | 0          |         |
      | promote-fails | 4s       | 1          | 0       |
    When app versions of these kinds are deployed
      | kind     | promotionTasks |
      | passing  | promote-slow   |
      | failing  | promote-fails  |
    And the task definitions "promote-slow, promote-fails" are deleted once their promotion Jobs run
    Then every "passing" app version completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And every "failing" app version completes with
      | status | currentPhase   | promotionStatus |
      | Failed | PromotionTasks | Failed          |
    And every listed definition has exactly one KeptnTask per app version, each with one Job
