// In-house workers live: the keybundle is sealed from the stack's real `inhouseBundle` output
// (plan.json), whose two slots sit right above the cloud workers (tools/demo/artifacts.ts). The
// first slot is brought online the way a person's own box would be, with worker.sh writing the
// bundle's files; then worker.sh --check-only, from another box, must refuse that slot (exit 3)
// and accept the second, free one (exit 0).
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { sealKeybundle } from "../../lib/keybundle";
import { inhouseSlotsFor, REPO } from "./artifacts";
import { boxBundle } from "./bundle";
import type { Outcome } from "./checks";
import { Farm } from "./farm";
import { inNs, runAsync, RunResult } from "./sh";

export function inhouseNames(workers: number): string[] {
  const { online, free } = inhouseSlotsFor(workers);
  const name = (n: number) => `worker${String(n).padStart(4, "0")}`;
  return [
    `inhouse: ${name(online)} from the stack's inhouseBundle reaches the hub`,
    `inhouse: worker.sh refuses online slot ${online} (${name(online)})`,
    `inhouse: worker.sh accepts free slot ${free} (${name(free)})`,
  ];
}

const tail = (r: RunResult): string =>
  (`${r.stdout}\n${r.stderr}`.trim().split("\n").filter((l) => l.trim() !== "").pop() ?? `exit ${r.status}`).replace(/^worker\.sh: /, "");

export async function runInhouse(f: Farm): Promise<Outcome[]> {
  const { online, free } = inhouseSlotsFor(f.workers);
  const o = f.plan!.outputs as { inhouseBundle: unknown; nebula: { hubEndpoint: string } };
  const { bundle, rewritten } = boxBundle(o.inhouseBundle, o.nebula.hubEndpoint, f.hubEndpoint);
  const held = bundle.slots.map((s) => s.slot).join(",");
  if (held !== `${online},${free}`) throw new Error(`the plan's inhouseBundle holds slot(s) ${held}, want ${online},${free}`);
  f.say(`inhouse: bundle from plan.json's inhouseBundle (slots ${held}); hub endpoint ${o.nebula.hubEndpoint} -> ${f.hubEndpoint} in ${rewritten} config(s)`);
  const password = crypto.randomBytes(18).toString("base64");
  const sealed = path.join(f.tmp, "inhouse.okb");
  fs.writeFileSync(sealed, sealKeybundle(Buffer.from(JSON.stringify(bundle)), password, { scryptN: 2 ** 10 }), { mode: 0o600 });
  const workerSh = (ns: string, args: string[]): Promise<RunResult> => {
    const [cmd, a] = inNs(ns, "bash", [path.join(REPO, "cloud-init/inhouse/worker.sh"), "--bundle", sealed, ...args]);
    return runAsync(cmd, a, { timeoutMs: 60000, env: { ...process.env, OOMERFARM_BUNDLE_PASSWORD: password } });
  };

  // The online slot: worker.sh writes the slot's files under the machine's root (--root stops
  // before the boot steps, which need a real system); nebula runs with the config it wrote. Its
  // own online check is skipped here: the free-slot check below runs that path.
  const h = f.inhouseHost!;
  h.overlayIp = bundle.slots[0].ip;
  const install = await workerSh(h.ns, ["--slot", String(online), "--root", h.dir, "--no-online-check"]);
  let joined: Outcome;
  if (install.status !== 0) {
    joined = [false, `worker.sh exit ${install.status}: ${tail(install)}`];
  } else {
    f.startNebula(h, fs.readFileSync(path.join(h.dir, "etc/nebula/config.yml"), "utf8"));
    const ms = await f.reach(h, f.hubOverlayIp, 10000);
    joined = [ms !== undefined, ms !== undefined ? `${h.overlayIp}, hub answered after ${ms} ms` : "no answer from the hub in 10 s"];
  }

  // One after the other: both use the probe identity and the probe's tun name.
  const root = path.join(f.tmp, "inhouse-root");
  const refused = await workerSh(f.boxNs, ["--slot", String(online), "--check-only", "--root", root]);
  const accepted = await workerSh(f.boxNs, ["--slot", String(free), "--check-only", "--root", root]);
  return [
    joined,
    [refused.status === 3, `exit ${refused.status}: ${tail(refused)}`],
    [accepted.status === 0, `exit ${accepted.status}: ${tail(accepted)}`],
  ];
}
