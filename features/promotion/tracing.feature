@exclusive
Feature: With tracing configured, a version's trace reaches the collector and links to the stage before
  A KeptnConfig naming an OpenTelemetry collector (spec.OTelCollectorUrl, cluster-wide, so these
  scenarios run alone) points the implementation at an OTLP receiver the scenario runs on
  127.0.0.1. Judged from the KeptnTasks and from the spans the receiver got: their trace and span
  ids and their links, never from the implementation's logs.

  Background:
    Given the implementation sends its traces to an OTLP receiver on the loopback
    And the task definitions
      | name      | runs for | exits with | retries |
      | promote-a | 1s       | 0          | 0       |
      | promote-b | 1s       | 0          | 0       |

  @id:PromotionTaskCarriesTheVersionsTrace @feature:PromotionTracing @extended @rule:C10.1 @rule:C10.2
  Scenario: The promotion tasks carry their version's trace, and the span it names reaches the collector
    Given an app context "checkout" with
      | list           | definitions          |
      | promotionTasks | promote-a, promote-b |
    When the app "checkout" is deployed at version "1.0.0"
    Then the app version of "checkout" completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And the promotion tasks of "checkout" carry one trace, and the span it names reaches the receiver

  @id:PromotionTraceLinksThePreviousStage @feature:PromotionTracing @extended @rule:C10.2
  Scenario: A version whose app context lists span links links its trace to the stage before
    Given an app context "dev" with
      | list           | definitions |
      | promotionTasks | promote-a   |
    And the app "dev" is deployed at version "1.0.0"
    And the app version of "dev" completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And an app context "staging" linking to the trace of the promotion task of "dev", with
      | list           | definitions |
      | promotionTasks | promote-a   |
    When the app "staging" is deployed at version "1.0.0"
    Then the app version of "staging" completes with
      | status    | currentPhase | promotionStatus |
      | Succeeded | Completed    | Succeeded       |
    And a span of the trace of "staging" reaches the receiver linked to the trace of "dev"
