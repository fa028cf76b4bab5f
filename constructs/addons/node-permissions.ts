// Owns what the enabled addons need from the nodes' AWS identities: the CloudWatch Logs group fluent-bit ships to, and
// whether cluster-autoscaler runs. The cluster construct turns this into IAM statements (constructs/cluster/node-policies.ts).
import type { ResolvedGeneration } from "../definition/resolve";
import { clusterAutoscalerSettingsSchema } from "./cluster-autoscaler/settings";
import { cloudWatchLogGroup } from "./logging/fluent-bit-config";
import { loggingSettingsSchema } from "./logging/settings";

/** The log group nodes write to when the logging addon's output is CloudWatch; undefined otherwise. */
export function logShippingTarget(generation: ResolvedGeneration): { logGroup: string; region: string; createGroup: boolean } | undefined {
  const raw = (generation.definition.addons as Record<string, unknown> | undefined)?.logging;
  const settings = loggingSettingsSchema.parse(raw ?? {}, { jitless: true });
  if (!settings.enabled || settings.output.type !== "cloudwatch") return undefined;
  return {
    logGroup: cloudWatchLogGroup(settings.output, generation.fullName),
    region: settings.output.region ?? generation.region,
    createGroup: settings.output.autoCreateGroup,
  };
}

/** Whether the generation runs cluster-autoscaler: the addon is enabled and at least one worker pool is autoscaled. */
export function runsClusterAutoscaler(generation: ResolvedGeneration): boolean {
  const raw = (generation.definition.addons as Record<string, unknown> | undefined)?.clusterAutoscaler;
  return (
    clusterAutoscalerSettingsSchema.parse(raw ?? {}, { jitless: true }).enabled &&
    generation.workerPools.some((p) => p.autoscale !== undefined)
  );
}
