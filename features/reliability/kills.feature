Feature: Killed at random moments, an implementation loses nothing and runs nothing twice
  contract §6, exactly once: a finished task is never run again, not after a restart, and not when its
  Job is gone (ttlSecondsAfterFinished: 0 removes it right after it finishes). App versions with
  pre-deployment, post-deployment and two promotion tasks go through their lifecycle while the
  implementation is killed with SIGKILL at random moments and started again: each kill comes after
  a random number (0 to 8) of changes the implementation made (versions, tasks, Jobs) since the
  last kill. `make test` deploys 6 versions and kills 5 times; `make soak` (the run's `--soak`)
  deploys 30 and kills 20 times.

  @id:ExactlyOnceUnderRandomKills @feature:PromotionExactlyOnce @extended @exclusive @rule:C6.1 @rule:C6.2
  Scenario: Every version ends in its expected state and every task ran exactly once, across SIGKILLs at random moments
    Given the task definitions
      | name           | runs for | exits with | retries | ttl |
      | pre-check      | 1s       | 0          |         |     |
      | post-check     | 1s       | 0          |         | 0   |
      | promote-deploy | 2s       | 0          |         | 0   |
      | promote-notify | 1s       | 0          |         |     |
      | promote-broken | 1s       | 1          | 0       | 0   |
    When app versions of these kinds are deployed in turn while the implementation is killed with SIGKILL at random moments
      | kind    | preDeploymentTasks | postDeploymentTasks | promotionTasks                 |
      | healthy | pre-check          | post-check          | promote-deploy, promote-notify |
      | broken  | pre-check          | post-check          | promote-deploy, promote-broken |
    Then every "healthy" app version completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And every "broken" app version completes with
      | status | currentPhase   | promotionStatus |
      | Failed | PromotionTasks | Failed          |
    And every listed definition has exactly one KeptnTask per app version, each with one Job
    And every kill ended a running implementation and another one took its place
