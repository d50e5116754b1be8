// Command-line flags of `npm run plan`.

export interface PlanOptions {
  out: string;
  stack: string;
  sets: Array<[string, string]>;
  seed?: string;
  showSecrets: boolean;
}

export class UsageError extends Error {}

export const USAGE = "usage: npm run plan -- --out DIR [--stack NAME] [--set KEY=VALUE]... [--seed TEXT] [--show-secrets]";

export function parsePlanArgs(argv: string[]): PlanOptions {
  const opts: PlanOptions = { out: "", stack: "dev", sets: [], showSecrets: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value; ${USAGE}`);
      return v;
    };
    switch (a) {
      case "--out": opts.out = value(); break;
      case "--stack": opts.stack = value(); break;
      case "--seed": opts.seed = value(); break;
      case "--show-secrets": opts.showSecrets = true; break;
      case "--set": {
        const kv = value();
        const eq = kv.indexOf("=");
        if (eq <= 0) throw new UsageError(`--set ${kv}: expected KEY=VALUE`);
        opts.sets.push([kv.slice(0, eq), kv.slice(eq + 1)]);
        break;
      }
      default: throw new UsageError(`unknown argument ${a}; ${USAGE}`);
    }
  }
  if (!opts.out) throw new UsageError(`--out is required; ${USAGE}`);
  if (!/^[A-Za-z0-9_.-]+$/.test(opts.stack)) throw new UsageError(`--stack ${opts.stack}: letters, digits, '-', '_' and '.' only`);
  return opts;
}
