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

  @id:PromotionRunsAfterPostDeployment @feature:PromotionOrdering @core
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

  @id:EmptyPromotionTasksSucceed @feature:PromotionOrdering @core
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

  @id:AbsentPromotionTasksSucceed @feature:PromotionOrdering @core
  Scenario: An app context without promotionTasks, or no app context at all, completes the phase at once
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And no promotion task was ever created

  @id:RevisionBumpRunsPromotionAgain @feature:PromotionOrdering @core
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
    And the app version of "checkout" at revision 1 becomes "Deprecated"
