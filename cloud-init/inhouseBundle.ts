// The stack output `inhouseBundle`: every file the in-house slots boot with (the same files a
// cloud worker's user data carries, payload unpacked), plus the probe identity worker.sh uses
// for its "is this slot online?" check. `npm run keybundle` seals it with a password.
import { BootFile, fileBytes } from "./cloudConfig";
import { FarmFacts, HostIdentity, workerFiles } from "./hostFiles";
import { BundleFile, INHOUSE_BUNDLE_FORMAT, InhouseBundle } from "../lib/keybundle";
import { renderNebulaConfig } from "../nebula/config";

const PROBE_DIR = "/etc/oomerfarm/probe";

function toBundleFile(f: BootFile): BundleFile {
  return { path: f.path, content: fileBytes(f).toString("base64"), permissions: f.permissions };
}

export function buildInhouseBundle(facts: FarmFacts, slots: Array<HostIdentity & { slot: number }>, probe: HostIdentity): InhouseBundle {
  const perSlot = slots.map((s) => {
    const host = workerFiles(facts, s);
    return { s, files: [...host.files, ...host.payload].map(toBundleFile) };
  });
  // A file is common when every slot has it with the same content; the rest travels per slot.
  const key = (f: BundleFile) => `${f.path}\u0000${f.permissions}\u0000${f.content}`;
  const common = perSlot.length === 0 ? [] : perSlot[0].files.filter((f) => perSlot.every((p) => p.files.some((g) => key(g) === key(f))));
  const commonKeys = new Set(common.map(key));
  return {
    format: INHOUSE_BUNDLE_FORMAT,
    farm: facts.farmName,
    hubPublicIp: facts.hubPublicIp,
    hubOverlayIp: facts.hubOverlayIp,
    common,
    slots: perSlot.map(({ s, files }) => ({ slot: s.slot, name: s.name, ip: s.overlayIp, files: files.filter((f) => !commonKeys.has(key(f))) })),
    probe: {
      name: probe.name,
      ip: probe.overlayIp,
      files: [
        { path: `${PROBE_DIR}/ca.crt`, content: facts.nebulaCaPem, permissions: "0644" },
        { path: `${PROBE_DIR}/host.crt`, content: probe.certPem, permissions: "0644" },
        { path: `${PROBE_DIR}/host.key`, content: probe.keyPem, permissions: "0600" },
        {
          path: `${PROBE_DIR}/config.yml`,
          content: renderNebulaConfig({
            role: "probe", pkiDir: PROBE_DIR, hubOverlayIp: facts.hubOverlayIp,
            hubEndpoint: `${facts.hubPublicIp}:${facts.nebulaPort}`, listenPort: 0, tunDev: "oomerprobe",
          }),
          permissions: "0600",
        },
      ].map(toBundleFile),
    },
  };
}
