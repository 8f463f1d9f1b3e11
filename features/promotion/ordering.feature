Feature: Promotion runs after post-deployment, and only then
  KEP 98: once post-deployment tasks and evaluations of a KeptnAppVersion succeeded, the
  KeptnTaskDefinitions listed in its KeptnAppContext's spec.promotionTasks run as KeptnTasks of
  checkType "promotion". Nothing of the promotion phase may start earlier. Order is judged from
  clocks the implementation does not write: when the scenario's watch saw the post-deployment Jobs
  finish, when the scenario made the evaluation's metric reach its target, and when the watch saw
  the first promotion KeptnTask appear (sub-second, one clock).

  Background:
    Given the task definitions
      | name       | runs for | exits with |
      | pre-check  | 1s       | 0          |
      | post-check | 2s       | 0          |
      | promote-a  | 1s       | 0          |
      | promote-b  | 1s       | 0          |
    And a metric "availability" with value "80"
    And an evaluation definition "availability-check" requiring "availability" to be ">95", tried every 1s up to 30 times

  @id:PromotionRunsAfterPostDeployment @feature:PromotionOrdering @core @rule:C3.11 @rule:C3.1 @rule:C3.3 @rule:C3.4 @rule:C3.12
  Scenario: Promotion tasks start only after post-deployment tasks and evaluations succeeded
    Given an app context "checkout" with
      | list                      | definitions          |
      | preDeploymentTasks        | pre-check            |
      | postDeploymentTasks       | post-check           |
      | postDeploymentEvaluations | availability-check   |
      | promotionTasks            | promote-a, promote-b |
    When the app "checkout" with workload "checkout-web" is deployed at version "1.0.0"
    And the metric "availability" is set to "99.5" 2 seconds after the post-deployment Jobs finished
    Then the app version of "checkout" completes with
      | status    | currentPhase | postDeploymentStatus | postDeploymentEvaluationStatus | promotionStatus |
      | Succeeded | Completed    | Succeeded            | Succeeded                      | Succeeded       |
    And its promotion tasks are "promote-a, promote-b"
    And its "promotionTaskStatus" items are "promote-a=Succeeded, promote-b=Succeeded"
    And no promotion task appeared before the post-deployment Jobs finished and the metric reached its target
    And its "PromotionTasks" phase recorded the events "Started, Finished"
    And the watch saw its phases move forward, each state Pending until its phase began
    And its "promotionTaskStatus" items name their tasks, and those that ended their start and end times

  @id:EmptyPromotionTasksSucceed @feature:PromotionOrdering @core @rule:C3.2 @rule:C3.8
  Scenario: An empty promotionTasks list completes the phase at once
    Given an app context "checkout" with
      | list                | definitions |
      | postDeploymentTasks | post-check  |
      | promotionTasks      |             |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And no promotion task was ever created

  @id:AbsentPromotionTasksSucceed @feature:PromotionOrdering @core @rule:C2.3 @rule:C3.2 @rule:C3.8
  Scenario: An app context without promotionTasks, or no app context at all, completes the phase at once
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And no promotion task was ever created
    And the app version of "checkout" is controlled by its KeptnApp, which names its version as current

  @id:ContextOfAnotherNameIsNotUsed @feature:PromotionOrdering @core @rule:C2.1
  Scenario: A KeptnAppContext of another name is not the app's, and its promotionTasks do not run
    Given an app context "checkout-canary" with
      | list           | definitions |
      | promotionTasks | promote-a   |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And no promotion task was ever created

  @id:RevisionBumpRunsPromotionAgain @feature:PromotionOrdering @core @rule:C2.2 @rule:C2.4 @rule:C2.5
  Scenario: Bumping the KeptnApp revision runs the promotion phase again in a new KeptnAppVersion
    Given an app context "checkout" with
      | list           | definitions |
      | promotionTasks | promote-a   |
    And the app "checkout" is deployed at version "1.0.0"
    And the app version of "checkout" completes with
      | status    | promotionStatus |
      | Succeeded | Succeeded       |
    When the revision of the app "checkout" is bumped to 2
    Then the app version of "checkout" at revision 2 completes with
      | status    | promotionStatus |
      | Succeeded | Succeeded       |
    And the app version of "checkout" at revision 2 is named with the hash of generation 2
    And each app version of "checkout" has its own promotion task "promote-a"
    And the app version of "checkout" at revision 1 is Deprecated in every state

  @id:RevisionBumpDeprecatesRunningVersion @feature:PromotionOrdering @core @rule:C2.5 @rule:C2.6
  Scenario: A version superseded by a revision bump while it still runs is deprecated and starts nothing more
    A build that was replaced must not promote itself into the next stage: revision 1 is still in its
    pre-deployment task when the revision is bumped.
    Given the task definitions
      | name     | runs for | exits with |
      | pre-slow | 20s      | 0          |
    And an app context "checkout" with
      | list               | definitions |
      | preDeploymentTasks | pre-slow    |
      | promotionTasks     | promote-a   |
    When the app "checkout" is deployed at version "1.0.0"
    And the revision of the app "checkout" is bumped to 2 while its "pre" task "pre-slow" runs
    Then the app version of "checkout" at revision 1 is Deprecated in every state
    And the app version of "checkout" at revision 2 completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And the app version of "checkout" at revision 2 has the promotion tasks "promote-a"
    And the app version of "checkout" at revision 1 started nothing after it was deprecated

  @id:ContextCopiedWhenTheVersionIsCreated @feature:PromotionOrdering @core @rule:C2.4
  Scenario: A changed app context is used by the next revision, not by the version that runs
    Given the task definitions
      | name     | runs for | exits with |
      | pre-wait | 10s      | 0          |
    And an app context "checkout" with
      | list               | definitions |
      | preDeploymentTasks | pre-wait    |
      | promotionTasks     | promote-a   |
    When the app "checkout" is deployed at version "1.0.0"
    And the app context "checkout" is changed to list "promote-b" as promotionTasks while its "pre" task "pre-wait" runs
    Then the app version of "checkout" at revision 1 completes with
      | status    | promotionStatus |
      | Succeeded | Succeeded       |
    And the app version of "checkout" at revision 1 lists "promote-a" as promotionTasks
    And the app version of "checkout" at revision 1 has the promotion tasks "promote-a"
    When the revision of the app "checkout" is bumped to 2
    Then the app version of "checkout" at revision 2 completes with
      | status    | promotionStatus |
      | Succeeded | Succeeded       |
    And the app version of "checkout" at revision 2 lists "promote-b" as promotionTasks
    And the app version of "checkout" at revision 2 has the promotion tasks "promote-b"

  @id:AppDeployWaitsForItsWorkload @feature:PromotionOrdering @core @rule:C2.7
  Scenario: The deploy phase waits for the app's workload, deployed after the app
    Given an app context "checkout" with
      | list           | definitions |
      | promotionTasks | promote-a   |
    When the app "checkout" with workload "checkout-web" is deployed at version "1.0.0", the workload 15 seconds later
    Then the app version of "checkout" completes with
      | status    | currentPhase | workloadOverallStatus | promotionStatus |
      | Succeeded | Completed    | Succeeded             | Succeeded       |
    And the workload "checkout-web" got its KeptnWorkloadVersion, and the deploy phase waited for it
    And its promotion tasks are "promote-a"
