// Owns IPv4 CIDR arithmetic used by validation and defaults: the one parser of every CIDR field (with the refusal
// message), overlap, coverage of public address space, and the n-th host address.
import * as ipaddr from "ipaddr.js";

/** A parsed IPv4 network. */
export interface Ipv4Network {
  readonly address: ipaddr.IPv4;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n` strictly (the address must be the network address); returns undefined when invalid. */
export function parseIpv4Cidr(cidr: string): Ipv4Network | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) return undefined;
  // Octets with a leading zero are read as octal by some tools (inet_aton); refuse them rather than guess.
  if (/(^|\.)0\d/.test(cidr.split("/")[0]) || /^0\d/.test(cidr.split("/")[1])) return undefined;
  try {
    const [address, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    if (prefix < 0 || prefix > 32) return undefined;
    const network = ipaddr.IPv4.networkAddressFromCIDR(cidr);
    if (network.toString() !== address.toString()) return undefined;
    return { address, prefix };
  } catch {
    return undefined;
  }
}

/** Whether two valid CIDRs share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseIpv4Cidr(a);
  const y = parseIpv4Cidr(b);
  if (!x || !y) return false;
  const shorter = x.prefix <= y.prefix ? x : y;
  const longer = shorter === x ? y : x;
  return longer.address.match(shorter.address, shorter.prefix);
}

/** The n-th address of a network, e.g. hostAddress("10.96.0.0/12", 10) = "10.96.0.10". */
export function hostAddress(cidr: string, n: number): string {
  const network = parseIpv4Cidr(cidr);
  if (!network) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const base = network.address.toByteArray().reduce((acc, byte) => acc * 256 + byte, 0);
  const value = base + n;
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** The network address of the correct form for a CIDR whose host bits are set, for error messages. */
export function canonicalCidr(cidr: string): string | undefined {
  try {
    const [, prefix] = ipaddr.IPv4.parseCIDR(cidr);
    return `${ipaddr.IPv4.networkAddressFromCIDR(cidr).toString()}/${prefix}`;
  } catch {
    return undefined;
  }
}

/** Why `value` is not an IPv4 CIDR in network form, naming the fix; undefined when it is one. */
export function cidrProblem(value: string, example = "10.0.0.0/16"): string | undefined {
  if (parseIpv4Cidr(value)) return undefined;
  const canonical = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(value) && !/(^|\.|\/)0\d/.test(value) ? canonicalCidr(value) : undefined;
  if (canonical && canonical !== value && parseIpv4Cidr(canonical))
    return `"${value}" has host bits set; write the network address "${canonical}"`;
  return `"${value}" is not an IPv4 CIDR; write it as "a.b.c.d/n" with each number 0-255 and n 0-32, e.g. "${example}"`;
}

/** Address ranges that are not reachable from the internet (RFC 1918 private ranges and RFC 6598 shared space). */
const NON_PUBLIC = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

function interval(cidr: string): [number, number] {
  const network = parseIpv4Cidr(cidr)!;
  const start = network.address.toByteArray().reduce((acc, byte) => acc * 256 + byte, 0);
  return [start, start + 2 ** (32 - network.prefix) - 1];
}

/** The merged, sorted address intervals of valid CIDRs. */
function union(cidrs: readonly string[]): Array<[number, number]> {
  const sorted = cidrs
    .filter((c) => parseIpv4Cidr(c))
    .map(interval)
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** Whether the CIDRs together cover every IPv4 address (e.g. "0.0.0.0/1" and "128.0.0.0/1"). */
export function coversEverything(cidrs: readonly string[]): boolean {
  const merged = union(cidrs);
  return merged.length === 1 && merged[0][0] === 0 && merged[0][1] === 2 ** 32 - 1;
}

/** The number of public (internet-routable) addresses the CIDRs cover together. */
export function publicAddressCount(cidrs: readonly string[]): number {
  const privateRanges = union(NON_PUBLIC);
  let count = 0;
  for (const [start, end] of union(cidrs)) {
    let covered = 0;
    for (const [ps, pe] of privateRanges) covered += Math.max(0, Math.min(end, pe) - Math.max(start, ps) + 1);
    count += end - start + 1 - covered;
  }
  return count;
}
