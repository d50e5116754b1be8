// Real-tool guard and a small synchronous runner for the tests that call nebula-cert, openssl,
// testparm, cloud-init and shellcheck. Under CI=true a missing tool is a failure, never a skip.
import { spawnSync } from "child_process";

const HOW_TO_GET = "sudo npm run setup (Debian packages: nebula cloud-init samba smbclient shellcheck openssl)";
const seen = new Map<string, boolean>();

export function haveTool(name: string): boolean {
  let found = seen.get(name);
  if (found === undefined) {
    found = spawnSync("sh", ["-c", 'command -v "$1"', "sh", name]).status === 0;
    seen.set(name, found);
  }
  return found;
}

/**
 * True when `name` is on PATH. Otherwise: throws under CI=true (nothing is skipped in CI),
 * else prints why the calling test does nothing and returns false (`if (!requireTool(x)) return;`).
 */
export function requireTool(name: string): boolean {
  if (haveTool(name)) return true;
  const why = `${name} is not installed; get it with: ${HOW_TO_GET}`;
  if (process.env.CI === "true") throw new Error(`required under CI=true: ${why}`);
  console.warn(`skipping: ${why}`);
  return false;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell; `input` goes to its stdin. */
export function run(cmd: string, args: string[], opts: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): RunResult {
  const r = spawnSync(cmd, args, { input: opts.input, cwd: opts.cwd, env: opts.env ?? process.env, encoding: "utf8", timeout: opts.timeoutMs ?? 60000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
