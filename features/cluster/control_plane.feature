@cluster
Feature: The cluster runs Jobs, Deployments and garbage collection for real
  The simulated provider runs the real kube-controller-manager and scheduler; only containers
  are simulated. A task container declares how long it runs and how it exits (SIM_RUN_FOR,
  SIM_EXIT_CODE), and the cluster honours it, as a real container would on kind.

  @id:ClusterJobSucceeds
  Scenario: A Job whose task runs 2 s and exits 0 completes
    Given a Job "ok" whose task runs for "2s" and exits with 0
    Then the Job "ok" reaches the condition "Complete"
    And the Job "ok" ran at least 2 seconds

  @id:ClusterJobRetriesThenFails
  Scenario: A failing Job is retried backoffLimit times, then fails
    Given a Job "broken" whose task runs for "0s" and exits with 1, with backoffLimit 2
    Then the Job "broken" reaches the condition "Failed" with reason "BackoffLimitExceeded"
    And the Job "broken" had 3 pods

  @id:ClusterJobDeadline
  Scenario: A Job that runs past its activeDeadlineSeconds fails
    Given a Job "slow" whose task runs for "60s" and exits with 0, with activeDeadlineSeconds 3
    Then the Job "slow" reaches the condition "Failed" with reason "DeadlineExceeded"

  @id:ClusterDeploymentAvailable
  Scenario: A Deployment becomes Available
    Given a Deployment "web" with 2 replicas
    Then the Deployment "web" becomes Available with 2 ready replicas

  @id:ClusterGarbageCollection
  Scenario: A ConfigMap owned by a deleted object is garbage-collected
    Given a ConfigMap "owner" and a ConfigMap "dependent" owned by it
    When the ConfigMap "owner" is deleted
    Then the ConfigMap "dependent" is garbage-collected
