// Passwords, the MongoDB TLS material and the stack's SSH key: derived from one random seed in
// Pulumi state, so they are stable across runs and exist only as Pulumi secrets.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Drbg, derivePassword } from "../lib/drbg";
import { sshKeyFromSeed } from "../lib/sshKey";
import { issueTlsLeaf, makeTlsCa, pkcs12Bundle } from "../lib/tls";

export interface FarmCredentialsArgs {
  farmName: string;
  hubOverlayIp: string;
  /** unix seconds; the TLS certificates share the Nebula batch's validity */
  issuedAt: pulumi.Input<number>;
  validityDays: number;
}

export interface FarmSecretValues {
  sambaPassword: string;
  mongodbAdminPassword: string;
  mongodbDeadlinePassword: string;
  deadlineClientPfxBase64: string;
  deadlineClientPfxPassphrase: string;
  tlsCaPem: string;
  mongodbServerPem: string;
  deadlineClientPem: string;
  sshPublicKey: string;
  sshPrivateKey: string;
}

export function deriveFarmSecrets(seed: Buffer, args: { farmName: string; hubOverlayIp: string; issuedAt: number; validityDays: number }): FarmSecretValues {
  const validity = { notBefore: new Date((args.issuedAt - 300) * 1000), notAfter: new Date((args.issuedAt + args.validityDays * 86400) * 1000) };
  const ca = makeTlsCa(seed, `oomerfarm ${args.farmName} TLS CA`, validity);
  const server = issueTlsLeaf(seed, ca, { label: "mongodb", commonName: args.hubOverlayIp, usage: "server", ips: [args.hubOverlayIp, "127.0.0.1"], dnsNames: ["localhost", "hub"] }, validity);
  const client = issueTlsLeaf(seed, ca, { label: "deadline", commonName: "deadline", usage: "client" }, validity);
  const passphrase = derivePassword(seed, "deadline-client-pfx");
  const ssh = sshKeyFromSeed(new Drbg(seed, "ssh-key").bytes(32), `oomerfarm-${args.farmName}`);
  return {
    sambaPassword: derivePassword(seed, "samba"),
    mongodbAdminPassword: derivePassword(seed, "mongodb-admin"),
    mongodbDeadlinePassword: derivePassword(seed, "mongodb-deadline"),
    deadlineClientPfxBase64: pkcs12Bundle(seed, client, ca, passphrase).toString("base64"),
    deadlineClientPfxPassphrase: passphrase,
    tlsCaPem: ca.certPem,
    mongodbServerPem: server.certPem + server.keyPem,
    deadlineClientPem: client.certPem + client.keyPem,
    sshPublicKey: ssh.publicKey,
    sshPrivateKey: ssh.privateKey,
  };
}

export class FarmCredentials extends pulumi.ComponentResource {
  /** all values secret, except where unwrapped below */
  readonly values: pulumi.Output<FarmSecretValues>;
  readonly sshPublicKey: pulumi.Output<string>;
  readonly tlsCaPem: pulumi.Output<string>;

  constructor(name: string, args: FarmCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("oomerfarm:index:FarmCredentials", name, {}, opts);
    const seed = new random.RandomBytes(`${name}-seed`, { length: 32 }, { parent: this });
    this.values = pulumi.secret(pulumi.all([seed.base64, args.issuedAt]).apply(([b64, issuedAt]) =>
      deriveFarmSecrets(Buffer.from(b64, "base64"), { farmName: args.farmName, hubOverlayIp: args.hubOverlayIp, issuedAt, validityDays: args.validityDays })));
    this.sshPublicKey = pulumi.unsecret(this.values.apply((v) => v.sshPublicKey));
    this.tlsCaPem = pulumi.unsecret(this.values.apply((v) => v.tlsCaPem));
    this.registerOutputs({ sshPublicKey: this.sshPublicKey, tlsCaPem: this.tlsCaPem });
  }
}
