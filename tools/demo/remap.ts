// Pure rewrites of the generated files so they run side by side on one machine: Nebula configs
// get their own PKI paths, tun names and the hub's underlay address (the firewall sections stay
// exactly as generated); smb.conf gets its share paths and Samba's state under a temporary root.
import { parse, stringify } from "yaml";

export interface NebulaRemap {
  pkiDir: string;
  tunDev: string;
  /** "198.51.100.1:42042": replaces every static_host_map address */
  hubEndpoint: string;
}

export function remapNebulaConfig(text: string, r: NebulaRemap): string {
  const c = parse(text) as Record<string, Record<string, unknown>>;
  for (const k of ["ca", "cert", "key"]) {
    const v = c.pki?.[k];
    if (typeof v !== "string") throw new Error(`nebula config: pki.${k} is missing`);
    c.pki[k] = `${r.pkiDir}/${v.split("/").pop()}`;
  }
  if (!c.tun) throw new Error("nebula config: tun is missing");
  c.tun.dev = r.tunDev;
  if (c.static_host_map) {
    for (const ip of Object.keys(c.static_host_map)) c.static_host_map[ip] = [r.hubEndpoint];
  }
  return stringify(c, { lineWidth: 0 });
}

/** The Samba paths smbd must not take from its compiled-in defaults (/run/samba, /var/lib/samba). */
export function sambaStateLines(stateDir: string): string[] {
  return [
    `passdb backend = tdbsam:${stateDir}/private/passdb.tdb`,
    `private dir = ${stateDir}/private`,
    `lock directory = ${stateDir}/lock`,
    `state directory = ${stateDir}/state`,
    `cache directory = ${stateDir}/cache`,
    `pid directory = ${stateDir}/run`,
    `ncalrpc dir = ${stateDir}/ncalrpc`,
    `binddns dir = ${stateDir}/bind-dns`,
    `log file = ${stateDir}/log/smbd.log`,
  ];
}

export const SAMBA_STATE_SUBDIRS = ["private", "lock", "state", "cache", "run", "ncalrpc", "bind-dns", "log"];

/**
 * smb.conf with every `path = /x` under root and the state lines in [global] (replacing a
 * generated `passdb backend`). Everything else, interfaces and share options included, is kept.
 */
export function remapSmbConf(text: string, root: string, stateDir: string): string {
  const out: string[] = [];
  let section = "";
  for (const line of text.split("\n")) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      if (section === "global") out.push(...sambaStateLines(stateDir).map((l) => `   ${l}`), "");
      section = header[1].toLowerCase();
      out.push(line);
      continue;
    }
    const kv = /^(\s*)([^=;#]+?)\s*=\s*(.*)$/.exec(line);
    if (kv && kv[2].toLowerCase() === "path") {
      out.push(`${kv[1]}path = ${root}${kv[3]}`);
    } else if (kv && section === "global" && kv[2].toLowerCase() === "passdb backend") {
      continue;
    } else {
      out.push(line);
    }
  }
  if (section === "global") out.push(...sambaStateLines(stateDir).map((l) => `   ${l}`));
  return out.join("\n");
}

/** The share paths of an smb.conf, by share name. */
export function smbSharePaths(text: string): Record<string, string> {
  const shares: Record<string, string> = {};
  let section = "";
  for (const line of text.split("\n")) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) section = header[1];
    const kv = /^\s*path\s*=\s*(.*)$/.exec(line);
    if (kv && section.toLowerCase() !== "global") shares[section] = kv[1].trim();
  }
  return shares;
}
