Feature: Promotion tasks and their Jobs carry what the contract says
  A promotion KeptnTask's spec.context tells the task what it promotes; its Job runs the
  definition's container with that context as KEPTN_CONTEXT, under the limits, labels, annotations
  and service account of the KeptnTaskDefinition (docs/contract.md §5). What each Then expects comes
  from the objects the scenario wrote and from the contract, not from the table.

  @id:PromotionTaskContext @feature:PromotionTaskContract @core
  @rule:C5.2 @rule:C5.4 @rule:C5.5 @rule:C5.6 @rule:C5.7 @rule:C5.14 @rule:C5.16
  Scenario: A promotion task knows the app, the version and the app context metadata
    Given the task definitions
      | name      | runs for | exits with |
      | promote-a | 2s       | 0          |
    And an app context "checkout" with metadata "stage=staging, next-stage=production" and
      | list           | definitions |
      | promotionTasks | promote-a   |
    When the app "checkout" is deployed at version "2.4.1"
    Then the app version of "checkout" completes with
      | status    | promotionStatus |
      | Succeeded | Succeeded       |
    And the promotion task "promote-a" is named after its check type and its definition
    And the promotion task "promote-a" is controlled by its app version
    And the Job of the promotion task "promote-a" is named after its task and controlled by it
    And the promotion task "promote-a" has the promotion context of its app and version
    And the context metadata of the promotion task "promote-a" holds the app context's metadata
    And the Job of the promotion task "promote-a" has KEPTN_CONTEXT equal to the task's context
    And the promotion task "promote-a" became Succeeded once its Job completed, not before

  @id:PromotionJobShape @feature:PromotionTaskContract @core
  @rule:C5.3 @rule:C5.8 @rule:C5.9 @rule:C5.10 @rule:C5.11 @rule:C5.12 @rule:C5.13
  Scenario: A promotion Job gets the definition's retries, timeout, TTL, labels, service account and the Keptn annotations
    Given a service account "promoter"
    And the task definitions
      | name      | runs for | exits with | retries | timeout | ttl | labels                     | annotations        | service account | automount token | image pull secrets   |
      | promote-a | 1s       | 0          | 3       | 2m      | 600 | team=payments, tier=gitops | owner=release-team | promoter        | false           | registry-credentials |
    And an app context "checkout" with
      | list           | definitions |
      | promotionTasks | promote-a   |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status    | promotionStatus |
      | Succeeded | Succeeded       |
    And the promotion task "promote-a" carries the labels and annotations of its definition
    And the Job of the promotion task "promote-a" has its task's labels, and its annotations with the app, version and task name
    And the pod template of the Job of the promotion task "promote-a" carries its task's labels and annotations and restarts on failure
    And the Job of the promotion task "promote-a" has the retries, timeout and TTL of its definition
    And the pod of the Job of the promotion task "promote-a" runs with the service account, token automount and image pull secrets of its definition

  @id:PromotionTaskRunsItsContainerAsWritten @feature:PromotionTaskContract @core @rule:C5.14
  Scenario: A promotion Job runs the definition's container as written, with the task's KEPTN_CONTEXT in place of the definition's own
    Given the task definitions
      | name      | runs for | exits with | working dir | args                  | env                                                                              |
      | promote-a | 1s       | 0          | /workspace  | production, --dry-run | TARGET_STAGE=production, KEPTN_CONTEXT=set-by-the-definition, CHANNEL=stable |
    And an app context "checkout" with
      | list           | definitions |
      | promotionTasks | promote-a   |
    When the app "checkout" is deployed at version "3.0.0"
    Then the app version of "checkout" completes with
      | status    | promotionStatus |
      | Succeeded | Succeeded       |
    And the Job of the promotion task "promote-a" runs the container of its definition as written, with the task's KEPTN_CONTEXT
