// Bench hook for `npm run bench`: full farm-in-a-box runs, quiet, returning the timings.
import { environment, missingTools } from "./preflight";
import { runDemo } from "./run";

export interface FarmBench {
  workers: number;
  /** plan (mocks) wall time */
  planMs: number;
  /** first nebula start to every worker and the boss reaching the hub */
  joinedMs: number | undefined;
  /** the whole demo run, checks and teardown included */
  totalMs: number;
  checks: string;
  smb?: { megabytes: number; smbMiBps: number; tcpMiBps: number; ratio: number };
}

/**
 * Runs the farm in a box once per worker count (default 3 and 10) and measures the SMB vs TCP
 * throughput on the first run with a file of `megabytes` (default 50). Returns undefined with a
 * reason where it cannot run (not root, no netns, missing tools).
 */
export async function benchFarmInABox(opts: { workers?: number[]; megabytes?: number; log?: (line: string) => void } = {}): Promise<{ runs: FarmBench[] } | { skipped: string }> {
  const env = environment();
  if (!env.ok) return { skipped: env.reason };
  const missing = missingTools();
  if (missing.length > 0) return { skipped: `missing tools: ${missing.join(", ")} (sudo npm run demo installs them)` };
  const runs: FarmBench[] = [];
  for (const [i, workers] of (opts.workers ?? [3, 10]).entries()) {
    const r = await runDemo({ workers, keepGoing: true, out: opts.log ?? (() => undefined), benchMegabytes: i === 0 ? opts.megabytes ?? 50 : undefined });
    runs.push({ workers, planMs: r.timings.planMs, joinedMs: r.timings.joinedMs, totalMs: r.timings.totalMs, checks: r.summary, smb: r.timings.throughput });
  }
  return { runs };
}
