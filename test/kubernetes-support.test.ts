// Upstream support of the Kubernetes minors nodes boot: every bootable minor has a cited end-of-life date, a generation
// not yet deployed on a minor past it gets a notice naming the field, the date and what to use instead, and a deployed
// (locked) generation gets none, whatever its version.
import { kubernetesMinor, SUPPORTED_KUBERNETES_VERSIONS } from "../constructs/ignition/kubernetes-releases";
import {
  KUBERNETES_END_OF_LIFE,
  kubernetesUpstreamSupported,
  pastUpstreamSupportNotice,
  supportWindowToday,
  upstreamSupportedVersions,
} from "../constructs/ignition/kubernetes-support";

const DEC_2026 = new Date("2026-12-01T12:00:00Z");
const unlocked = (kubernetesVersion: string) => ({ cluster: "staging", generation: "c", kubernetesVersion, locked: false });

test("every bootable minor has an end-of-life date, and the dates never go backwards", () => {
  const minors = SUPPORTED_KUBERNETES_VERSIONS.map(kubernetesMinor);
  expect(Object.keys(KUBERNETES_END_OF_LIFE)).toEqual(minors);
  const dates = minors.map((m) => KUBERNETES_END_OF_LIFE[m].date);
  for (const date of dates) expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect([...dates].sort()).toEqual(dates);
});

test("on 2026-12-01 only 1.35 is still supported upstream; 1.31 and 1.32 are past it", () => {
  expect(upstreamSupportedVersions(DEC_2026)).toEqual(["1.35.4"]);
  expect(kubernetesUpstreamSupported("1.31.0", DEC_2026)).toBe(false);
  expect(kubernetesUpstreamSupported("1.32.8", DEC_2026)).toBe(false);
  // The end-of-life day itself is still supported; the day after is not.
  expect(kubernetesUpstreamSupported("1.35.4", new Date("2027-02-28T23:59:00Z"))).toBe(true);
  expect(kubernetesUpstreamSupported("1.35.4", new Date("2027-03-01T00:00:00Z"))).toBe(false);
});

test("a new generation on 1.31 is told the field, the date and the supported version to use", () => {
  expect(pastUpstreamSupportNotice(unlocked("1.31.0"), DEC_2026)).toBe(
    "staging/c: generations[].kubernetesVersion 1.31.0 is past upstream support (Kubernetes 1.31 reached end of life on " +
      "2025-11-11, https://kubernetes.io/releases/); it stays only for deployed generations: use 1.35.4 for a new " +
      "generation (docs/node-boot.md#supported-kubernetes-versions).",
  );
});

test("1.32's date is an upper bound and says so", () => {
  expect(pastUpstreamSupportNotice(unlocked("1.32.8"), DEC_2026)).toMatch(/Kubernetes 1\.32 reached end of life by 2026-06-28/);
});

test("a deployed (locked) generation gets no notice, whatever its version", () => {
  for (const version of SUPPORTED_KUBERNETES_VERSIONS)
    expect(pastUpstreamSupportNotice({ ...unlocked(version), locked: true }, DEC_2026)).toBeUndefined();
});

test("a new generation on a supported minor gets no notice; after its end of life it does", () => {
  expect(pastUpstreamSupportNotice(unlocked("1.35.4"), DEC_2026)).toBeUndefined();
  expect(pastUpstreamSupportNotice(unlocked("1.35.4"), new Date("2027-03-01T00:00:00Z"))).toMatch(
    /1\.35\.4 is past upstream support .*no version this library boots is still supported upstream/,
  );
});

test("the support window is judged on IMMUTABLE_CLUSTERS_TODAY when it is set, else on the clock; a bad value names the fix", () => {
  expect(supportWindowToday({ IMMUTABLE_CLUSTERS_TODAY: "2027-03-01" }).toISOString()).toBe("2027-03-01T00:00:00.000Z");
  const before = Date.now();
  const clock = supportWindowToday({}).getTime();
  expect(clock).toBeGreaterThanOrEqual(before);
  expect(clock).toBeLessThanOrEqual(Date.now());
  expect(() => supportWindowToday({ IMMUTABLE_CLUSTERS_TODAY: "1 March 2027" })).toThrow(
    'IMMUTABLE_CLUSTERS_TODAY is "1 March 2027": write a date as YYYY-MM-DD',
  );
  // The suites pin it (test/support/environment.ts), so the notice below is the same on any calendar day.
  expect(process.env.IMMUTABLE_CLUSTERS_TODAY).toBe("2026-12-01");
  expect(pastUpstreamSupportNotice(unlocked("1.35.4"))).toBeUndefined();
  expect(pastUpstreamSupportNotice(unlocked("1.34.7"))).toMatch(/past upstream support/);
});
