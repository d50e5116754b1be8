// The in-house keybundle for the live "is this slot online?" check, built from the plan's
// artifacts in the oomerfarm-inhouse/1 format (cloud-init/inhouse/README.md): one slot that runs
// in the box and one that does not, and the shared probe identity.
import * as fs from "fs";
import * as path from "path";
import { BootFile } from "../../cloud-init/cloudConfig";
import { renderNebulaConfig } from "../../nebula/config";
import { BundleFile, INHOUSE_BUNDLE_FORMAT, InhouseBundle } from "../../lib/keybundle";

function bf(p: string, content: string | Buffer, permissions = "0644"): BundleFile {
  return { path: p, content: Buffer.from(content).toString("base64"), permissions };
}

export interface BundleSlotSource {
  slot: number;
  name: string;
  ip: string;
  /** the worker's boot files (host.crt, host.key, config.yml, ...) when the plan rendered it */
  files?: BootFile[];
}

export function demoBundle(opts: {
  farm: string;
  planDir: string;
  hubOverlayIp: string;
  hubEndpoint: string;
  probeIp: string;
  /** farm-wide worker files (farm.env, secrets, CAs) */
  common: BootFile[];
  slots: BundleSlotSource[];
  configFor: (slot: BundleSlotSource) => string;
}): InhouseBundle {
  const nebula = (name: string) => fs.readFileSync(path.join(opts.planDir, "nebula", name));
  const probeDir = "/etc/oomerfarm/probe";
  const probeConfig = renderNebulaConfig({ role: "probe", pkiDir: probeDir, hubOverlayIp: opts.hubOverlayIp, hubEndpoint: opts.hubEndpoint, listenPort: 0, tunDev: "oomerprobe" });
  const common = opts.common.filter((f) => !f.path.startsWith("/etc/nebula/host.") && f.path !== "/etc/nebula/config.yml");
  return {
    format: INHOUSE_BUNDLE_FORMAT,
    farm: opts.farm,
    hubPublicIp: opts.hubEndpoint.split(":")[0],
    hubOverlayIp: opts.hubOverlayIp,
    common: common.map((f) => bf(f.path, f.content, f.permissions)),
    slots: opts.slots.map((s) => ({
      slot: s.slot,
      name: s.name,
      ip: s.ip,
      files: [
        bf("/etc/nebula/host.crt", nebula(`${s.name}.crt`)),
        bf("/etc/nebula/host.key", nebula(`${s.name}.key`), "0600"),
        bf("/etc/nebula/config.yml", opts.configFor(s), "0600"),
        bf("/etc/oomerfarm/host.env", `HOST_NAME='${s.name}'\nOVERLAY_IP='${s.ip}'\n`),
      ],
    })),
    probe: {
      name: "probe",
      ip: opts.probeIp,
      files: [
        bf(`${probeDir}/ca.crt`, nebula("ca.crt")),
        bf(`${probeDir}/host.crt`, nebula("probe.crt")),
        bf(`${probeDir}/host.key`, nebula("probe.key"), "0600"),
        bf(`${probeDir}/config.yml`, probeConfig, "0600"),
      ],
    },
  };
}
