Feature: Rolling this project's CRDs back to the previous release, as fixtures/crds/previous/README.md says
  These scenarios check this project's own fixtures, not an implementation: the pair
  fixtures/crds/previous and fixtures/crds/current, and the rollback procedure the previous
  release's README gives, on a real API server (only an API server shows what it refuses, prunes
  and stores). They carry no conformance feature, so they count in no profile: `make test` runs
  them, `promotion-conformance run` does not. They share the simulated cluster of their own with
  the CRDCompatibility scenarios; "etcd holds" reads the object as stored, bypassing the API server.

  @id:CRDRollbackRefusedWhileV1Stored
  Scenario: The previous CRDs cannot be applied over the current ones while v1 is a stored version
    Given the lifecycle CRDs upgraded from the previous release to this project's current ones
    And a KeptnAppContext "shop" with promotion tasks "promote" and post-deployment tasks "notify", written through "v1"
    When the previous lifecycle CRDs are applied again
    Then the API server refuses each lifecycle CRD with 422 and the message 'status.storedVersions[1]: Invalid value: "v1": missing from spec.versions; v1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1 and removes v1 from status.storedVersions'
    And the KeptnAppContext "shop" still reads promotion tasks "promote" through "v1"

  @id:CRDRollbackKeepsStoredPromotionTasks
  Scenario: Rolled back CRDs hide promotionTasks on read but keep them in storage until the object is rewritten
    Given the lifecycle CRDs upgraded from the previous release to this project's current ones
    And a KeptnAppContext "shop" with promotion tasks "promote" and post-deployment tasks "notify", written through "v1"
    When the lifecycle CRDs are rolled back to the previous ones, with "v1" still listed but not served
    Then reading the KeptnAppContext "shop" through "v1" answers 404
    And the KeptnAppContext "shop" read through "v1beta1" has post-deployment tasks "notify" and no promotionTasks
    And etcd still holds the KeptnAppContext "shop" as "lifecycle.keptn.sh/v1" with promotion tasks "promote"
    And every lifecycle CRD has stored versions "v1beta1, v1"
    When this project's current lifecycle CRDs are applied again
    Then the KeptnAppContext "shop" still reads promotion tasks "promote" through "v1"

  @id:CRDRollbackRewriteDropsPromotionTasks
  Scenario: Rewriting an object under the rolled back CRDs drops its promotion fields for good
    Given the lifecycle CRDs upgraded from the previous release to this project's current ones
    And a KeptnAppContext "shop" with promotion tasks "promote" and post-deployment tasks "notify", written through "v1"
    And a KeptnAppVersion "shop-1.0.0-6b86b273" of app "shop" version "1.0.0" with promotion tasks "promote", written through "v1"
    And the lifecycle CRDs are rolled back to the previous ones, with "v1" still listed but not served
    When the KeptnAppContext "shop" is rewritten through "v1beta1" with the label "touched" set to "yes"
    And a previous-release controller sets status "Progressing" on the KeptnAppVersion "shop-1.0.0-6b86b273" through "v1beta1"
    Then etcd holds the KeptnAppContext "shop" as "lifecycle.keptn.sh/v1beta1" without promotionTasks
    And etcd holds the KeptnAppVersion "shop-1.0.0-6b86b273" as "lifecycle.keptn.sh/v1beta1" without promotionTasks
    When this project's current lifecycle CRDs are applied again
    Then the KeptnAppContext "shop" read through "v1" has post-deployment tasks "notify" and no promotionTasks
    And the KeptnAppVersion "shop-1.0.0-6b86b273" has no promotionTasks

  @id:CRDRollbackCompletes
  Scenario: After a storage migration back to v1beta1 the previous CRDs apply as they are
    Given the lifecycle CRDs upgraded from the previous release to this project's current ones
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
  @id:CRDRollbackWithoutMigrationBreaksReads
  Scenario: Dropping v1 after patching storedVersions without a storage migration makes objects stored as v1 unreadable
    Given the lifecycle CRDs upgraded from the previous release to this project's current ones
    And a KeptnAppContext "shop" with promotion tasks "promote" and post-deployment tasks "notify", written through "v1"
    And the lifecycle CRDs are rolled back to the previous ones, with "v1" still listed but not served
    When status.storedVersions of every lifecycle CRD is set to "v1beta1", without a storage migration
    Then the previous lifecycle CRDs apply, although etcd still holds the KeptnAppContext "shop" as "lifecycle.keptn.sh/v1"
    And reading the KeptnAppContext "shop" through "v1beta1" fails with 500 and the message 'request to convert CR from an invalid group/version: lifecycle.keptn.sh/v1'
    And listing KeptnAppContexts through "v1beta1" fails with 429 and the message 'request to convert CR from an invalid group/version: lifecycle.keptn.sh/v1'
    When the lifecycle CRDs are rolled back to the previous ones, with "v1" still listed but not served
    Then the KeptnAppContext "shop" read through "v1beta1" has post-deployment tasks "notify" and no promotionTasks
    And listing KeptnAppContexts through "v1beta1" shows "shop" again
