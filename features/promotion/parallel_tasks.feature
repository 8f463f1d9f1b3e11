Feature: All promotion tasks of a version run at the same time
  KEP 98: promotion tasks run in parallel. Every promotion Job exists before the first one
  finishes, their windows overlap, and from the first Job's creation to the last one's end takes
  less than twice one task. Judged from the Jobs' own windows as the scenario's watch saw them
  (when each Job appeared and when its Complete condition appeared), never from the times an
  implementation writes: how soon it notices is a benchmark figure, not parallelism.

  @id:PromotionTasksRunInParallel @feature:PromotionParallelism @core
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
    And the promotion Jobs took less than twice "5s" from the first one's creation to the last one's end

    Examples:
      | count | order    |
      | 2     | listed   |
      | 5     | reversed |
      | 10    | listed   |
