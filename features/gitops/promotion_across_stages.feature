Feature: A version that passed one stage promotes itself into the next, through Git and Flux
  KEP 98's purpose, end to end: dev → staging → prod, GitOps-assisted. A Git server on 127.0.0.1
  (Git's own http-backend) holds the GitOps repository, one folder per stage; Flux's
  source-controller and kustomize-controller apply each stage's folder into the stage's namespace
  (one GitRepository and one Kustomization per stage). Each stage's promotion task runs a script
  that clones the repository, writes the version it got from KEPTN_CONTEXT into the next stage's
  folder and pushes one commit; in the simulated cluster the host runner runs that container's
  command on this machine. Every stage starts at version 0.1.0, which every stage's lifecycle has
  completed before a scenario releases. Judged from the repository's history, the revisions Flux
  applied in each stage (watched), and each stage's objects, never from the implementation's word.

  @id:PromotionFlowsThroughEveryStage @feature:PromotionAcrossStages @extended @provider:simulated @rule:C9.1 @rule:C9.5
  Scenario: A released version flows dev → staging → prod with one promotion commit per stage boundary, its commit carried along
    Given a GitOps pipeline with the stages
      | stage   | post-deployment task | post-deployment evaluation |
      | dev     | 1s                   |                            |
      | staging | 1s                   | error-rate <1              |
      | prod    | 0s                   |                            |
    When version "1.0.0" is released to dev
    Then version "1.0.0" completes in every stage
    And the repository has exactly one promotion commit of "1.0.0" per stage boundary
    And every stage ends at "1.0.0", in the repository and in what Flux applied
    And each stage's app version names the commit Flux applied in the stage before, in its metadata and its promotion task's KEPTN_CONTEXT

  @id:FailedEvaluationStopsTheFlow @feature:PromotionAcrossStages @extended @provider:simulated @rule:C9.3
  Scenario: A version whose post-deployment evaluation fails in staging never reaches prod, and staging says why
    Given a GitOps pipeline with the stages
      | stage   | post-deployment task | post-deployment evaluation |
      | dev     | 1s                   |                            |
      | staging | 1s                   | error-rate <1              |
      | prod    | 0s                   |                            |
    And the evaluation "error-rate" of staging fails while "1.0.0" runs there
    When version "1.0.0" is released to dev
    Then the lifecycle of "1.0.0" in staging comes to an end
    And prod keeps "0.1.0": no commit of "1.0.0" reaches it and Flux never applies it there
    And the app version "1.0.0" of staging completes with
      | status | postDeploymentEvaluationStatus | promotionStatus |
      | Failed | Failed                         | Deprecated      |
    And staging says why "1.0.0" failed, naming "error-rate"

  @id:PromotionFailureInDevBlocking @feature:PromotionAcrossStages @extended @provider:simulated @rule:C9.4
  Scenario: Blocking: a failing promotion task in dev fails the version there; what the promotion script pushed still flows on
    Given a GitOps pipeline with the stages
      | stage   | post-deployment task | other promotion tasks    |
      | dev     | 0s                   | notify-release exits 1   |
      | staging | 0s                   |                          |
      | prod    | 0s                   |                          |
    When version "1.0.0" is released to dev
    Then the app version "1.0.0" of dev completes with
      | status | currentPhase   | promotionStatus |
      | Failed | PromotionTasks | Failed          |
    And version "1.0.0" completes in staging and prod
    And the repository has exactly one promotion commit of "1.0.0" per stage boundary

  @id:PromotionFailureInDevNonBlocking @feature:PromotionAcrossStages @extended @provider:simulated
  Scenario: Non-blocking, dev on a cluster of its own: a failing promotion task in dev is a Warning; the version flows on
    Given dev runs on a cluster of its own
    And a GitOps pipeline with the stages
      | stage   | post-deployment task | other promotion tasks    | blocks |
      | dev     | 0s                   | notify-release exits 1   | no     |
      | staging | 0s                   |                          | yes    |
      | prod    | 0s                   |                          | yes    |
    When version "1.0.0" is released to dev
    Then the app version "1.0.0" of dev completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Warning         |
    And version "1.0.0" completes in staging and prod
    And the repository has exactly one promotion commit of "1.0.0" per stage boundary

  @id:RefusedPushStopsThePromotion @feature:PromotionAcrossStages @extended @provider:simulated @rule:C9.4
  Scenario: When the repository refuses a promotion, the promotion task fails and the next stage keeps its version
    Given a GitOps pipeline with the stages
      | stage   | post-deployment task |
      | dev     | 0s                   |
      | staging | 0s                   |
      | prod    | 0s                   |
    And the Git server refuses "1.0.0" in staging
    When version "1.0.0" is released to dev
    Then the app version "1.0.0" of dev completes with
      | status | currentPhase   | promotionStatus |
      | Failed | PromotionTasks | Failed          |
    And staging keeps "0.1.0": no commit of "1.0.0" reaches it and Flux never applies it there

  @id:BackToBackReleasesNeverGoBack @feature:PromotionAcrossStages @extended @provider:simulated
  Scenario: Two versions released back to back: prod ends at the newer one and never goes back
    Given a GitOps pipeline with the stages
      | stage   | post-deployment task | post-deployment evaluation |
      | dev     | 1s                   |                            |
      | staging | 2s                   | error-rate <1              |
      | prod    | 0s                   |                            |
    When versions "1.0.0, 1.1.0" are released to dev 1 second apart
    Then version "1.1.0" completes in every stage
    And every stage ends at "1.1.0", in the repository and in what Flux applied
    And no stage ever went back to an older version, in the repository, in what Flux applied or in its KeptnApp
    And no version was promoted twice across a stage boundary

  @id:PromotionExactlyOnceUnderKills @feature:PromotionAcrossStages @extended @provider:simulated @exclusive @rule:C9.2
  Scenario: Killed at random moments during the flow, the implementation still promotes each version once per stage boundary
    Given a GitOps pipeline with the stages
      | stage   | post-deployment task | post-deployment evaluation |
      | dev     | 1s                   |                            |
      | staging | 1s                   | error-rate <1              |
      | prod    | 0s                   |                            |
    When versions "1.0.0, 1.1.0" are released to dev while the implementation is killed with SIGKILL at random moments, 2 times per release
    Then version "1.1.0" completes in every stage
    And every version that reached prod has exactly one promotion commit per stage boundary
    And no stage ever went back to an older version, in the repository, in what Flux applied or in its KeptnApp
    And every kill ended a running implementation and another one took its place
