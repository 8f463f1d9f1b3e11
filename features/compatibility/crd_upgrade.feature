Feature: Upgrading the lifecycle CRDs to the implementation's breaks no one
  These scenarios judge the implementation's own CRDs: the files its adapter lists in
  `install.crds`, or, for an adapter that installs them otherwise (a Helm chart), the CRDs of the
  contract's groups read back from the run's cluster after its install. They must offer what
  the contract fixes in docs/contract.md §1 (kinds; versions: v1 stored, v1beta1 served,
  conversion None; field names, types, stated defaults and states), and upgrading to them from
  the implementation's previous release (its adapter's previousRelease.crds; the reference's is
  fixtures/crds/previous: v1beta1 only, no promotion fields) must keep stored
  objects readable and writable and old clients working. Constraints the contract does not state
  (minLength, maxItems, minimum, an enum on a free-form field) are never held against them.
  CRDs are cluster-wide: the upgrade scenarios run on a simulated cluster of their own, and each
  one installs the release it starts from from scratch. "etcd holds" reads the object as stored,
  bypassing the API server: only etcd shows the version an object is stored in. Objects live in
  the scenario's namespace and use only fields the contract names.

  @id:CRDStaticCompatibility @feature:CRDCompatibility @core @rule:C1.1 @rule:C1.2
  Scenario: The implementation's CRDs serve what the contract fixes and keep what the previous release served
    Given the implementation's lifecycle CRDs
    Then they serve every kind of the contract in its versions, the lifecycle kinds storing v1 and serving v1beta1 with conversion None, namespaced, with a status subresource
    And the CRD compatibility checker finds no breaking change from the previous release to what the contract fixes
    And they have every field the contract names, with a type that admits its values, the default it states and every state value

  @id:CRDUpgradeKeepsObjects @feature:CRDCompatibility @core @rule:C1.1
  Scenario: Objects created under the previous CRDs survive the upgrade and a storage migration
    Given the previous lifecycle CRDs
    And one object of each lifecycle kind, created through "v1beta1"
    When the implementation's lifecycle CRDs are applied
    Then every object reads back unchanged through "v1" and "v1beta1", with only the defaults the implementation's CRDs declare
    And etcd still holds every object as "lifecycle.keptn.sh/v1beta1"
    And every lifecycle CRD has stored versions "v1beta1, v1"
    When the harness migrates storage to the storage version of the implementation's CRDs
    Then every object reads back unchanged through "v1" and "v1beta1", rewritten
    And etcd holds every object as "lifecycle.keptn.sh/v1"
    And every lifecycle CRD has stored versions "v1"

  # What "without promotion" means for an app version older than the promotion fields:
  # - spec.promotionTasks stays absent (or empty), which reads as an empty list.
  # - status.promotionStatus reads Pending, or nothing, which is Pending (docs/contract.md §3: every
  #   phase status defaults to Pending; whether the CRD or the controller fills it in is not fixed).
  # - Then the implementation runs with PROMOTION_TASKS_ENABLED=true. Phase 6 runs with an empty
  #   list, and "an empty list is Succeeded at once" (docs/contract.md §3), so promotionStatus ends
  #   Succeeded, promotionTaskStatus stays empty and no promotion KeptnTask is ever created.
  @id:CRDUpgradeOldAppVersionCompletes @feature:CRDCompatibility @core @rule:C1.3
  Scenario: An app version created before the upgrade completes its lifecycle after it, without promotion
    Given the previous lifecycle CRDs
    And a KeptnTaskDefinition "notify" whose task runs for "1s" and exits with 0, created through "v1beta1"
    And the app "shop" whose KeptnAppVersion "shop-1.0.0-6b86b273" the previous release created, with post-deployment task "notify"
    When the implementation's lifecycle CRDs are applied
    Then the KeptnAppVersion "shop-1.0.0-6b86b273" reads through "v1" a promotionStatus of "Pending" or none
    And the KeptnAppVersion "shop-1.0.0-6b86b273" has no promotionTasks
    When the implementation under test starts on this cluster
    Then the KeptnAppVersion "shop-1.0.0-6b86b273" reaches status "Succeeded" with currentPhase "Completed"
    And the KeptnAppVersion "shop-1.0.0-6b86b273" has postDeploymentStatus "Succeeded" and promotionStatus "Succeeded"
    And the KeptnAppVersion "shop-1.0.0-6b86b273" has no promotionTasks and no promotionTaskStatus items
    And the namespace has exactly one KeptnTask, with checkType "post" for definition "notify", and none with checkType "promotion"
    And the app "shop" has exactly one KeptnAppVersion

  @id:CRDPromotionFieldsRoundTrip @feature:CRDCompatibility @core @rule:C1.4
  Scenario: Promotion fields written after the upgrade read back identically through v1 and v1beta1
    Given the lifecycle CRDs upgraded from the previous release to the implementation's
    When a KeptnAppContext "shop" with promotion tasks "promote, announce", written through "v1"
    And a KeptnAppVersion "shop-1.0.0-6b86b273" of app "shop" version "1.0.0" with promotion tasks "promote, announce", written through "v1beta1"
    And the KeptnAppVersion "shop-1.0.0-6b86b273" gets, through "v1beta1", promotionStatus "Progressing" and a promotionTaskStatus item for "promote"
    Then the KeptnAppContext "shop" reads identically through "v1" and "v1beta1", with promotion tasks "promote, announce"
    And the KeptnAppVersion "shop-1.0.0-6b86b273" reads identically through "v1" and "v1beta1", with promotion tasks "promote, announce"
    And the KeptnAppVersion "shop-1.0.0-6b86b273" reads back the promotion status it was given

  @id:CRDOldClientKeepsPromotionTasks @feature:CRDCompatibility @core @rule:C1.4
  Scenario: A client that knows only the previous schema does not remove promotionTasks with server-side apply
    Given the lifecycle CRDs upgraded from the previous release to the implementation's
    And field manager "old-client" applies through "v1beta1" a KeptnAppContext "shop" with pre-deployment tasks "check-db" and post-deployment tasks "notify"
    And field manager "promotion-admin" applies through "v1" a KeptnAppContext "shop" with promotion tasks "promote"
    When field manager "old-client" applies through "v1beta1" a KeptnAppContext "shop" with pre-deployment tasks "check-db" and post-deployment tasks "notify, smoke-test"
    Then the KeptnAppContext "shop" has promotion tasks "promote", pre-deployment tasks "check-db" and post-deployment tasks "notify, smoke-test"
    And in the managedFields of KeptnAppContext "shop", "old-client" owns preDeploymentTasks and postDeploymentTasks through "v1beta1", and not promotionTasks
    And in the managedFields of KeptnAppContext "shop", "promotion-admin" owns promotionTasks through "v1"

  # The contract (docs/contract.md §1) types promotionTasks as a list of names (strings), so the API server refuses another type at
  # admission, naming the field, whatever else the CRD says. (An empty name is not refused by
  # the contract: whether it is refused or accepted and reported is the implementation's choice.)
  @id:CRDPromotionFieldsTypeChecked @feature:CRDCompatibility @core @rule:C1.5
  Scenario: promotionTasks of the wrong type is refused naming the field
    Given the lifecycle CRDs upgraded from the previous release to the implementation's
    Then creating these objects is refused with 422, the message naming the field and saying why:
      | kind            | through | promotionTasks | field                  | why                    |
      | KeptnAppContext | v1      | "promote"      | spec.promotionTasks    | must be of type array  |
      | KeptnAppContext | v1      | [1]            | spec.promotionTasks[0] | must be of type string |
      | KeptnAppContext | v1beta1 | [{"a": 1}]     | spec.promotionTasks[0] | must be of type string |
      | KeptnAppVersion | v1      | "promote"      | spec.promotionTasks    | must be of type array  |
      | KeptnAppVersion | v1beta1 | [true]         | spec.promotionTasks[0] | must be of type string |
