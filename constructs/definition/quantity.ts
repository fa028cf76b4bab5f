// Owns the parser of Kubernetes resource quantities ("100m", "8Gi", "4") in a definition's quotas and limits.
//
// Grammar from kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go (the Quantity doc
// comment) and suffix.go (n, u, m, "", k, M, G, T, P, E; Ki..Ei; e/E exponents). A quota or limit must not be
// negative (ResourceQuota and LimitRange validation, pkg/apis/core/validation/validation.go ValidateResourceQuantityValue),
// so our parser accepts no sign at all.

const QUANTITY = /^(?<number>\d+(\.\d*)?|\.\d+)(?<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Why `value` is not a non-negative Kubernetes quantity; undefined when it is one. */
export function quantityProblem(value: string, example = "500m"): string | undefined {
  if (/^\s|\s$/.test(value)) return `${JSON.stringify(value)} has spaces; write the quantity alone, e.g. "${example}"`;
  if (/^[+-]/.test(value))
    return `${JSON.stringify(value)} has a sign; quotas and limits are non-negative quantities without a sign, e.g. "${example}"`;
  const match = QUANTITY.exec(value);
  if (!match) {
    return `${JSON.stringify(value)} is not a Kubernetes quantity; write a number with an optional suffix: m (milli), k/M/G/T/P/E or Ki/Mi/Gi/Ti/Pi/Ei, e.g. "${example}", "8Gi" or "2"`;
  }
  return undefined;
}
