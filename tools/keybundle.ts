// `npm run keybundle -- --outputs FILE --out bundle.okb [--slots 91-95]`
//
// Seals the stack's `inhouseBundle` output (the in-house worker slots: their Nebula keys plus the
// files every worker boots with) into a password-encrypted file a person carries to their own
// Linux box, where cloud-init/inhouse/worker.sh opens it. Cloud workers' keys are never in it:
// the Pulumi program puts only the in-house slots into that output.
//
// Bad input ends with one line on stderr and exit status 2 (no stack trace).

import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  formatSlotRanges,
  InhouseBundle,
  KEYBUNDLE_MIN_PASSWORD_LENGTH,
  narrowBundle,
  parseInhouseBundle,
  sealKeybundle,
} from "../lib/keybundle";

export interface KeybundleArgs {
  /** stack outputs JSON file; when absent the tool runs `pulumi stack output --json --show-secrets`. */
  outputs?: string;
  out: string;
  /** e.g. "91-95" or "91,93,95-97" */
  slots?: string;
}

export class UsageError extends Error {}

export const USAGE =
  "usage: npm run keybundle -- [--outputs stack-outputs.json] --out bundle.okb [--slots 91-95]";

/** Parses the command line (without node and the script name). Throws UsageError. */
export function parseArgs(argv: string[]): KeybundleArgs {
  const args: Partial<KeybundleArgs> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const [flag, inline] = arg.startsWith("--") && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "" || (inline === undefined && v.startsWith("--"))) {
        throw new UsageError(`${flag} needs a value; ${USAGE}`);
      }
      return v;
    };
    switch (flag) {
      case "--outputs":
        args.outputs = value();
        break;
      case "--out":
        args.out = value();
        break;
      case "--slots":
        args.slots = value();
        break;
      case "-h":
      case "--help":
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)}; ${USAGE}`);
    }
  }
  if (!args.out) throw new UsageError(`--out is required; ${USAGE}`);
  return { outputs: args.outputs, out: args.out, slots: args.slots };
}

/** Takes `inhouseBundle` out of `pulumi stack output --json --show-secrets` text. */
export function bundleFromOutputs(outputsJson: string, source: string): InhouseBundle {
  let outputs: unknown;
  try {
    outputs = JSON.parse(outputsJson);
  } catch {
    throw new UsageError(`${source} is not JSON (save it with: pulumi stack output --json --show-secrets > FILE)`);
  }
  if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) {
    throw new UsageError(`${source} is not a JSON object of stack outputs`);
  }
  const value = (outputs as Record<string, unknown>).inhouseBundle;
  if (value === undefined) {
    throw new UsageError(`${source} has no inhouseBundle output (does the stack have in-house slots? run pulumi up first)`);
  }
  if (value === "" || value === null) {
    throw new UsageError(`the stack has no in-house slots (inhouseBundle is empty): set oomerfarm:inhouseSlots above 0 and run pulumi up`);
  }
  if (value === "[secret]") {
    throw new UsageError(`${source} holds inhouseBundle as [secret]: save the outputs with --show-secrets`);
  }
  try {
    return parseInhouseBundle(value);
  } catch (e) {
    throw new UsageError(`${source}: ${(e as Error).message}`);
  }
}

function readOutputs(file: string | undefined): { text: string; source: string } {
  if (file !== undefined) {
    try {
      return { text: fs.readFileSync(file, "utf8"), source: file };
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const run = spawnSync("pulumi", ["stack", "output", "--json", "--show-secrets"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error || run.status !== 0) {
    const why = run.error ? run.error.message : (run.stderr || "").trim().split("\n").pop();
    throw new UsageError(`pulumi stack output failed (${why}); pass a saved file with --outputs`);
  }
  return { text: run.stdout, source: "pulumi stack output" };
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    // Echo off before the prompt shows, so nothing typed ahead of it is echoed either.
    stdin.setRawMode(true);
    process.stderr.write(question);
    stdin.resume();
    stdin.setEncoding("utf8");
    let answer = "";
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003" || ch === "\u0004") return done(new UsageError("cancelled"));
        if (ch === "\u007f" || ch === "\b") answer = [...answer].slice(0, -1).join("");
        else if (ch >= " ") answer += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** OOMERFARM_BUNDLE_PASSWORD, or asked twice on a terminal. Never waits on a non-terminal. */
export async function getPassword(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env.OOMERFARM_BUNDLE_PASSWORD;
  let password: string;
  if (fromEnv !== undefined && fromEnv !== "") {
    password = fromEnv;
  } else if (process.stdin.isTTY) {
    password = await promptHidden(`Keybundle password (at least ${KEYBUNDLE_MIN_PASSWORD_LENGTH} characters): `);
    if ([...password].length >= KEYBUNDLE_MIN_PASSWORD_LENGTH) {
      const again = await promptHidden("Same password again: ");
      if (again !== password) throw new UsageError("the two passwords differ");
    }
  } else {
    throw new UsageError("no password: set OOMERFARM_BUNDLE_PASSWORD or run on a terminal");
  }
  if ([...password].length < KEYBUNDLE_MIN_PASSWORD_LENGTH) {
    throw new UsageError(`the password must be at least ${KEYBUNDLE_MIN_PASSWORD_LENGTH} characters long`);
  }
  return password;
}

/** Writes the sealed bytes with mode 0600 via a temporary file, so no reader sees half a file. */
export function writePrivate(file: string, data: Buffer): void {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.chmodSync(tmp, 0o600); // the umask or an old file could leave other bits
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const args = parseArgs(argv);
    const { text, source } = readOutputs(args.outputs);
    let bundle = bundleFromOutputs(text, source);
    if (args.slots !== undefined) {
      try {
        bundle = narrowBundle(bundle, args.slots);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
    const password = await getPassword();
    writePrivate(args.out, sealKeybundle(Buffer.from(JSON.stringify(bundle), "utf8"), password));

    const slots = bundle.slots.map((s) => s.slot);
    const first = Math.min(...slots);
    process.stdout.write(
      [
        `Sealed ${slots.length} in-house slot(s) of farm "${bundle.farm}" into ${args.out} (mode 0600): slots ${formatSlotRanges(slots)}`,
        ...bundle.slots.map((s) => `  ${s.name}  ${s.ip}`),
        "",
        "It holds the private keys of these slots only. On each in-house Linux box, as root:",
        `  copy ${path.basename(args.out)} and cloud-init/inhouse/worker.sh to the box, then run`,
        `  sudo bash worker.sh --bundle ${path.basename(args.out)} --slot ${first}`,
        "  (one slot per box; a box named workerNNNN may leave out --slot; the password is asked for,",
        "   or passed with: sudo --preserve-env=OOMERFARM_BUNDLE_PASSWORD bash worker.sh ...)",
        "",
      ].join("\n"),
    );
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e instanceof Error && /^(keybundle|inhouse bundle):/.test(e.message))) {
      process.stderr.write(`keybundle: ${e.message.replace(/^keybundle: /, "")}\n`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`keybundle: unexpected error: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
