// Owns the upstream support window of each Kubernetes minor nodes can boot, and the notice for a generation not yet
// deployed that would start on a minor past it. Versions past upstream support stay bootable (deployed generations run
// on them and must keep synthesizing unchanged); new generations are told to pick a supported minor.
//
// End-of-life dates, from the Kubernetes release team's own pages:
//   1.31: 2025-11-11, kubernetes/website data/releases/eol.yaml at 0637786b3e0a896fabe197d29682f2bb688074a6
//         (`endOfLifeDate: "2025-11-11"`, `finalPatchRelease: 1.31.14`), shown on https://kubernetes.io/releases/patch-releases/
//   1.32: its exact date is in none of the sources read here; it ended before 1.33's (a minor is never supported
//         longer than the one after it), so 1.33's date bounds it and is recorded for it
//   1.33: 2026-06-28, https://kubernetes.io/releases/1.33/ ("End Of Life Date 2026-06-28")
//   1.34: 2026-10-27, https://kubernetes.io/releases/1.34 ("End Of Life Date 2026-10-27")
//   1.35: 2027-02-28, https://kubernetes.io/releases/1.35 ("End Of Life Date 2027-02-28")
import { kubernetesMinor, SUPPORTED_KUBERNETES_VERSIONS } from "./kubernetes-releases";

/** The day (UTC, inclusive) after which upstream no longer patches each minor; `bound` when only an upper bound is cited. */
export const KUBERNETES_END_OF_LIFE: Readonly<Record<string, { readonly date: string; readonly bound?: true }>> = {
  "1.31": { date: "2025-11-11" },
  "1.32": { date: "2026-06-28", bound: true },
  "1.33": { date: "2026-06-28" },
  "1.34": { date: "2026-10-27" },
  "1.35": { date: "2027-02-28" },
};

/**
 * The day the support window is judged on: the clock, or `IMMUTABLE_CLUSTERS_TODAY` (`YYYY-MM-DD`, UTC) when set. The
 * test suites pin it (test/support/environment.ts), so that what they expect of the notice does not change with the
 * calendar; a team can pin it the same way in CI for a reproducible synth log.
 */
export function supportWindowToday(env: NodeJS.ProcessEnv = process.env): Date {
  const pinned = env.IMMUTABLE_CLUSTERS_TODAY;
  if (pinned === undefined || pinned === "") return new Date();
  const day = /^\d{4}-\d{2}-\d{2}$/.test(pinned) ? Date.parse(`${pinned}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(day))
    throw new Error(`IMMUTABLE_CLUSTERS_TODAY is "${pinned}": write a date as YYYY-MM-DD (e.g. 2026-12-01), or unset it to use the clock`);
  return new Date(day);
}

/** Whether upstream still patches the minor of `version` on `now`; true for a minor without a recorded date. */
export function kubernetesUpstreamSupported(version: string, now: Date = supportWindowToday()): boolean {
  const eol = KUBERNETES_END_OF_LIFE[kubernetesMinor(version)];
  return eol === undefined || now.getTime() < Date.parse(`${eol.date}T00:00:00Z`) + 86_400_000;
}

/** The bootable versions upstream still supports on `now`, newest first. */
export function upstreamSupportedVersions(now: Date = supportWindowToday()): string[] {
  return SUPPORTED_KUBERNETES_VERSIONS.filter((v) => kubernetesUpstreamSupported(v, now)).reverse();
}

/**
 * The notice for a generation that is not deployed yet (not in the lock) and names a Kubernetes version past upstream
 * support, or undefined. Deployed generations get none: they keep running what they were deployed with.
 */
export function pastUpstreamSupportNotice(
  generation: { readonly cluster: string; readonly generation: string; readonly kubernetesVersion: string; readonly locked: boolean },
  now: Date = supportWindowToday(),
): string | undefined {
  const { cluster, generation: id, kubernetesVersion, locked } = generation;
  if (locked || kubernetesUpstreamSupported(kubernetesVersion, now)) return undefined;
  const eol = KUBERNETES_END_OF_LIFE[kubernetesMinor(kubernetesVersion)];
  const since = eol.bound ? `by ${eol.date}` : `on ${eol.date}`;
  const supported = upstreamSupportedVersions(now);
  const instead = supported.length
    ? `: use ${supported.join(" or ")} for a new generation`
    : ", and no version this library boots is still supported upstream: add a newer release";
  return (
    `${cluster}/${id}: generations[].kubernetesVersion ${kubernetesVersion} is past upstream support (Kubernetes ` +
    `${kubernetesMinor(kubernetesVersion)} reached end of life ${since}, https://kubernetes.io/releases/); it stays only for ` +
    `deployed generations${instead} (docs/node-boot.md#supported-kubernetes-versions).`
  );
}
