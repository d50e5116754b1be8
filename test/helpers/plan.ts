// Runs the offline plan command (tools/plan.ts, the `npm run plan` contract) into a temp dir and
// reads what it wrote: plan.json, certificates and each server's user data, decoded the way
// cloud-init would (write_files encodings, then the payload tarball).
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { parse } from "yaml";
import { BootFile, decodeWriteFiles } from "../../cloud-init/cloudConfig";
import { PAYLOAD_PATH, unpackPayload } from "../../cloud-init/payload";

export const ROOT = path.join(__dirname, "..", "..");
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

export interface PlanRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** the --out directory (a fresh temp dir) */
  dir: string;
}

export interface PlanResource {
  type: string;
  name: string;
  parent: string | null;
  inputs: Record<string, unknown>;
}

export interface PlanJson {
  resources: PlanResource[];
  outputs: Record<string, unknown>;
  warnings: string[];
}

const made: string[] = [];
// Each plan is a ~3 s, CPU-bound child: more than one per core only adds waiting.
const MAX_PARALLEL = Math.max(1, Math.min(3, os.cpus().length));
let running = 0;
const queue: Array<() => void> = [];

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    queue.shift()?.();
  }
}

/** `npm run plan -- --out DIR ...args` into a fresh temp dir (pass args without --out). */
export function runPlan(args: string[]): Promise<PlanRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oomerfarm-plan-"));
  made.push(dir);
  // The Pulumi CLI's environment must not leak into the mock runtime.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PULUMI_")));
  return slot(() => new Promise<PlanRun>((resolve, reject) => {
    const child = spawn(TSX, ["tools/plan.ts", "--out", dir, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, dir }));
  }));
}

/** Like runPlan, but fails with the plan's stderr unless it exited 0. */
export async function planOk(args: string[]): Promise<PlanRun> {
  const r = await runPlan(args);
  if (r.code !== 0) throw new Error(`plan ${args.join(" ")} exited ${r.code}:\n${r.stderr}`);
  return r;
}

export function cleanupPlans(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export function readPlan(dir: string): PlanJson {
  return JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8")) as PlanJson;
}

export interface UserData {
  /** exactly what the provider receives */
  raw: Buffer;
  /** the #cloud-config text (gunzipped if the provider gets gzip) */
  text: string;
  doc: { hostname?: string; write_files: Array<Record<string, string>>; runcmd?: string[][]; [k: string]: unknown };
  /** write_files, decoded, by path */
  files: Map<string, Buffer>;
  /** the files inside payload.tgz, by path */
  payload: Map<string, BootFile>;
}

/** DIR/hosts/<host>/user-data (needs a --show-secrets plan), decoded. */
export function readUserData(dir: string, host: string): UserData {
  const raw = fs.readFileSync(path.join(dir, "hosts", host, "user-data"));
  const text = raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  const doc = parse(text) as UserData["doc"];
  const files = new Map<string, Buffer>();
  const payload = new Map<string, BootFile>();
  for (const f of decodeWriteFiles(doc.write_files)) {
    files.set(f.path, f.content as Buffer);
    if (f.path === PAYLOAD_PATH) for (const p of unpackPayload(f.content as Buffer)) payload.set(p.path, p);
  }
  return { raw, text, doc, files, payload };
}

/** Every file under DIR, relative path -> bytes (for byte-identical comparisons). */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.set(path.relative(dir, full), fs.readFileSync(full));
    }
  };
  walk(dir);
  return out;
}

/** A scratch directory removed by cleanupPlans(). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `oomerfarm-${prefix}-`));
  made.push(dir);
  return dir;
}
