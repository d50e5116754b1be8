// Nebula's config.yml for each farm host, rendered with the `yaml` library.
import { stringify } from "yaml";
import { Role, nebulaFirewall } from "./firewall";

export interface NebulaConfigInput {
  role: Role | "probe";
  /** directory where ca.crt, host.crt and host.key live on the host */
  pkiDir: string;
  hubOverlayIp: string;
  /** "203.0.113.7:42042": where the lighthouse is reachable on the underlay */
  hubEndpoint: string;
  listenPort: number;
  /** tun device name; unique per namespace */
  tunDev?: string;
  /** fingerprints of revoked certificates */
  blocklist?: string[];
  /** MTU of the tun device; 1300 is safe across clouds and NAT */
  mtu?: number;
}

export function renderNebulaConfig(input: NebulaConfigInput): string {
  const isHub = input.role === "hub";
  const config: Record<string, unknown> = {
    pki: {
      ca: `${input.pkiDir}/ca.crt`,
      cert: `${input.pkiDir}/host.crt`,
      key: `${input.pkiDir}/host.key`,
      blocklist: input.blocklist ?? [],
      // Tear down tunnels whose certificate became blocked or expired on reload.
      disconnect_invalid: true,
    },
    static_host_map: isHub ? {} : { [input.hubOverlayIp]: [input.hubEndpoint] },
    lighthouse: {
      am_lighthouse: isHub,
      interval: 60,
      hosts: isHub ? [] : [input.hubOverlayIp],
    },
    listen: { host: "0.0.0.0", port: input.listenPort },
    punchy: { punch: true, respond: true },
    // Hosts on different clouds may not reach each other directly (NAT, security groups):
    // the hub relays for them.
    relay: isHub ? { am_relay: true, use_relays: true } : { am_relay: false, use_relays: true, relays: [input.hubOverlayIp] },
    tun: { disabled: false, dev: input.tunDev ?? "nebula1", drop_local_broadcast: true, drop_multicast: true, mtu: input.mtu ?? 1300 },
    logging: { level: "info", format: "text" },
    firewall: input.role === "probe" ? probeFirewall() : nebulaFirewall(input.role),
  };
  return stringify(config, { lineWidth: 0 });
}

/** The probe only sends pings; it accepts nothing. */
function probeFirewall(): Record<string, unknown> {
  return { outbound_action: "drop", inbound_action: "drop", outbound: [{ port: "any", proto: "icmp", host: "any" }], inbound: [] };
}
