// The overlay firewall matrix: which role may reach which port of which other role.
// One table feeds the Nebula configs, README and the live checks of the farm-in-a-box harness.

export type Role = "hub" | "worker" | "boss";

/** Groups every certificate carries, by role. `oomer` marks any farm host. */
export const ROLE_GROUPS: Record<Role | "probe", string[]> = {
  hub: ["oomer", "hub", "lighthouse"],
  worker: ["oomer", "worker"],
  boss: ["oomer", "boss"],
  probe: ["oomer", "probe"],
};

export interface InboundRule {
  proto: "icmp" | "tcp";
  /** "any" for icmp */
  port: number | "any";
  /** the peer's group */
  from: string;
  why: string;
}

export const SMB_PORT = 445;
export const MONGODB_PORT = 27100;
export const SSH_PORT = 22;

/**
 * Deadline 10 with a Direct connection needs only the repository share (SMB) and MongoDB on the
 * hub: no Pulse, no Remote Connection Server, so no other Deadline port is opened.
 */
export const INBOUND: Record<Role, InboundRule[]> = {
  hub: [
    { proto: "icmp", port: "any", from: "oomer", why: "reachability checks" },
    { proto: "tcp", port: SMB_PORT, from: "worker", why: "shares DeadlineRepository10 and oomerfarm" },
    { proto: "tcp", port: SMB_PORT, from: "boss", why: "shares DeadlineRepository10 and oomerfarm" },
    { proto: "tcp", port: MONGODB_PORT, from: "worker", why: "Deadline database (TLS)" },
    { proto: "tcp", port: MONGODB_PORT, from: "boss", why: "Deadline database (TLS)" },
    { proto: "tcp", port: SSH_PORT, from: "boss", why: "administration" },
  ],
  worker: [
    { proto: "icmp", port: "any", from: "oomer", why: "reachability checks" },
    { proto: "tcp", port: SSH_PORT, from: "boss", why: "administration" },
  ],
  boss: [{ proto: "icmp", port: "any", from: "oomer", why: "reachability checks" }],
};

/** Nebula's firewall section; `groups: [a]` per rule, since a list there means "all of". */
export function nebulaFirewall(role: Role): Record<string, unknown> {
  return {
    outbound_action: "drop",
    inbound_action: "drop",
    conntrack: { tcp_timeout: "12m", udp_timeout: "3m", default_timeout: "10m" },
    outbound: [{ port: "any", proto: "any", host: "any" }],
    inbound: INBOUND[role].map((r) => ({ port: r.port, proto: r.proto, group: r.from })),
  };
}

/** The matrix as a Markdown table (README). */
export function firewallMatrixMarkdown(): string {
  const rows = ["| to | port | from | why |", "|---|---|---|---|"];
  for (const role of Object.keys(INBOUND) as Role[]) {
    for (const r of INBOUND[role]) rows.push(`| ${role} | ${r.proto === "icmp" ? "icmp" : `${r.port}/tcp`} | ${r.from === "oomer" ? "any farm host" : `${r.from}s`} | ${r.why} |`);
  }
  return rows.join("\n");
}
