// `npm run plan`: the real program (index.ts) under Pulumi's mock runtime, without the CLI or
// any cloud. Writes plan.json, the certificates and (with --show-secrets) every server's
// user data, so users see every file their servers will boot with before paying for one.
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { parsePlanArgs, PlanOptions, UsageError } from "./plan/args";
import { readStackConfig } from "./plan/stackConfig";
import { PlanMocks } from "./plan/mocks";
import { Recorder } from "./plan/recorder";
import { ConfigError, parseFarmConfig } from "../lib/config";
import { farmNameFromStack } from "../lib/pulumiConfig";

const ROOT = path.join(__dirname, "..");
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Replaces secret values with "[secret]" (or unwraps them when secrets are shown). */
export function redact(v: unknown, show: boolean): unknown {
  if (Array.isArray(v)) return v.map((x) => redact(x, show));
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG) return show ? redact(o.value, show) : "[secret]";
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, redact(x, show)]));
  }
  return v;
}

function unwrap(v: unknown): unknown {
  return redact(v, true);
}

/** Resolves the program's exports, keeping secretness per nested value like stack outputs. */
async function resolveExport(v: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(v)) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const o = v as any;
    const [value, secret] = await Promise.all([o.promise(), o.isSecret]);
    const resolved = await resolveExport(value);
    return secret ? { [SIG_KEY]: SECRET_SIG, value: resolved } : resolved;
  }
  if (Array.isArray(v)) return Promise.all(v.map(resolveExport));
  if (v && typeof v === "object" && !Buffer.isBuffer(v)) {
    const entries = await Promise.all(Object.entries(v).map(async ([k, x]) => [k, await resolveExport(x)] as const));
    return Object.fromEntries(entries);
  }
  return v;
}

function writeFile(file: string, content: string | Buffer, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
}

/** The user data a server receives, and the host name it boots as. */
function serverUserData(inputs: Record<string, unknown>, farmName: string): { host: string; userData: Buffer } | undefined {
  const raw = unwrap(inputs.userData) as string | undefined;
  const b64 = unwrap(inputs.userDataBase64) as string | undefined;
  let userData: Buffer | undefined;
  if (typeof raw === "string") userData = Buffer.from(raw, "utf8");
  else if (typeof b64 === "string") userData = Buffer.from(b64, "base64");
  if (!userData) return undefined;
  const text = userData[0] === 0x1f && userData[1] === 0x8b ? zlib.gunzipSync(userData).toString("utf8") : userData.toString("utf8");
  const doc = parse(text) as { hostname?: string };
  const hostname = doc?.hostname ?? "unknown";
  return { host: hostname.startsWith(`${farmName}-`) ? hostname.slice(farmName.length + 1) : hostname, userData };
}

const EXPIRY_WARNING_DAYS = 30;

async function plan(opts: PlanOptions): Promise<void> {
  const stackConfig = readStackConfig(ROOT, opts.stack, opts.sets);
  const prefix = `${stackConfig.project}:`;
  const present = Object.keys(stackConfig.values).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  // Validate before anything is registered: exit 2 and one line on bad config.
  parseFarmConfig((k) => stackConfig.values[`${prefix}${k}`], opts.stack, present);

  pulumi.runtime.setAllConfig(stackConfig.values);
  await pulumi.runtime.setMocks(new PlanMocks(opts.seed), stackConfig.project, opts.stack, false);
  const recorder = new Recorder();
  recorder.install();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require(path.join(ROOT, "index.ts")) as Record<string, unknown>;
  const outputs = (await resolveExport({ ...program })) as Record<string, unknown>;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> }).waitForRPCs();

  const farmName = farmNameFromStack(opts.stack);
  const out = opts.out;
  fs.rmSync(path.join(out, "nebula"), { recursive: true, force: true });
  fs.rmSync(path.join(out, "hosts"), { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });

  const warnings: string[] = [];
  const pki = recorder.outputsOf("oomerfarm:index:NebulaCA");
  if (!pki) throw new Error("the program registered no NebulaCA outputs");
  const certificates = unwrap(pki.certificates) as Record<string, string>;
  writeFile(path.join(out, "nebula", "ca.crt"), unwrap(pki.caCertPem) as string);
  for (const [name, pem] of Object.entries(certificates)) writeFile(path.join(out, "nebula", `${name}.crt`), pem);
  if (opts.showSecrets) {
    for (const [name, pem] of Object.entries(unwrap(pki.privateKeys) as Record<string, string>)) writeFile(path.join(out, "nebula", `${name}.key`), pem, 0o600);
  }
  const expiry = Date.parse(unwrap(pki.earliestExpiry) as string);
  const daysLeft = (expiry - Date.now()) / 86400000;
  if (daysLeft < EXPIRY_WARNING_DAYS) {
    warnings.push(`certificates expire on ${new Date(expiry).toISOString()} (in ${Math.max(0, Math.floor(daysLeft))} days): bump pkiGeneration to reissue the batch`);
  }

  if (opts.showSecrets) {
    for (const r of recorder.resources) {
      const ud = serverUserData(r.inputs, farmName);
      if (ud) writeFile(path.join(out, "hosts", ud.host, "user-data"), ud.userData, 0o600);
    }
  }

  const planJson = {
    resources: recorder.resources.map((r) => ({ type: r.type, name: r.name, parent: r.parent, inputs: redact(r.inputs, opts.showSecrets) })),
    outputs: redact(outputs, opts.showSecrets),
    warnings,
  };
  writeFile(path.join(out, "plan.json"), `${JSON.stringify(planJson, null, 2)}\n`, opts.showSecrets ? 0o600 : 0o644);
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  if (process.env.OOMERFARM_PLAN_USAGE === "1") process.stderr.write(`usage: maxRSS=${process.resourceUsage().maxRSS}\n`);
  process.stdout.write(`plan: ${recorder.resources.length} resources, ${Object.keys(certificates).length} certificates -> ${out}${opts.showSecrets ? " (with secrets)" : ""}\n`);
}

async function main(): Promise<void> {
  let opts: PlanOptions;
  try {
    opts = parsePlanArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  try {
    await plan(opts);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    if (e instanceof pulumi.RunError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

if (require.main === module) void main();
