// IPv4 arithmetic on plain numbers (unsigned 32-bit), shared by the address plan and certificates.

export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith("0")))) return undefined;
  return ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
}

export function formatIpv4(ip: number): string {
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join(".");
}

export function prefixToMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function maskToPrefix(mask: number): number {
  let prefix = 0;
  while (prefix < 32 && (mask & (0x80000000 >>> prefix)) !== 0) prefix++;
  if (prefixToMask(prefix) !== mask >>> 0) throw new Error(`not a contiguous netmask: ${formatIpv4(mask)}`);
  return prefix;
}

export interface Ipv4Cidr {
  network: number;
  prefix: number;
}

/** Parses "a.b.c.d/n"; returns a reason instead of throwing so callers can phrase the error. */
export function parseCidr(text: string, requireNetworkAddress = true): Ipv4Cidr | string {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return "not in a.b.c.d/n form";
  const ip = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined) return "not a valid IPv4 address";
  if (prefix > 32) return "prefix length above 32";
  const network = (ip & prefixToMask(prefix)) >>> 0;
  if (requireNetworkAddress && network !== ip) {
    return `not a network address (did you mean ${formatIpv4(network)}/${prefix}?)`;
  }
  return { network, prefix };
}

/** True for a syntactically valid IPv6 CIDR such as "::/0" or "2001:db8::/32". */
export function isIpv6Cidr(text: string): boolean {
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m || Number(m[2]) > 128) return false;
  const addr = m[1];
  if ((addr.match(/::/g) ?? []).length > 1) return false;
  const groups = addr.split(":").filter((g) => g !== "");
  if (groups.some((g) => g.length > 4)) return false;
  return addr.includes("::") ? groups.length < 8 : groups.length === 8;
}
