// Owns the Kubernetes releases a node can boot: the node-binaries tarball of each version and architecture with its
// SHA-512, copied from the upstream release notes. A version missing here cannot be synthesized (no unverified
// download ever reaches a node); add a row from the "Node Binaries" table of the release's CHANGELOG to support one.
//
// Sources (kubernetes/kubernetes, "Node Binaries" tables, sha512 column, copied verbatim):
//   1.31.0: https://github.com/kubernetes/kubernetes/blob/1892e4deb967a2b39cfc2fea87a8bd49274449ef/CHANGELOG/CHANGELOG-1.31.md#downloads-for-v1310
//   1.32.8: https://github.com/kubernetes/kubernetes/blob/030880a5dc5449403c6d1f0aa146a7dc21d6c6dc/CHANGELOG/CHANGELOG-1.32.md#downloads-for-v1328
//   1.33.5: https://github.com/kubernetes/kubernetes/blob/2e94b405ac89f322d58dba55dae5e52a18f59778/CHANGELOG/CHANGELOG-1.33.md#downloads-for-v1335
//   1.34.7: https://github.com/kubernetes/kubernetes/blob/008b3652959ca58af8be3fb5b6ecfe9ae7638282/CHANGELOG/CHANGELOG-1.34.md#downloads-for-v1347
//   1.35.4: https://github.com/kubernetes/kubernetes/blob/008b3652959ca58af8be3fb5b6ecfe9ae7638282/CHANGELOG/CHANGELOG-1.35.md#downloads-for-v1354
// One row per minor: the newest patch in the CHANGELOG copy these were taken from. A new minor also needs its rows in
// PAUSE_IMAGE (ignition/kubeadm-config.ts), CLOUD_CONTROLLER_IMAGES and COREDNS_IMAGES (addons/); see docs/node-boot.md.
// Why release tarballs and not Flatcar's sysext-bakery Kubernetes images: see docs/node-boot.md ("Kubernetes binaries").

export type NodeArch = "amd64" | "arm64";

/** SHA-512 of `https://dl.k8s.io/v<version>/kubernetes-node-linux-<arch>.tar.gz`, by version and architecture. */
export const KUBERNETES_NODE_BINARIES: Readonly<Record<string, Readonly<Record<NodeArch, string>>>> = {
  "1.31.0": {
    amd64:
      "8c196abfbf0f6a781fdc0308f83be1bbeecf8e6286e397a208a895638b2a6b4a5e2477eeb902e4989dc60b6b0a1abb6097ca50c31ea39bb0948f028bcaf41095",
    arm64:
      "6c20f283e3297274e185bcd828d2ea38a9a85055828abdc33845367e9d279a1873630a872d1510bc98197e0cfdf7ea85fdd140e9223998103ab8c8cbf89d2fb1",
  },
  "1.32.8": {
    amd64:
      "c73b31d2cd8c2a332230583d039b42822d9a10a795e69e4c989039041345f4324a9120cd232c04f3c0543b2028d73078a0cc5e47b71ca905b89cd94095177391",
    arm64:
      "951a083d0754b7b8c0c26e71b92c7151f42a32699ab040d9d6e86ca87f7260deb253a70bb5ed6cebfa81bf956e1c310a544327b012f19e71ccd0f35c70b212d7",
  },
  "1.33.5": {
    amd64:
      "f5e25af84feeec774522e727a05372442b3bd61ccf27da7d7c5fb08aadab5d1203ad3403cd01d4d13f550819ab7527e8b90af9903a221724e6d21baf9e590228",
    arm64:
      "dbf946b03b5a9d39edd58f29d51a2f457fd5b85ab4e9db567ca12e69cad832d049ce4d79a404df381ea3795af1a7fdd72a887e9a2a1ec3f9ab67ab50837ad21e",
  },
  "1.34.7": {
    amd64:
      "75db53a192c4f81e6810e4544675ba474a39fb3381b20cbeceb175091a217387d73df6d648034be4c7c07c294d97985d77204b6b54b0ed9bedb89fb879c56f3e",
    arm64:
      "d40e5ddcbb1a8570247f850a00b21dfd32379c90235f2435de0fd8b844a235a2af48c5ce615b574d26d7e2e0f9b96b1b433adc42dd666f214855bc4023690840",
  },
  "1.35.4": {
    amd64:
      "bfdde7cb0eb382d28b37a499d041a210a10afc86280b1d0eefeec179e8563b8848f744ad0302a239662e3b5219622cdc2925a69c9d8098d7cd6237c659d78932",
    arm64:
      "754ed5fc01a1675b7aad31feb4b4a68ebde1d63411e2565249cac9cc7b57631652808f3ec2fcc3530c9a5b2dbd39cef305b4f286c39f35e70ede616458312b3b",
  },
};

/**
 * Dotted versions in numeric order (`1.9.x` before `1.10.x`): the order `localeCompare(b, "en", { numeric: true })`
 * gave, without creating ICU's collator (about a hundredth of a one-generation synth's CPU).
 */
export function compareVersions(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (x[i] ?? -1) - (y[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The Kubernetes versions nodes can boot. */
export const SUPPORTED_KUBERNETES_VERSIONS: readonly string[] = Object.keys(KUBERNETES_NODE_BINARIES).sort(compareVersions);

/** The minor release of an exact version, the key of every per-minor table: `1.35.4` → `1.35`. */
export function kubernetesMinor(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}

/** The verified download of a version's node binaries, or undefined when the version has no pinned hash. */
export function kubernetesNodeBinaries(version: string, arch: NodeArch): { url: string; sha512: string } | undefined {
  const sha512 = KUBERNETES_NODE_BINARIES[version]?.[arch];
  return sha512 ? { url: `https://dl.k8s.io/v${version}/kubernetes-node-linux-${arch}.tar.gz`, sha512 } : undefined;
}
