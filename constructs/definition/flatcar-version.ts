// Owns the format of a Flatcar release number per channel: checks `flatcar.version` against `flatcar.channel` offline.
//
// Sources:
// - Flatcar's "Building production images" guide, section "Stabilisation process and versioning"
//   (https://www.flatcar.org/docs/latest/reference/developer-guides/sdk-building-production-images/): the version is
//   MMMM.m.p[ppp]; "the minor version denotes the stabilisation level; 0 means Alpha, 1 is Beta, and 2 is Stable".
// - LTS releases carry minor 3 (e.g. LTS-2022 "3033.3.4"); the first LTS stream (LTS-2021) counted higher minors
//   (e.g. "2605.30.1"): both as listed in flatcar/flatcar-website pull request #229 ("data: Add new Flatcar releases").
// - The major number is the number of days since the CoreOS epoch, Mon Jul 1 00:00:00 UTC 2013 (coreos/scripts
//   common.sh: `readonly COREOS_EPOCH=1372636800`, `TODAYS_VERSION=$(( (date +%s - COREOS_EPOCH) / 86400 ))`, kept by
//   flatcar/scripts), so a major later than today's day number names a release that cannot exist yet.

/** Seconds since 1970 of the CoreOS epoch (coreos/scripts common.sh COREOS_EPOCH). */
const COREOS_EPOCH_SECONDS = 1372636800;

/** The minor number of each channel's releases. */
const CHANNEL_MINOR = { alpha: "0", beta: "1", stable: "2", lts: "3 (or above for the first LTS stream)" } as const;

type Channel = keyof typeof CHANNEL_MINOR;

/** Today's Flatcar major number: days since the CoreOS epoch. */
export function todaysFlatcarMajor(now: Date = new Date()): number {
  return Math.floor((now.getTime() / 1000 - COREOS_EPOCH_SECONDS) / 86400);
}

function minorFits(channel: Channel, minor: number): boolean {
  if (channel === "lts") return minor >= 3;
  return String(minor) === CHANNEL_MINOR[channel];
}

/** Why `version` is not a release number of `channel`; undefined when it has the right shape. */
export function flatcarVersionProblem(version: string, channel: Channel | undefined, now: Date = new Date()): string | undefined {
  const match = /^(\d{4})\.(\d{1,2})\.(\d{1,4})$/.exec(version);
  const minorOf = (c: Channel) => (c === "lts" ? "3" : CHANNEL_MINOR[c]);
  const example = (c: Channel | undefined) => `${c === "lts" ? "4081" : "4230"}.${minorOf(c ?? "stable")}.1`;
  if (!match) {
    return `"${version}" is not a Flatcar release number; write MAJOR.MINOR.PATCH such as "${example(channel)}" (see https://www.flatcar.org/releases)`;
  }
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const today = todaysFlatcarMajor(now);
  if (major > today + 1) {
    return `"${version}": major ${major} lies in the future (the major is the number of days since 2013-07-01, today ${today}); pick a published release from https://www.flatcar.org/releases`;
  }
  if (channel && !minorFits(channel, minor)) {
    const fitting = (Object.keys(CHANNEL_MINOR) as Channel[]).find((c) => minorFits(c, minor));
    return (
      `"${version}" is not a ${channel} release: ${channel} releases have minor ${CHANNEL_MINOR[channel]} (e.g. "${match[1]}.${minorOf(channel)}.0")` +
      (fitting ? `; "${version}" is a ${fitting} release, so set flatcar.channel to "${fitting}"` : "")
    );
  }
  return undefined;
}
