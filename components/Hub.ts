// The hub: Nebula lighthouse, Samba, MongoDB and the Deadline repository on one server, with a
// stable public address and a data volume. Cloud specifics stay behind the backend seam.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { Cloud, Image } from "../lib/config";
import { FarmFacts, hostCloudConfig, hubFiles, PATHS, SAMBA_USER } from "../cloud-init/hostFiles";
import { MONGODB_PORT } from "../nebula/firewall";
import { IDLE_GUARD_UNINSTALL, idleGuardInstallScript } from "../cloud-init/idleGuardInstall";
import { backendFor } from "./cloud";
import { FarmNetwork, HostBoot } from "./cloud/types";
import { HostCredentials } from "./NebulaCA";
import { FarmSecretValues } from "./FarmCredentials";

export interface HubArgs {
  farmName: string;
  network: FarmNetwork;
  cloud: Cloud;
  location: string;
  serverType: string;
  image: Image;
  dataVolumeGb: number;
  keepData: boolean;
  nebulaPort: number;
  sshAllowedCidrs: string[];
  waitForReady: boolean;
  overlayPrefix: number;
  overlayCidr: string;
  renderers: string[];
  nebulaCaPem: pulumi.Input<string>;
  identity: pulumi.Output<HostCredentials>;
  credentials: pulumi.Output<FarmSecretValues>;
  labels: Record<string, string>;
  /** fingerprints of revoked certificates, published farm-wide through the hub's share */
  blocklist: pulumi.Input<string[]>;
  /**
   * opt-in: remove the workers after this many idle minutes (installed over SSH). Hetzner needs
   * the API token; AWS uses the hub's instance role in the workers' locations (regions).
   */
  idleGuard?: { minutes: number; token?: pulumi.Input<string>; workerLocations: string[] };
}

const WAIT_READY_SCRIPT = fs.readFileSync(path.join(__dirname, "..", "cloud-init", "wait-ready.sh"), "utf8");

export class Hub extends pulumi.ComponentResource {
  readonly publicIp: pulumi.Output<string>;
  readonly overlayIp: pulumi.Output<string>;
  /** what every farm host shares (secret): workers boot from it */
  readonly facts: pulumi.Output<FarmFacts>;
  readonly userData: pulumi.Output<string>;
  readonly ready: pulumi.Output<string>;

  constructor(name: string, args: HubArgs, opts?: pulumi.ComponentResourceOptions) {
    super("oomerfarm:index:Hub", name, {}, opts);
    const labels = { ...args.labels, "oomerfarm-role": "hub" };
    const site = backendFor(args.cloud).hubSite(name, {
      farmName: args.farmName,
      network: args.network,
      location: args.location,
      dataVolumeGb: args.dataVolumeGb,
      keepData: args.keepData,
      nebulaPort: args.nebulaPort,
      sshAllowedCidrs: args.sshAllowedCidrs,
      sshPublicKey: args.credentials.apply((c) => c.sshPublicKey),
      labels,
      idleGuard: args.idleGuard ? { workerLocations: this.idleGuardLocations(args) } : undefined,
    }, this);
    this.publicIp = site.publicIp;
    this.overlayIp = args.identity.apply((i) => i.overlayIp);

    this.facts = pulumi.secret(pulumi.all([site.publicIp, args.nebulaCaPem, args.credentials, args.identity]).apply(([publicIp, caPem, creds, identity]): FarmFacts => ({
      farmName: args.farmName,
      overlayPrefix: args.overlayPrefix,
      overlayCidr: args.overlayCidr,
      hubOverlayIp: identity.overlayIp,
      hubPublicIp: publicIp,
      nebulaPort: args.nebulaPort,
      renderers: args.renderers,
      nebulaCaPem: caPem,
      tlsCaPem: creds.tlsCaPem,
      sambaPassword: creds.sambaPassword,
      deadlineClientPfxBase64: creds.deadlineClientPfxBase64,
      deadlineClientPfxPassphrase: creds.deadlineClientPfxPassphrase,
    })));

    const boot = pulumi.secret(pulumi.all([this.facts, args.identity, args.credentials, site.dataDevice]).apply(([facts, identity, creds, dataDevice]): HostBoot => ({
      hostname: `${args.farmName}-hub`,
      role: "hub",
      host: hubFiles(facts, identity, {
        mongodbServerPem: creds.mongodbServerPem,
        mongodbAdminPassword: creds.mongodbAdminPassword,
        mongodbDeadlinePassword: creds.mongodbDeadlinePassword,
        dataDevice,
      }),
    })));
    this.userData = pulumi.secret(boot.apply((b) => hostCloudConfig(b.hostname, b.role, b.host)));

    const server = site.launch({ serverType: args.serverType, image: args.image, userData: this.userData, boot });
    const wait = this.waitUntilReady(name, args, server.serverId, server.readyAfter);
    this.ready = wait ? wait.stdout : pulumi.output(args.waitForReady ? "not waited for: sshAllowedCidrs is empty" : "not waited for (waitForReady is false)");
    this.publishBlocklist(name, args, server.readyAfter, wait);
    if (args.idleGuard) {
      const guard = args.idleGuard;
      const regions = this.idleGuardLocations(args);
      const script = args.cloud === "hcloud"
        ? pulumi.output(guard.token ?? "").apply((token) => idleGuardInstallScript(args.farmName, guard.minutes, { cloud: "hcloud", token }))
        : pulumi.output(idleGuardInstallScript(args.farmName, guard.minutes, { cloud: "aws", regions }));
      new command.remote.Command(`${name}-idle-guard`, {
        connection: this.connection(args),
        create: pulumi.secret(script),
        delete: IDLE_GUARD_UNINSTALL,
        // Regions only on AWS: Hetzner farms keep the triggers (and the plan) they had.
        triggers: [guard.minutes, server.serverId, ...(args.cloud === "aws" ? [regions.join(",")] : [])],
      }, { parent: this, dependsOn: wait ? [wait] : server.readyAfter });
    }

    this.registerOutputs({
      publicIp: this.publicIp,
      overlayIp: this.overlayIp,
      ready: this.ready,
    });
  }

  /** Where the guard looks for workers: the pools' locations, or the hub's own when there are none. */
  private idleGuardLocations(args: HubArgs): string[] {
    const locations = [...new Set(args.idleGuard?.workerLocations ?? [])];
    return locations.length > 0 ? locations : [args.location];
  }

  /** `pulumi up` returns only when the hub's boot has finished, or fails with the failing step. */
  private connection(args: HubArgs): command.types.input.remote.ConnectionArgs {
    return {
      host: this.publicIp,
      user: "root",
      privateKey: args.credentials.apply((c) => c.sshPrivateKey),
      dialErrorLimit: 60,
      perDialTimeout: 10,
    };
  }

  private waitUntilReady(name: string, args: HubArgs, serverId: pulumi.Output<string>, after: pulumi.Resource[]): command.remote.Command | undefined {
    if (!args.waitForReady) return undefined;
    if (args.sshAllowedCidrs.length === 0) {
      pulumi.log.warn("waitForReady is on but sshAllowedCidrs is empty: the hub's SSH is closed, so `pulumi up` cannot wait for the hub's boot. Open SSH to your address or set waitForReady false.", this);
      return undefined;
    }
    return new command.remote.Command(`${name}-ready`, {
      connection: this.connection(args),
      create: WAIT_READY_SCRIPT,
      triggers: [serverId],
    }, { parent: this, dependsOn: after, customTimeouts: { create: "70m" } });
  }

  /**
   * Revocation without replacing servers: the list goes to the hub's share over SSH, and every
   * host's blocklist timer applies it within a minute (cloud-init/steps/blocklist-sync.sh).
   */
  private publishBlocklist(name: string, args: HubArgs, after: pulumi.Resource[], wait: command.remote.Command | undefined): void {
    if (args.sshAllowedCidrs.length === 0) {
      pulumi.output(args.blocklist).apply((list) => {
        if (list.length > 0) pulumi.log.warn(`revoked is set but the hub's SSH is closed: copy the fingerprints (${list.join(", ")}) to ${PATHS.shareDir}/.oomerfarm/blocklist.txt on the hub yourself`, this);
      });
      return;
    }
    const script = pulumi.output(args.blocklist).apply((list) => [
      "set -eu",
      `d=${PATHS.shareDir}/.oomerfarm`,
      'install -d -m 0755 "$d"',
      `printf '%s\\n' ${list.map((fp) => `'${fp}'`).join(" ")} | grep -v '^$' > "$d/blocklist.txt.tmp" || true`,
      'mv -f "$d/blocklist.txt.tmp" "$d/blocklist.txt"',
      "/usr/local/lib/oomerfarm/blocklist-sync.sh",
      `echo "blocklist published: ${list.length} certificate(s)"`,
    ].join("\n"));
    new command.remote.Command(`${name}-blocklist`, {
      connection: this.connection(args),
      create: script,
      triggers: [pulumi.output(args.blocklist).apply((l) => l.join(","))],
    }, { parent: this, dependsOn: wait ? [wait] : after });
  }
}

export const HUB_SHARES = {
  repository: PATHS.repositoryDir,
  share: PATHS.shareDir,
  sambaUser: SAMBA_USER,
  mongodbPort: MONGODB_PORT,
};
