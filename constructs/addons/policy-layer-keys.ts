// Owns where the policy layer lives in a generation's node bucket and how soon a change to it is applied: names only,
// apart from policy-layer.ts so that what needs just these (the review) does not load the addon registry.

/** The policy layer's object in the node bucket, read by reconcile-policy.sh on control-plane nodes. */
export const POLICY_MANIFESTS_KEY = "policy/manifests.yaml";

/** Where reconcile-policy.sh reports what it applied (controllers only; under the coordination prefix `state/`). */
export const POLICY_REPORT_KEY = "state/policy-applied.json";

/**
 * How soon a policy-layer change reaches a running generation after its stack is deployed: the reconcile timer runs
 * every minute with up to 15 s of randomized delay (files/units/immutable-clusters-policy.timer), and one run applies.
 */
export const POLICY_RECONCILE_MINUTES = 2;
