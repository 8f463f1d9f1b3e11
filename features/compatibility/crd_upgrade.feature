Feature: Upgrading the lifecycle CRDs to the promotion phase breaks no one
  The current CRDs add spec.promotionTasks (KeptnAppContext, KeptnAppVersion) and
  status.promotionStatus / status.promotionTaskStatus (KeptnAppVersion), store v1 and still serve
  v1beta1. The previous release served and stored v1beta1 only (fixtures/crds/previous/README.md).
  CRDs are cluster-wide: these scenarios run on a simulated cluster of their own, and each one
  installs the release it starts from from scratch. "etcd holds" reads the object as stored,
  bypassing the API server: only etcd shows the version an object is stored in and what the API
  server prunes when it reads. Objects live in the scenario's namespace.

  @id:CRDUpgradeKeepsObjects @feature:CRDCompatibility @core
  Scenario: Objects created under the previous CRDs survive the upgrade and a storage migration
    Given the previous lifecycle CRDs
    And one object of each lifecycle kind, created through "v1beta1"
    When the current lifecycle CRDs are applied
    Then every object reads back unchanged through "v1" and "v1beta1", with only the defaults current adds
    And etcd still holds every object as "lifecycle.keptn.sh/v1beta1"
    And every lifecycle CRD has stored versions "v1beta1, v1"
    When the harness migrates storage to the storage version of the current CRDs
    Then every object reads back unchanged through "v1" and "v1beta1", rewritten
    And etcd holds every object as "lifecycle.keptn.sh/v1"
    And every lifecycle CRD has stored versions "v1"

  # What "the promotion fields at their defaults" means for an app version older than them:
  # - spec.promotionTasks has no default: it stays absent, which reads as an empty list.
  # - status.promotionStatus defaults to Pending: the API server adds it when it reads the old
  #   object (etcd does not hold it), before any controller touched it.
  # - Then the implementation runs with PROMOTION_TASKS_ENABLED=true. Phase 6 runs with an empty
  #   list, and "an empty list is Succeeded at once" (SPEC.md §3), so promotionStatus ends
  #   Succeeded, promotionTaskStatus stays empty and no promotion KeptnTask is ever created.
  @id:CRDUpgradeOldAppVersionCompletes @feature:CRDCompatibility @core
  Scenario: An app version created before the upgrade completes its lifecycle after it, without promotion
    Given the previous lifecycle CRDs
    And a KeptnTaskDefinition "notify" whose task runs for "1s" and exits with 0, created through "v1beta1"
    And the app "shop" whose KeptnAppVersion "shop-1.0.0-6b86b273" the previous release created, with post-deployment task "notify"
    When the current lifecycle CRDs are applied
    Then the KeptnAppVersion "shop-1.0.0-6b86b273" reads promotionStatus "Pending" through "v1", which etcd does not hold
    And the KeptnAppVersion "shop-1.0.0-6b86b273" has no promotionTasks
    When the implementation under test starts on this cluster
    Then the KeptnAppVersion "shop-1.0.0-6b86b273" reaches status "Succeeded" with currentPhase "Completed"
    And the KeptnAppVersion "shop-1.0.0-6b86b273" has postDeploymentStatus "Succeeded" and promotionStatus "Succeeded"
    And the KeptnAppVersion "shop-1.0.0-6b86b273" has no promotionTasks and no promotionTaskStatus items
    And the namespace has exactly one KeptnTask, with checkType "post" for definition "notify", and none with checkType "promotion"
    And the app "shop" has exactly one KeptnAppVersion

  @id:CRDPromotionFieldsRoundTrip @feature:CRDCompatibility @core
  Scenario: Promotion fields written after the upgrade read back identically through v1 and v1beta1
    Given the lifecycle CRDs upgraded from the previous release
    When a KeptnAppContext "shop" with promotion tasks "promote, announce", written through "v1"
    And a KeptnAppVersion "shop-1.0.0-6b86b273" of app "shop" version "1.0.0" with promotion tasks "promote, announce", written through "v1beta1"
    And the KeptnAppVersion "shop-1.0.0-6b86b273" gets, through "v1beta1", promotionStatus "Progressing" and a promotionTaskStatus item for "promote"
    Then the KeptnAppContext "shop" reads identically through "v1" and "v1beta1", with promotion tasks "promote, announce"
    And the KeptnAppVersion "shop-1.0.0-6b86b273" reads identically through "v1" and "v1beta1", with promotion tasks "promote, announce"
    And the KeptnAppVersion "shop-1.0.0-6b86b273" reads back the promotion status it was given

  @id:CRDOldClientKeepsPromotionTasks @feature:CRDCompatibility @core
  Scenario: A client that knows only the previous schema does not remove promotionTasks with server-side apply
    Given the lifecycle CRDs upgraded from the previous release
    And field manager "old-client" applies through "v1beta1" a KeptnAppContext "shop" with pre-deployment tasks "check-db" and post-deployment tasks "notify"
    And field manager "promotion-admin" applies through "v1" a KeptnAppContext "shop" with promotion tasks "promote"
    When field manager "old-client" applies through "v1beta1" a KeptnAppContext "shop" with pre-deployment tasks "check-db" and post-deployment tasks "notify, smoke-test"
    Then the KeptnAppContext "shop" has promotion tasks "promote", pre-deployment tasks "check-db" and post-deployment tasks "notify, smoke-test"
    And in the managedFields of KeptnAppContext "shop", "old-client" owns preDeploymentTasks and postDeploymentTasks through "v1beta1", and not promotionTasks
    And in the managedFields of KeptnAppContext "shop", "promotion-admin" owns promotionTasks through "v1"

  @id:CRDRollbackRefusedWhileV1Stored @feature:CRDCompatibility @core
  Scenario: The previous CRDs cannot be applied over the current ones while v1 is a stored version
    Given the lifecycle CRDs upgraded from the previous release
    And a KeptnAppContext "shop" with promotion tasks "promote" and post-deployment tasks "notify", written through "v1"
    When the previous lifecycle CRDs are applied again
    Then the API server refuses each lifecycle CRD with 422 and the message 'status.storedVersions[1]: Invalid value: "v1": missing from spec.versions; v1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1 and removes v1 from status.storedVersions'
    And the KeptnAppContext "shop" still reads promotion tasks "promote" through "v1"

  @id:CRDRollbackKeepsStoredPromotionTasks @feature:CRDCompatibility @core
  Scenario: Rolled back CRDs hide promotionTasks on read but keep them in storage until the object is rewritten
    Given the lifecycle CRDs upgraded from the previous release
    And a KeptnAppContext "shop" with promotion tasks "promote" and post-deployment tasks "notify", written through "v1"
    When the lifecycle CRDs are rolled back to the previous ones, with "v1" still listed but not served
    Then reading the KeptnAppContext "shop" through "v1" answers 404
    And the KeptnAppContext "shop" read through "v1beta1" has post-deployment tasks "notify" and no promotionTasks
    And etcd still holds the KeptnAppContext "shop" as "lifecycle.keptn.sh/v1" with promotion tasks "promote"
    And every lifecycle CRD has stored versions "v1beta1, v1"
    When the current lifecycle CRDs are applied again
    Then the KeptnAppContext "shop" still reads promotion tasks "promote" through "v1"

  @id:CRDRollbackRewriteDropsPromotionTasks @feature:CRDCompatibility @core
  Scenario: Rewriting an object under the rolled back CRDs drops its promotion fields for good
    Given the lifecycle CRDs upgraded from the previous release
    And a KeptnAppContext "shop" with promotion tasks "promote" and post-deployment tasks "notify", written through "v1"
    And a KeptnAppVersion "shop-1.0.0-6b86b273" of app "shop" version "1.0.0" with promotion tasks "promote", written through "v1"
    And the lifecycle CRDs are rolled back to the previous ones, with "v1" still listed but not served
    When the KeptnAppContext "shop" is rewritten through "v1beta1" with the label "touched" set to "yes"
    And a previous-release controller sets status "Progressing" on the KeptnAppVersion "shop-1.0.0-6b86b273" through "v1beta1"
    Then etcd holds the KeptnAppContext "shop" as "lifecycle.keptn.sh/v1beta1" without promotionTasks
    And etcd holds the KeptnAppVersion "shop-1.0.0-6b86b273" as "lifecycle.keptn.sh/v1beta1" without promotionTasks
    When the current lifecycle CRDs are applied again
    Then the KeptnAppContext "shop" read through "v1" has post-deployment tasks "notify" and no promotionTasks
    And the KeptnAppVersion "shop-1.0.0-6b86b273" has no promotionTasks

  @id:CRDRollbackCompletes @feature:CRDCompatibility @core
  Scenario: After a storage migration back to v1beta1 the previous CRDs apply as they are
    Given the lifecycle CRDs upgraded from the previous release
    And a KeptnAppContext "shop" with promotion tasks "promote" and post-deployment tasks "notify", written through "v1"
    And the lifecycle CRDs are rolled back to the previous ones, with "v1" still listed but not served
    When the harness migrates storage to the storage version of the rolled back CRDs
    Then every lifecycle CRD has stored versions "v1beta1"
    And etcd holds the KeptnAppContext "shop" as "lifecycle.keptn.sh/v1beta1" without promotionTasks
    When the previous lifecycle CRDs are applied again
    Then the API server accepts every CRD
    And every lifecycle CRD serves and lists "v1beta1" only
    And the KeptnAppContext "shop" read through "v1beta1" has post-deployment tasks "notify" and no promotionTasks

  # The trap of the path above: status.storedVersions is only the operator's word. The API server
  # accepts any list and then lets the previous CRDs drop v1, although objects are still stored as
  # v1. They cannot be decoded any more: reads fail, lists fail (the watch cache cannot start), and
  # even deleting the CRD hangs. Listing v1 again repairs it.
  @id:CRDRollbackWithoutMigrationBreaksReads @feature:CRDCompatibility @core
  Scenario: Dropping v1 after patching storedVersions without a storage migration makes objects stored as v1 unreadable
    Given the lifecycle CRDs upgraded from the previous release
    And a KeptnAppContext "shop" with promotion tasks "promote" and post-deployment tasks "notify", written through "v1"
    And the lifecycle CRDs are rolled back to the previous ones, with "v1" still listed but not served
    When status.storedVersions of every lifecycle CRD is set to "v1beta1", without a storage migration
    Then the previous lifecycle CRDs apply, although etcd still holds the KeptnAppContext "shop" as "lifecycle.keptn.sh/v1"
    And reading the KeptnAppContext "shop" through "v1beta1" fails with 500 and the message 'request to convert CR from an invalid group/version: lifecycle.keptn.sh/v1'
    And listing KeptnAppContexts through "v1beta1" fails with 429 and the message 'request to convert CR from an invalid group/version: lifecycle.keptn.sh/v1'
    When the lifecycle CRDs are rolled back to the previous ones, with "v1" still listed but not served
    Then the KeptnAppContext "shop" read through "v1beta1" has post-deployment tasks "notify" and no promotionTasks
    And listing KeptnAppContexts through "v1beta1" shows "shop" again

  @id:CRDPromotionFieldsTypeChecked @feature:CRDCompatibility @core
  Scenario: promotionTasks of the wrong type, or with an entry that is not a name, is refused naming the field
    Given the lifecycle CRDs upgraded from the previous release
    Then creating these objects is refused with 422, the message naming the field and saying why:
      | kind            | through | promotionTasks | field                  | why                             |
      | KeptnAppContext | v1      | "promote"      | spec.promotionTasks    | must be of type array           |
      | KeptnAppContext | v1      | [1]            | spec.promotionTasks[0] | must be of type string          |
      | KeptnAppContext | v1beta1 | [{"a": 1}]     | spec.promotionTasks[0] | must be of type string          |
      | KeptnAppContext | v1      | [""]           | spec.promotionTasks[0] | should be at least 1 chars long |
      | KeptnAppVersion | v1      | "promote"      | spec.promotionTasks    | must be of type array           |
      | KeptnAppVersion | v1beta1 | [true]         | spec.promotionTasks[0] | must be of type string          |

  @id:CRDPromotionStatusEnum @feature:CRDCompatibility @core
  Scenario: promotionStatus and promotionTaskStatus items accept only KeptnState values
    Given the lifecycle CRDs upgraded from the previous release
    And a KeptnAppVersion "shop-1.0.0-6b86b273" of app "shop" version "1.0.0" with promotion tasks "promote", written through "v1"
    Then writing the status of KeptnAppVersion "shop-1.0.0-6b86b273" is refused with 422, the message naming the field:
      | through | promotionStatus | item status | field                                |
      | v1      | Done            | Succeeded   | status.promotionStatus               |
      | v1beta1 | Succeeded       | Done        | status.promotionTaskStatus[0].status |
