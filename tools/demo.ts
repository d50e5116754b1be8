// `sudo npm run demo`: the farm in a box. Runs the offline plan, starts its hub, N workers and a
// boss in network namespaces on this machine with real nebula and smbd, and checks the overlay,
// the shares, the firewall matrix, revoking a worker and a few faults. See tools/demo/*.ts and
// README-output.txt.
import { environment, installMissing } from "./demo/preflight";
import { runDemo } from "./demo/run";

export { benchFarmInABox } from "./demo/bench";
export { runDemo, plannedChecks } from "./demo/run";

const USAGE = "usage: sudo npm run demo -- [--workers N] [--keep-going] [--bench [MB]]";

interface Args {
  workers: number;
  keepGoing: boolean;
  bench?: number;
}

export function parseDemoArgs(argv: string[]): Args {
  const a: Args = { workers: 3, keepGoing: false };
  for (let i = 0; i < argv.length; i++) {
    switch (argv[i]) {
      case "--workers": {
        const n = Number(argv[++i]);
        if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error(`--workers must be 1..50; ${USAGE}`);
        a.workers = n;
        break;
      }
      case "--keep-going": a.keepGoing = true; break;
      case "--bench": {
        const n = Number(argv[i + 1]);
        if (Number.isInteger(n) && n > 0) i++;
        a.bench = Number.isInteger(n) && n > 0 ? n : 50;
        break;
      }
      default: throw new Error(`unknown argument ${argv[i]}; ${USAGE}`);
    }
  }
  return a;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseDemoArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`demo: ${(e as Error).message}\n`);
    return 2;
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const env = environment();
  if (!env.ok) {
    // npm test runs this as a normal user too: skipping is fine there, not in CI.
    if (process.env.CI === "true") {
      say(`demo: cannot run: ${env.reason} (required under CI=true)`);
      return 1;
    }
    say(`skipped: ${env.reason}`);
    return 0;
  }
  const missing = installMissing(say);
  if (missing.length > 0) {
    say(`demo: cannot run without ${missing.join(", ")}`);
    return 1;
  }
  say(`farm in a box: hub, ${args.workers} worker(s) and a boss in network namespaces, real nebula and smbd`);
  const r = await runDemo({ workers: args.workers, keepGoing: args.keepGoing, out: say, benchMegabytes: args.bench });
  const t = r.timings;
  say("");
  say(`timings: plan ${t.planMs} ms, all hosts joined ${t.joinedMs === undefined || !isFinite(t.joinedMs) ? "-" : `${t.joinedMs} ms`}, whole run ${(t.totalMs / 1000).toFixed(1)} s`);
  if (t.throughput) say(`throughput over the overlay (${t.throughput.megabytes} MB): smb ${t.throughput.smbMiBps} MiB/s, plain tcp ${t.throughput.tcpMiBps} MiB/s, ratio ${t.throughput.ratio}`);
  say(r.summary);
  return r.failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then((code) => process.exit(code), (e: unknown) => {
    process.stderr.write(`demo: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
