// Small process helpers for the farm in a box: run a command (optionally inside a network
// namespace) synchronously or asynchronously, and capture what it printed.
import { spawn, spawnSync } from "child_process";

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function run(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): RunResult {
  const t = Date.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", input: opts.input, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60000, stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
  return { status: r.status, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? `${r.error.message}\n` : ""), ms: Date.now() - t };
}

/** Like run, but throws with the command's stderr when it fails: for setup steps. */
export function must(cmd: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}

export function runAsync(cmd: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const t = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: opts.env ?? process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60000);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ status: null, stdout, stderr: `${stderr}${e.message}\n`, ms: Date.now() - t });
    });
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - t });
    });
  });
}

/** `ip netns exec NS cmd args...` as a [cmd, args] pair (ip execs the command: same PID). */
export function inNs(ns: string, cmd: string, args: string[]): [string, string[]] {
  return ["ip", ["netns", "exec", ns, cmd, ...args]];
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls check() every stepMs until it is true or ms have passed; returns the time it took or undefined. */
export async function waitUntil(check: () => boolean | Promise<boolean>, ms: number, stepMs = 100): Promise<number | undefined> {
  const t = Date.now();
  for (;;) {
    if (await check()) return Date.now() - t;
    if (Date.now() - t >= ms) return undefined;
    await sleep(stepMs);
  }
}
