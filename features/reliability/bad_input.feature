Feature: Bad input is refused with a clear message or reported, and never breaks the implementation
  contract §6, never silent, and the quality bar: bad input gets a clear error naming the object and
  the field. What is judged is what a message names (the field, the definition), never how it is
  worded. Where the contract fixes admission (contract §1: exactly one of container, python, deno) or
  Kubernetes does (object names), the object must be refused, the message naming its field.
  Anywhere else a constraint belongs to some CRD set, not to the contract, and either outcome is
  conformant: refused naming its field, or accepted and then reported: its version waits or fails
  and its status message or an event about it names what is wrong. Each object of the corpus
  (fixtures/reliability/bad_input/, every file says what is wrong with it and what must happen) and
  of the random specs is judged so. Meanwhile the implementation keeps running (same process, no
  crash in its log), serves a valid app version beside the bad ones, and does not hot-loop, as
  counted by the API server (apiserver_request_total): once everything settled, it writes at most
  once per 10 bad objects in any 10 s window, and stays that quiet for 30 s (a settled
  implementation has nothing to write; a loop that retries at once writes many times a second, one
  that writes in bursts is busy in some window), and over the whole scenario the API server refused
  at most one of its requests per bad object (sending again what was refused, even with back-off,
  exceeds that within a minute). The counts are cluster-wide, so these scenarios run alone.

  @id:BadInputRefusedOrReported @feature:PromotionObservability @extended @exclusive @rule:C1.6 @rule:C6.5 @rule:C6.6
  Scenario: Every object of the bad-input corpus is refused naming its field, or accepted and reported with its reason
    Given the implementation is watched for crashes
    When every file of the bad-input corpus is submitted
    Then every object of the corpus was refused where it must be, naming its field where a rule fixes the refusal
    And every file whose objects were all accepted shows its expected outcome, naming what is wrong
    When a valid app version is deployed beside them
    Then it completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And once everything settled, the implementation writes at most once per 10 bad objects in any 10 seconds, and stays that quiet
    And the API server refused at most one request of the implementation per bad object
    And the implementation did not crash

  @id:RandomSpecsRefusedOrReported @feature:PromotionObservability @extended @exclusive @rule:C6.6
  Scenario: Random specs are refused where the contract says so, naming the field, and the versions of the others complete or say why
    Given the implementation is watched for crashes
    When 30 random apps are submitted, each with one field of its task definition, app context or app replaced by a random value
    Then every accepted random app's version completes, or waits or fails naming what is wrong
    When a valid app version is deployed beside them
    Then it completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And once everything settled, the implementation writes at most once per 10 bad objects in any 10 seconds, and stays that quiet
    And the API server refused at most one request of the implementation per bad object
    And the implementation did not crash

  @id:DefinitionDeletedWhileItsTaskRuns @feature:PromotionObservability @extended @rule:C6.8
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
