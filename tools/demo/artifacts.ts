// The offline plan's real artifacts: runs `npm run plan` (no seed: fresh keys every run; with
// secrets, into the demo's temporary directory) and unpacks each server's user data into the
// files that server boots with.
//
// The batch is sized so the stack's `inhouseBundle` output holds exactly two slots, right above
// the cloud workers: the harness brings the first online from the bundle's own files and keeps
// the second free, so worker.sh's online check meets both cases and no bundle key goes unused.
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { parse } from "yaml";
import { BootFile, decodeWriteFiles } from "../../cloud-init/cloudConfig";
import { PAYLOAD_PATH, unpackPayload } from "../../cloud-init/payload";
import { runAsync } from "./sh";

export const REPO = path.resolve(__dirname, "../..");

export interface Plan {
  dir: string;
  outputs: Record<string, unknown>;
  ms: number;
}

/** In-house slots of the harness's plan: workerCapacity = workers + INHOUSE_SLOTS. */
export const INHOUSE_SLOTS = 2;

export function inhouseSlotsFor(workers: number): { online: number; free: number } {
  return { online: workers + 1, free: workers + 2 };
}

/** Asynchronous on purpose: a Ctrl-C must reach the demo's handler while the plan runs. */
export async function runPlan(dir: string, workers: number): Promise<Plan> {
  const tsx = path.join(REPO, "node_modules/.bin/tsx");
  const r = await runAsync(tsx, [path.join(REPO, "tools/plan.ts"), "--out", dir, "--show-secrets", "--set", `workerCount=${workers}`, "--set", `workerCapacity=${workers + INHOUSE_SLOTS}`, "--set", `inhouseSlots=${INHOUSE_SLOTS}`], { timeoutMs: 120000 });
  if (r.status !== 0) throw new Error(`npm run plan failed (exit ${r.status}): ${r.stderr.trim()}`);
  const planJson = JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8")) as { outputs: Record<string, unknown> };
  return { dir, outputs: planJson.outputs, ms: r.ms };
}

/** The files a host boots with: its cloud-config's write_files plus the payload's files. */
export function hostBootFiles(planDir: string, host: string): BootFile[] {
  let ud = fs.readFileSync(path.join(planDir, "hosts", host, "user-data"));
  if (ud[0] === 0x1f && ud[1] === 0x8b) ud = zlib.gunzipSync(ud);
  const doc = parse(ud.toString("utf8")) as { write_files?: Array<Record<string, string>> };
  const files = decodeWriteFiles(doc.write_files ?? []);
  const payload = files.find((f) => f.path === PAYLOAD_PATH);
  return payload ? [...files, ...unpackPayload(payload.content as Buffer)] : files;
}

export function fileText(files: BootFile[], p: string): string {
  const f = files.find((x) => x.path === p);
  if (!f) throw new Error(`the plan's boot files lack ${p}`);
  return f.content.toString();
}

/** Writes the boot files under root (root/etc/nebula/host.key ...) with their modes. */
export function installFiles(root: string, files: BootFile[]): void {
  for (const f of files) {
    const dest = path.join(root, f.path);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, f.content, { mode: parseInt(f.permissions, 8) });
  }
}
