// Owns IPv4 CIDR arithmetic used by validation and defaults (parsing, overlap, the n-th host address).
import * as ipaddr from "ipaddr.js";

/** A parsed IPv4 network. */
export interface Ipv4Network {
  readonly address: ipaddr.IPv4;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n` strictly (the address must be the network address); returns undefined when invalid. */
export function parseIpv4Cidr(cidr: string): Ipv4Network | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) return undefined;
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
