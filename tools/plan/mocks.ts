// What the clouds would answer, for the offline plan: ids, addresses and the state of the random
// and command resources. With a seed, every value derives from it; without, it is fresh.
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** 2026-01-01T00:00:00Z: the issuance time of a seeded plan, so seeded plans are byte-identical. */
export const SEEDED_ISSUED_AT = 1767225600;

export function unwrapSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") return unwrapSecrets(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x)]));
  }
  return v;
}

export class PlanMocks implements pulumi.runtime.Mocks {
  constructor(private readonly seed: string | undefined, private readonly now: () => number = () => Math.floor(Date.now() / 1000)) {}

  private bytes(label: string, n: number): Buffer {
    if (this.seed === undefined) return crypto.randomBytes(n);
    return crypto.createHmac("sha256", this.seed).update(label).digest().subarray(0, n);
  }

  /** A stable fake id / address per resource, derived from its type and name (never random). */
  private stable(type: string, name: string, n: number): Buffer {
    return crypto.createHash("sha256").update(`${type}/${name}/${this.seed ?? ""}`).digest().subarray(0, n);
  }

  private ip(type: string, name: string): string {
    const b = this.stable(type, name, 2);
    return `203.0.113.${1 + (b.readUInt16BE(0) % 250)}`;
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
    const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
    const numericId = String(1_000_000 + (this.stable(args.type, args.name, 4).readUInt32BE(0) % 9_000_000));
    switch (args.type) {
      case "random:index/randomBytes:RandomBytes": {
        const b = this.bytes(`random-bytes/${args.name}`, Number(inputs.length ?? 32));
        return { id: `rb-${args.name}`, state: { ...inputs, base64: b.toString("base64"), hex: b.toString("hex") } };
      }
      case "command:local:Command":
        return { id: `cmd-${args.name}`, state: { ...inputs, stdout: String(this.seed === undefined ? this.now() : SEEDED_ISSUED_AT), stderr: "" } };
      case "command:remote:Command":
        return { id: `cmd-${args.name}`, state: { ...inputs, stdout: "hub ready", stderr: "" } };
      case "hcloud:index/primaryIp:PrimaryIp":
        return { id: numericId, state: { ...inputs, ipAddress: this.ip(args.type, args.name) } };
      case "hcloud:index/server:Server":
        return { id: numericId, state: { ...inputs, ipv4Address: this.ip(args.type, args.name), status: "running" } };
      case "aws:ec2/eip:Eip":
        return { id: `eipalloc-${this.stable(args.type, args.name, 8).toString("hex")}`, state: { ...inputs, publicIp: this.ip(args.type, args.name) } };
      case "aws:ec2/instance:Instance":
        return { id: `i-${this.stable(args.type, args.name, 8).toString("hex")}`, state: { ...inputs, publicIp: this.ip(args.type, args.name) } };
      case "aws:ebs/volume:Volume":
        return { id: `vol-${this.stable(args.type, args.name, 9).toString("hex").slice(0, 17)}`, state: inputs };
      case "aws:s3/bucket:Bucket": {
        // bucketPrefix + a stable suffix, as AWS names a prefixed bucket.
        const bucket = `${String(inputs.bucketPrefix ?? `${args.name}-`)}${this.stable(args.type, args.name, 6).toString("hex")}`;
        return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` } };
      }
      case "aws:iam/role:Role":
      case "aws:iam/instanceProfile:InstanceProfile": {
        const name = `${String(inputs.namePrefix ?? `${args.name}-`)}${this.stable(args.type, args.name, 4).toString("hex")}`;
        return { id: name, state: { ...inputs, name, arn: `arn:aws:iam::123456789012:${args.type.endsWith("Role") ? "role" : "instance-profile"}/${name}` } };
      }
      case "aws:ec2/keyPair:KeyPair": {
        const keyName = `${String(inputs.keyNamePrefix ?? `${args.name}-`)}${this.stable(args.type, args.name, 4).toString("hex")}`;
        return { id: keyName, state: { ...inputs, keyName } };
      }
      default:
        if (args.type.startsWith("aws:")) {
          const prefix = args.type.split(":").pop()!.toLowerCase().slice(0, 6);
          return { id: `${prefix}-${this.stable(args.type, args.name, 8).toString("hex")}`, state: { ...inputs, arn: `arn:aws:mock:::${args.name}` } };
        }
        return { id: args.custom === false ? "" : numericId, state: inputs };
    }
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
    if (args.token === "aws:ec2/getAmi:getAmi") {
      const filter = JSON.stringify(inputs.filters ?? []);
      return { id: `ami-${crypto.createHash("sha256").update(filter).digest("hex").slice(0, 17)}`, name: filter, ...inputs };
    }
    if (args.token === "aws:ec2/getSubnet:getSubnet") {
      // An existing subnet (awsSubnetId): it lies in the configured VPC, as a correct config says.
      const vpcId = pulumi.runtime.getConfig("oomerfarm:awsVpcId") ?? `vpc-${crypto.createHash("sha256").update(String(inputs.id)).digest("hex").slice(0, 17)}`;
      return { ...inputs, vpcId, availabilityZone: "mock-az-1a" };
    }
    return inputs;
  }
}
