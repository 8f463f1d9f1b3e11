Feature: With two replicas, only the leader acts, and the other takes over when it dies
  SPEC §6, exactly once with two replicas: a standby replica beside the leader never creates a
  task or a Job; when the leader is killed with SIGKILL, the standby acts within the lease duration
  (measured from the kill to the first progress of a version that was waiting), and every version
  completes with each task run once. Needs an implementation the harness runs as a process.

  @id:ExactlyOnceWithTwoReplicas @feature:PromotionExactlyOnce @extended @exclusive
  Scenario: A standby replica runs nothing twice and takes over within the lease duration when the leader is killed
    Given the implementation comes back quickly after a kill
    And a second replica of the implementation is running
    And the task definitions
      | name           | runs for | exits with | ttl |
      | pre-check      | 1s       | 0          |     |
      | post-check     | 1s       | 0          | 0   |
      | promote-deploy | 2s       | 0          | 0   |
      | promote-notify | 1s       | 0          |     |
    When app versions of these kinds are deployed
      | kind    | count | preDeploymentTasks | postDeploymentTasks | promotionTasks                 |
      | healthy | 3     | pre-check          | post-check          | promote-deploy, promote-notify |
      | late    | 1     | pre-check          | post-check          | promote-deploy, promote-late   |
    Then every "healthy" app version completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And every "late" app version settles at
      | status      | currentPhase   | promotionStatus |
      | Progressing | PromotionTasks | Pending         |
    When the leading replica is killed with SIGKILL
    And the task definition "promote-late" is created, running for "1s"
    Then the other replica takes over within the lease duration
    And every "late" app version completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And every listed definition has exactly one KeptnTask per app version, each with one Job
