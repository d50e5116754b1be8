// Command-line flags of `npm run join`.

export type DesktopOs = "linux" | "darwin" | "win32";

export interface JoinOptions {
  /** a file holding `pulumi stack output --json --show-secrets` (or a plan.json); else pulumi is asked */
  outputs?: string;
  /** passed to `pulumi stack output --stack` when no --outputs file is given */
  stack?: string;
  boss?: string;
  /** where the files go; default ~/.oomerfarm/<farm>/<boss> */
  dir?: string;
  start: boolean;
  /** whose instructions to print; default this machine's */
  os: DesktopOs;
}

export class UsageError extends Error {}

export const USAGE = "usage: npm run join -- [--outputs FILE] [--stack NAME] [--boss NAME] [--dir DIR] [--start] [--os linux|darwin|win32]";

export function isDesktopOs(v: string): v is DesktopOs {
  return v === "linux" || v === "darwin" || v === "win32";
}

export function parseJoinArgs(argv: string[], platform: string = process.platform): JoinOptions {
  const opts: JoinOptions = { start: false, os: isDesktopOs(platform) ? platform : "linux" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value; ${USAGE}`);
      return v;
    };
    switch (a) {
      case "--outputs": opts.outputs = value(); break;
      case "--stack": opts.stack = value(); break;
      case "--boss": opts.boss = value(); break;
      case "--dir": opts.dir = value(); break;
      case "--start": opts.start = true; break;
      case "--os": {
        const v = value();
        if (!isDesktopOs(v)) throw new UsageError(`--os ${v}: expected linux, darwin or win32`);
        opts.os = v;
        break;
      }
      case "-h":
      case "--help":
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown argument ${a}; ${USAGE}`);
    }
  }
  return opts;
}
