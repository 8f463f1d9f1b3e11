Feature: All promotion tasks of a version run at the same time
  KEP 98: promotion tasks run in parallel. Every promotion Job exists before the first one
  finishes, their windows overlap, and their pods ran side by side. Judged from the Jobs' and
  pods' own windows as the scenario's watch saw them (when each Job appeared and its Complete
  condition appeared, when each pod was Running and when it ended), never from the times an
  implementation writes: how soon it notices is a benchmark figure, not parallelism, and how long
  a node takes to start pods is the cluster's business.

  @id:PromotionTasksRunInParallel @feature:PromotionParallelism @core @rule:C5.1
  Scenario Outline: <count> promotion tasks of 5 s run in parallel
    Given <count> promotion task definitions "promote" that run for "5s"
    And an app context "checkout" listing them as promotionTasks in <order> order
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status    | promotionStatus |
      | Succeeded | Succeeded       |
    And it has <count> promotion tasks, each with one Job
    And every promotion Job was created before the first one finished
    And the active windows of all promotion Jobs overlap
    And the pods of all promotion Jobs ran side by side

    Examples:
      | count | order    |
      | 2     | listed   |
      | 5     | reversed |
      | 10    | listed   |

  @id:PromotionEndsWithItsSlowestTask @feature:PromotionParallelism @core @rule:C3.6
  Scenario: The promotion phase ends only when its slowest task has ended
    Given the task definitions
      | name         | runs for | exits with | retries |
      | promote-fast | 1s       | 0          | 0       |
      | promote-slow | 6s       | 0          | 0       |
    And an app context "checkout" with
      | list           | definitions                |
      | promotionTasks | promote-fast, promote-slow |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status    | promotionStatus |
      | Succeeded | Succeeded       |
    And the promotion phase ended after its last promotion Job finished
