// The overlay firewall matrix as live test cases: for every ordered pair of roles and every
// port the matrix names (plus one it names nowhere), whether nebula/firewall.ts's INBOUND
// table lets the connection in. Derived from the same table the configs are rendered from.
import { INBOUND, InboundRule, Role, ROLE_GROUPS } from "../../nebula/firewall";

/** A port no rule opens: shows the default drop for anything unlisted. */
export const UNLISTED_PORT = 8080;

export interface MatrixCase {
  from: Role;
  to: Role;
  proto: "icmp" | "tcp";
  /** undefined for icmp */
  port?: number;
  allowed: boolean;
}

function admits(rules: InboundRule[], from: Role, proto: "icmp" | "tcp", port?: number): boolean {
  const groups = ROLE_GROUPS[from];
  return rules.some((r) => r.proto === proto && (r.port === "any" || r.port === port) && groups.includes(r.from));
}

/** Every role to every role; a role to itself only for workers (two different workers). */
export function matrixCases(): MatrixCase[] {
  const roles = Object.keys(INBOUND) as Role[];
  const ports = [...new Set(roles.flatMap((r) => INBOUND[r].filter((x) => x.proto === "tcp").map((x) => x.port as number))), UNLISTED_PORT].sort((a, b) => a - b);
  const cases: MatrixCase[] = [];
  for (const from of roles) {
    for (const to of roles) {
      if (from === to && from !== "worker") continue;
      cases.push({ from, to, proto: "icmp", allowed: admits(INBOUND[to], from, "icmp") });
      for (const port of ports) cases.push({ from, to, proto: "tcp", port, allowed: admits(INBOUND[to], from, "tcp", port) });
    }
  }
  return cases;
}
