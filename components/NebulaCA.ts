// The farm's Nebula PKI as a component. Everything derives from a random seed and an issuance
// time, both kept in Pulumi state; so keys and certificates are identical on every `pulumi up`
// until `pkiGeneration` changes (a deliberate reissue).
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";
import { AddressPlan } from "../nebula/addressPlan";
import { FarmPki, IssuedHostRecord, issueFarmPki } from "../nebula/batch";

export interface NebulaCAArgs {
  farmName: string;
  addresses: AddressPlan;
  bosses: string[];
  workerCapacity: number;
  validityDays: number;
  /** bump to reissue every key and certificate */
  generation: number;
}

export interface HostCredentials {
  name: string;
  overlayIp: string;
  certPem: string;
  keyPem: string;
}

export class NebulaCA extends pulumi.ComponentResource {
  /** unix seconds, from state */
  readonly issuedAt: pulumi.Output<number>;
  readonly caCertPem: pulumi.Output<string>;
  /** name -> certificate PEM, public */
  readonly certificates: pulumi.Output<Record<string, string>>;
  /** name -> fingerprint, public (the blocklist uses these) */
  readonly fingerprints: pulumi.Output<Record<string, string>>;
  readonly earliestExpiry: pulumi.Output<string>;
  /** the seed for other deterministic secrets of this generation */
  private readonly pki: pulumi.Output<FarmPki>;
  /** the same hosts by name, built once: every worker looks itself up here */
  private readonly byName: pulumi.Output<Record<string, IssuedHostRecord>>;

  constructor(name: string, args: NebulaCAArgs, opts?: pulumi.ComponentResourceOptions) {
    super("oomerfarm:index:NebulaCA", name, {}, opts);
    const keepers = { generation: String(args.generation) };
    const seed = new random.RandomBytes(`${name}-seed`, { length: 32, keepers }, { parent: this });
    // The wall clock is read once, on create, by a command whose output stays in state.
    const clock = new command.local.Command(`${name}-issued-at`, {
      create: `node -e "process.stdout.write(String(Math.floor(Date.now() / 1000)))"`,
      triggers: [args.generation],
    }, { parent: this });
    this.issuedAt = clock.stdout.apply((s) => {
      const n = Number(s.trim());
      if (!Number.isInteger(n) || n <= 0) throw new Error(`issued-at command printed ${JSON.stringify(s)}, not a unix time`);
      return n;
    });

    this.pki = pulumi.secret(pulumi.all([seed.base64, this.issuedAt]).apply(([b64, issuedAt]) =>
      issueFarmPki(Buffer.from(b64, "base64"), {
        farmName: args.farmName,
        addresses: args.addresses,
        bosses: args.bosses,
        workerCapacity: args.workerCapacity,
        issuedAt,
        validityDays: args.validityDays,
      })));
    this.caCertPem = pulumi.unsecret(this.pki.apply((p) => p.caCertPem));
    this.certificates = pulumi.unsecret(this.pki.apply((p) => Object.fromEntries(p.hosts.map((h) => [h.name, h.certPem]))));
    this.fingerprints = pulumi.unsecret(this.pki.apply((p) => Object.fromEntries(p.hosts.map((h) => [h.name, h.fingerprint]))));
    this.byName = this.pki.apply((p) => Object.fromEntries(p.hosts.map((h) => [h.name, h])));
    this.earliestExpiry = pulumi.unsecret(this.pki.apply((p) => new Date(Math.min(p.caNotAfter, ...p.hosts.map((h) => h.notAfter)) * 1000).toISOString()));

    this.registerOutputs({
      caCertPem: this.caCertPem,
      certificates: this.certificates,
      fingerprints: this.fingerprints,
      earliestExpiry: this.earliestExpiry,
      // Only ever as a secret: the plan writes these with --show-secrets.
      privateKeys: pulumi.secret(this.pki.apply((p) => Object.fromEntries(p.hosts.map((h) => [h.name, h.keyPem])))),
    });
  }

  /** One host's certificate and key (a secret output): what that host, and only it, receives. */
  host(name: string): pulumi.Output<HostCredentials> {
    return this.hosts([name]).apply(([h]) => h);
  }

  /** Several hosts at once, in the order asked (the in-house keybundle). */
  hosts(names: string[]): pulumi.Output<HostCredentials[]> {
    return this.byName.apply((byName) => names.map((name) => {
      const h = byName[name];
      if (!h) throw new Error(`NebulaCA: no certificate named ${name}`);
      return { name: h.name, overlayIp: h.overlayIp, certPem: h.certPem, keyPem: h.keyPem };
    }));
  }
}
