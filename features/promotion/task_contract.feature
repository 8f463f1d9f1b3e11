Feature: Promotion tasks and their Jobs carry what the contract says
  A promotion KeptnTask's spec.context tells the task what it promotes; its Job gets that context
  as KEPTN_CONTEXT and the limits of the KeptnTaskDefinition (docs/contract.md §5).

  @id:PromotionTaskContext @feature:PromotionTaskContract @core
  Scenario: A promotion task knows the app, the version and the app context metadata
    Given the task definitions
      | name      | runs for | exits with |
      | promote-a | 1s       | 0          |
    And an app context "checkout" with metadata "stage=staging, next-stage=production" and
      | list           | definitions |
      | promotionTasks | promote-a   |
    When the app "checkout" is deployed at version "2.4.1"
    Then the app version of "checkout" completes with
      | status    | promotionStatus |
      | Succeeded | Succeeded       |
    And the promotion task "promote-a" has the context
      | appName  | appVersion | taskType  | objectType | workloadName | workloadVersion |
      | checkout | 2.4.1      | promotion | App        |              |                 |
    And the context metadata of the promotion task "promote-a" includes "stage=staging, next-stage=production"
    And the Job of the promotion task "promote-a" has KEPTN_CONTEXT equal to the task's context

  @id:PromotionJobShape @feature:PromotionTaskContract @core
  Scenario: A promotion Job gets the definition's retries, timeout, TTL, labels and the Keptn annotations
    Given the task definitions
      | name      | runs for | exits with | retries | timeout | ttl | labels                      | annotations        |
      | promote-a | 1s       | 0          | 3       | 2m      | 600 | team=payments, tier=gitops | owner=release-team |
    And an app context "checkout" with
      | list           | definitions |
      | promotionTasks | promote-a   |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status    | promotionStatus |
      | Succeeded | Succeeded       |
    And the Job of the promotion task "promote-a" has
      | backoffLimit | activeDeadlineSeconds | ttlSecondsAfterFinished |
      | 3            | 120                   | 600                     |
    And the Job of the promotion task "promote-a" has the labels "team=payments, tier=gitops"
    And the Job of the promotion task "promote-a" has the annotations "owner=release-team, keptn.sh/app=checkout, keptn.sh/version=1.0.0"
    And the Job of the promotion task "promote-a" has the annotation "keptn.sh/task-name" naming its task
    And the promotion task "promote-a" has the labels "team=payments, tier=gitops"
