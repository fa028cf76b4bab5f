// Owns the Kubernetes releases a node can boot: the node-binaries tarball of each version and architecture with its
// SHA-512, copied from the upstream release notes. A version missing here cannot be synthesized (no unverified
// download ever reaches a node); add a row from the "Node Binaries" table of the release's CHANGELOG to support one.
//
// Sources (kubernetes/kubernetes, "Node Binaries" tables, sha512 column, copied verbatim):
//   1.31.0: https://github.com/kubernetes/kubernetes/blob/1892e4deb967a2b39cfc2fea87a8bd49274449ef/CHANGELOG/CHANGELOG-1.31.md#downloads-for-v1310
//   1.32.8: https://github.com/kubernetes/kubernetes/blob/030880a5dc5449403c6d1f0aa146a7dc21d6c6dc/CHANGELOG/CHANGELOG-1.32.md#downloads-for-v1328
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
};

/** The Kubernetes versions nodes can boot. */
export const SUPPORTED_KUBERNETES_VERSIONS: readonly string[] = Object.keys(KUBERNETES_NODE_BINARIES).sort((a, b) =>
  a.localeCompare(b, "en", { numeric: true }),
);

/** The verified download of a version's node binaries, or undefined when the version has no pinned hash. */
export function kubernetesNodeBinaries(version: string, arch: NodeArch): { url: string; sha512: string } | undefined {
  const sha512 = KUBERNETES_NODE_BINARIES[version]?.[arch];
  return sha512 ? { url: `https://dl.k8s.io/v${version}/kubernetes-node-linux-${arch}.tar.gz`, sha512 } : undefined;
}
