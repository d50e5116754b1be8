// One run of the farm in a box: build it, run the sections of checks in order, measure, tear
// down (also on Ctrl-C and on errors). The CLI (tools/demo.ts) and the bench call runDemo.
import { CheckResult, Report } from "./report";
import { FarmShape, Section, sections } from "./checks";
import { Farm, removeStaleTmp, workerName } from "./farm";
import { removeStale } from "./netns";
import { measureThroughput, Throughput } from "./throughput";

export interface DemoOptions {
  workers: number;
  /** run every section even after a failure (else later checks are reported as not run) */
  keepGoing: boolean;
  out: (line: string) => void;
  /** also measure SMB vs plain TCP throughput over the overlay with a file of this size */
  benchMegabytes?: number;
}

export interface DemoTimings {
  planMs: number;
  /** first nebula process started to every worker and the boss reaching the hub */
  joinedMs: number | undefined;
  totalMs: number;
  throughput?: Throughput;
}

export interface DemoResult {
  passed: number;
  failed: number;
  checks: CheckResult[];
  timings: DemoTimings;
  summary: string;
}

/** The names of every check a run with this many workers prints, in order. */
export function plannedChecks(workers: number, boss = "boss"): string[] {
  return sections(shapeOf(workers, boss)).flatMap((s) => s.names);
}

function shapeOf(workers: number, boss: string): FarmShape {
  return { workers: Array.from({ length: workers }, (_, i) => workerName(i + 1)), boss };
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const stale = removeStale();
  if (stale.length > 0) opts.out(`removed ${stale.length} namespace(s) left by an earlier run that was killed: ${stale.join(", ")}`);
  const staleTmp = removeStaleTmp();
  if (staleTmp.length > 0) opts.out(`removed ${staleTmp.length} temporary folder(s) left by an earlier run that was killed`);
  const farm = new Farm(opts.workers, opts.out);
  const onSignal = (sig: NodeJS.Signals) => {
    opts.out(`\n${sig}: tearing down the farm in a box`);
    farm.teardown();
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  const onExit = () => farm.teardown();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("SIGHUP", onSignal);
  process.on("exit", onExit);
  const report = new Report(opts.out);
  let throughput: Throughput | undefined;
  try {
    await farm.prepare();
    const all: Section[] = sections(shapeOf(opts.workers, farm.bossName));
    opts.out("");
    let stopped: string | undefined;
    for (const s of all) {
      if (stopped !== undefined) {
        for (const n of s.names) report.check(n, false, `not run: ${stopped} failed (--keep-going runs everything)`);
        continue;
      }
      let outcomes;
      try {
        outcomes = await s.run(farm);
      } catch (e) {
        outcomes = s.names.map(() => [false, `${s.title}: ${(e as Error).message}`] as [boolean, string]);
      }
      s.names.forEach((n, i) => report.check(n, outcomes[i]?.[0] ?? false, outcomes[i]?.[1] ?? "no result"));
      if (!opts.keepGoing && outcomes.some((o) => !o[0])) stopped = `the ${s.title} section`;
    }
    if (opts.benchMegabytes !== undefined && report.failed === 0) throughput = await measureThroughput(farm, opts.benchMegabytes);
  } finally {
    farm.teardown();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    process.removeListener("SIGHUP", onSignal);
    process.removeListener("exit", onExit);
  }
  return {
    passed: report.passed,
    failed: report.failed,
    checks: report.results,
    summary: report.summary(),
    timings: { planMs: farm.plan?.ms ?? 0, joinedMs: farm.joinedMs, totalMs: Date.now() - started, throughput },
  };
}
