// The stack outputs `npm run join` needs, read from `pulumi stack output --json --show-secrets`,
// a file holding that, or a plan.json from `npm run plan -- --show-secrets` (its `outputs`).
import { spawnSync } from "child_process";
import * as fs from "fs";

export interface BossCredentials {
  overlayIp: string;
  certificate: string;
  key: string;
}

export interface JoinOutputs {
  farm: string;
  hubOverlayIp: string;
  /** "203.0.113.7:42042" */
  hubEndpoint: string;
  caCertificate: string;
  bosses: Record<string, BossCredentials>;
  sambaUser: string;
  sambaPassword: string;
  shares: { windows: string[]; macos: string[]; linux: string[] };
}

/** A problem with the outputs the user can act on (exit 1); unknown boss is BossError (exit 2). */
export class OutputsError extends Error {}
export class BossError extends Error {}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new OutputsError(`stack output ${where} is missing or not an object`);
  return v as Record<string, unknown>;
}

function str(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (v === "[secret]") throw new OutputsError(`stack output ${where}.${key} is hidden: use --show-secrets (pulumi stack output --json --show-secrets, npm run plan -- --show-secrets)`);
  if (typeof v !== "string" || v === "") throw new OutputsError(`stack output ${where}.${key} is missing or not a string`);
  return v;
}

function strList(o: Record<string, unknown>, key: string, where: string): string[] {
  const v = o[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw new OutputsError(`stack output ${where}.${key} must be a list of strings`);
  return v as string[];
}

/** Checks the outputs map (the whole `pulumi stack output --json` object, or a plan.json). */
export function parseJoinOutputs(raw: unknown): JoinOutputs {
  let all = obj(raw, "(top level)");
  // A plan.json holds the outputs under `outputs`, next to `resources`.
  if (Array.isArray(all.resources) && typeof all.outputs === "object") all = obj(all.outputs, "outputs");
  const nebula = obj(all.nebula, "nebula");
  const bossesRaw = obj(all.bosses, "bosses");
  const bosses: Record<string, BossCredentials> = {};
  for (const [name, b] of Object.entries(bossesRaw)) {
    const o = obj(b, `bosses.${name}`);
    bosses[name] = { overlayIp: str(o, "overlayIp", `bosses.${name}`), certificate: str(o, "certificate", `bosses.${name}`), key: str(o, "key", `bosses.${name}`) };
  }
  if (Object.keys(bosses).length === 0) throw new OutputsError("the stack has no bosses: add one with `pulumi config set --path 'bosses[0]' NAME` and `pulumi up`");
  const shares = obj(all.shares, "shares");
  const top = { farm: all.farm, sambaUser: all.sambaUser, sambaPassword: all.sambaPassword };
  return {
    farm: str(top, "farm", "outputs"),
    hubOverlayIp: str(nebula, "hubOverlayIp", "nebula"),
    hubEndpoint: str(nebula, "hubEndpoint", "nebula"),
    caCertificate: str(nebula, "caCertificate", "nebula"),
    bosses,
    sambaUser: str(top, "sambaUser", "outputs"),
    sambaPassword: str(top, "sambaPassword", "outputs"),
    shares: { windows: strList(shares, "windows", "shares"), macos: strList(shares, "macos", "shares"), linux: strList(shares, "linux", "shares") },
  };
}

/** Picks the boss: the named one, or the only one. Unknown or ambiguous names list the known ones. */
export function pickBoss(outputs: JoinOutputs, name: string | undefined): [string, BossCredentials] {
  const known = Object.keys(outputs.bosses).sort();
  if (name === undefined) {
    if (known.length === 1) return [known[0], outputs.bosses[known[0]]];
    throw new BossError(`farm ${outputs.farm} has ${known.length} bosses: pick one with --boss (${known.join(", ")})`);
  }
  const b = outputs.bosses[name];
  if (!b) throw new BossError(`no boss named "${name}" in farm ${outputs.farm}; known bosses: ${known.join(", ")}`);
  return [name, b];
}

/** Reads the outputs file, or asks the Pulumi CLI of this machine. */
export function loadOutputs(file: string | undefined, stack: string | undefined): unknown {
  let text: string;
  if (file !== undefined) {
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      throw new OutputsError(`cannot read ${file}: ${(e as Error).message}`);
    }
  } else {
    const args = ["stack", "output", "--json", "--show-secrets", ...(stack ? ["--stack", stack] : [])];
    const r = spawnSync("pulumi", args, { encoding: "utf8", shell: process.platform === "win32", maxBuffer: 64 * 1024 * 1024 });
    if (r.error) throw new OutputsError(`could not run pulumi (${r.error.message}): install the Pulumi CLI, or pass --outputs FILE`);
    if (r.status !== 0) throw new OutputsError(`pulumi stack output failed (exit ${r.status}): ${r.stderr.trim()}`);
    text = r.stdout;
    file = "pulumi stack output";
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new OutputsError(`${file} is not JSON`);
  }
}
