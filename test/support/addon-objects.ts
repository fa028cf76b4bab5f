// Test support: a generation's addon objects as its YAML manifests carry them, for suites that search or model the
// objects: the steps of renderAddonManifests (constructs/addons/render.ts), synthesized and checked (a failed check
// throws the same ManifestValidationError), without writing the YAML only to parse it back, which was most of the CPU
// of the suites that did (Cilium 1.19's file carries the Gateway API CRDs, 0.7 MB of YAML).
//
// That the written YAML reads back as these objects is checked by test/bring-up-model.test.ts on a generation with
// every kind of addon file, Gateway API CRDs included; test/yaml-document.test.ts checks the YAML writer on every
// addon object of every example generation.
import { synthesizeAddonObjects, type AddonObjects } from "../../constructs/addons/render";
import { withSharedContentKeys } from "../../constructs/addons/render-cache";
import { assertValidManifests } from "../../constructs/addons/validate";
import type { ResolvedGeneration } from "../../constructs/definition/resolve";
import type { KubernetesObject } from "../../constructs/testing/manifests";

/**
 * The generation's addon files with their objects, in apply order, checked as renderAddonManifests checks them. The
 * objects may be shared with other generations' (api-object-json.ts): callers read them, or change a structuredClone.
 */
export function checkedAddonFiles(generation: ResolvedGeneration): AddonObjects[] {
  return withSharedContentKeys(() => {
    const addons = synthesizeAddonObjects(generation);
    assertValidManifests(generation, addons);
    return addons;
  });
}

/** Every object of checkedAddonFiles, in apply order. */
export function checkedAddonObjects(generation: ResolvedGeneration): KubernetesObject[] {
  return checkedAddonFiles(generation).flatMap((file) => file.objects) as unknown as KubernetesObject[];
}
