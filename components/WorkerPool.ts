// A pool of workers: `count` servers, worker i of the pool booting with slot firstSlot+i-1 of
// the pre-issued batch. Each worker's resources depend only on its own slot, so changing the
// count adds or removes exactly those workers and nothing else.
import * as pulumi from "@pulumi/pulumi";
import { Image, WorkerPoolConfig } from "../lib/config";
import { FarmFacts, hostCloudConfig, workerFiles } from "../cloud-init/hostFiles";
import { AddressPlan, workerSlotName } from "../nebula/addressPlan";
import { backendFor } from "./cloud";
import { FarmNetwork, HostBoot } from "./cloud/types";
import { NebulaCA } from "./NebulaCA";

export interface WorkerPoolArgs {
  farmName: string;
  network: FarmNetwork;
  pool: WorkerPoolConfig;
  addresses: AddressPlan;
  image: Image;
  nebulaPort: number;
  facts: pulumi.Output<FarmFacts>;
  ca: NebulaCA;
  sshPublicKey: pulumi.Input<string>;
  labels: Record<string, string>;
  /** the idle guard is on (idleMinutes > 0): it may remove these workers */
  idleGuard: boolean;
}

export interface WorkerInfo {
  name: string;
  slot: number;
  overlayIp: string;
  publicIp: pulumi.Output<string>;
}

/** What one worker boots with: its own certificate and key only. */
export function workerBoot(facts: pulumi.Output<FarmFacts>, ca: NebulaCA, name: string, farmName: string): pulumi.Output<HostBoot> {
  return pulumi.secret(pulumi.all([facts, ca.host(name)]).apply(([f, identity]): HostBoot =>
    ({ hostname: `${farmName}-${name}`, role: "worker", host: workerFiles(f, identity) })));
}

/** The cloud-config of one worker, whole (Hetzner). */
export function workerUserData(facts: pulumi.Output<FarmFacts>, ca: NebulaCA, name: string, farmName: string): pulumi.Output<string> {
  return renderWhole(workerBoot(facts, ca, name, farmName));
}

function renderWhole(boot: pulumi.Output<HostBoot>): pulumi.Output<string> {
  return pulumi.secret(boot.apply((b) => hostCloudConfig(b.hostname, b.role, b.host)));
}

export class WorkerPool extends pulumi.ComponentResource {
  readonly workers: WorkerInfo[];

  constructor(name: string, args: WorkerPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super("oomerfarm:index:WorkerPool", name, {}, opts);
    const { pool } = args;
    const site = backendFor(pool.cloud).workerSite(name, {
      farmName: args.farmName,
      network: args.network,
      poolName: pool.name,
      location: pool.location,
      serverType: pool.serverType,
      image: args.image,
      nebulaPort: args.nebulaPort,
      spot: pool.spot,
      spotMaxPrice: pool.spotMaxPrice,
      spotMaxPriceKey: pool.spotMaxPriceKey,
      sshPublicKey: args.sshPublicKey,
      labels: { ...args.labels, "oomerfarm-role": "worker", "oomerfarm-pool": pool.name },
      idleGuard: args.idleGuard,
    }, this);
    this.workers = [];
    for (let i = 0; i < pool.count; i++) {
      const slot = pool.firstSlot + i;
      const workerName = workerSlotName(slot);
      const boot = workerBoot(args.facts, args.ca, workerName, args.farmName);
      const server = site.launch(workerName, renderWhole(boot), boot);
      this.workers.push({ name: workerName, slot, overlayIp: args.addresses.workerSlot(slot), publicIp: server.publicIp });
    }
    this.registerOutputs({
      workers: this.workers.map((w) => ({ name: w.name, slot: w.slot, overlayIp: w.overlayIp, publicIp: w.publicIp })),
    });
  }
}
