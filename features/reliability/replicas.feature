Feature: With two replicas, only the leader acts, and the other takes over when it dies
  contract §6, exactly once with two replicas: a standby replica beside the leader writes nothing but
  its leader Lease; when the leader is killed with SIGKILL, the standby acts within the duration of
  the Lease it competes for (measured from the kill to the first KeptnTask of a version that was
  waiting), and every version completes with each task run once. The second replica reaches the
  API server through a recording proxy of the harness, so that its requests are known; the Lease
  is the one it asked for, its duration read from the Lease object. Needs an implementation the
  harness runs as a process.

  @id:ExactlyOnceWithTwoReplicas @feature:PromotionExactlyOnce @extended @exclusive @rule:C6.1 @rule:C6.2 @rule:C6.3
  Scenario: A standby replica writes nothing and takes over within its lease duration when the leader is killed
    Given a second replica of the implementation is running, its requests recorded
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
    Then the second replica wrote nothing but its leader Lease while the other one led
    And the second replica takes over within the duration of the Lease it competes for
    And every "late" app version completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And every listed definition has exactly one KeptnTask per app version, each with one Job
