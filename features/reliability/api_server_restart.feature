Feature: When the API server restarts, an implementation resumes its watches and loses nothing
  contract §6: an implementation reacts to watch events, so when kube-apiserver goes away and comes
  back, it must watch again (and list what it missed), or versions stop moving. The API server
  of a simulated cluster is a local process, so it is killed and started again while promotion
  tasks run; on other providers the scenario does not apply. The scenario watches the namespace
  through a second API server of its own that is never restarted, so that its record of every
  task and Job has no gap across the restart.

  @id:ExactlyOnceAcrossApiServerRestart @feature:PromotionExactlyOnce @extended @exclusive @provider:simulated @rule:C6.4
  Scenario: The API server restarts while promotion tasks run; every version completes and every task ran once
    Given the scenario is recorded through an API server that is not restarted
    And the task definitions
      | name           | runs for | exits with | retries | ttl |
      | pre-check      | 1s       | 0          |         |     |
      | post-check     | 1s       | 0          |         | 0   |
      | promote-deploy | 4s       | 0          |         | 0   |
      | promote-notify | 2s       | 0          |         |     |
      | promote-broken | 2s       | 1          | 0       | 0   |
    When app versions of these kinds are deployed
      | kind    | count | preDeploymentTasks | postDeploymentTasks | promotionTasks                 |
      | healthy | 3     | pre-check          | post-check          | promote-deploy, promote-notify |
      | broken  | 1     | pre-check          | post-check          | promote-deploy, promote-broken |
    And the API server is restarted while their promotion tasks run
    Then every "healthy" app version completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And every "broken" app version completes with
      | status | currentPhase   | promotionStatus |
      | Failed | PromotionTasks | Failed          |
    And every listed definition has exactly one KeptnTask per app version, each with one Job
    And the implementation is still running
