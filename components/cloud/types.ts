// The seam between the farm and a cloud: the Hub and WorkerPool components speak only this.
// A backend (hcloud.ts, aws.ts) turns it into that cloud's resources.
import * as pulumi from "@pulumi/pulumi";
import { Image } from "../../lib/config";
import { HostFiles } from "../../cloud-init/hostFiles";

/**
 * What a host boots with, before it is rendered for a cloud. Clouds that take the whole
 * cloud-config (Hetzner, 32 KiB) use `userData`; AWS (16 KB) splits `host.payload` off into
 * an object the host fetches (see aws.ts).
 */
export interface HostBoot {
  hostname: string;
  role: "hub" | "worker";
  host: HostFiles;
}

/** Where a cloud's hosts live; only AWS reads the VPC fields. */
export interface FarmNetwork {
  /** the Nebula overlay: a cloud network made by the stack must not overlap it */
  overlayCidr: string;
  awsVpcId?: string;
  awsSubnetId?: string;
}

export interface HubSiteArgs {
  farmName: string;
  network: FarmNetwork;
  location: string;
  dataVolumeGb: number;
  keepData: boolean;
  nebulaPort: number;
  sshAllowedCidrs: string[];
  sshPublicKey: pulumi.Input<string>;
  labels: Record<string, string>;
  /**
   * The idle guard is on: the hub's credential must reach the workers. AWS gives the hub's
   * instance role DescribeInstances plus Stop/TerminateInstances on this farm's workers in
   * these locations (regions); Hetzner uses a token the guard gets over SSH, so ignores it.
   */
  idleGuard?: { workerLocations: string[] };
}

/** What exists before the hub server: its stable address and data volume. */
export interface HubSite {
  publicIp: pulumi.Output<string>;
  /** block device path of the data volume as the server will see it */
  dataDevice: pulumi.Output<string>;
  launch(args: HubLaunchArgs): HubServer;
}

export interface HubLaunchArgs {
  serverType: string;
  image: Image;
  /** the cloud-config; passed as a secret */
  userData: pulumi.Output<string>;
  /** the same boot before rendering (secret) */
  boot: pulumi.Output<HostBoot>;
}

export interface HubServer {
  serverId: pulumi.Output<string>;
  /** resources the readiness wait must follow (server, volume attachment, address) */
  readyAfter: pulumi.Resource[];
}

export interface WorkerSiteArgs {
  farmName: string;
  network: FarmNetwork;
  poolName: string;
  location: string;
  serverType: string;
  image: Image;
  nebulaPort: number;
  spot: boolean;
  spotMaxPrice?: number;
  /** the setting that holds spotMaxPrice, for messages (workerSpotMaxPrice or workerPools[i].spotMaxPrice) */
  spotMaxPriceKey: string;
  sshPublicKey: pulumi.Input<string>;
  labels: Record<string, string>;
  /**
   * The idle guard may stop these workers behind Pulumi's back: AWS then keeps on-demand
   * workers' power state as a resource, so `pulumi refresh && pulumi up` starts them again.
   */
  idleGuard: boolean;
}

/** Per-pool shared resources (firewall, network); workers are launched into it one by one. */
export interface WorkerSite {
  /** userData: the whole cloud-config; boot: the same before rendering (both secret) */
  launch(name: string, userData: pulumi.Output<string>, boot: pulumi.Output<HostBoot>): WorkerServer;
}

export interface WorkerServer {
  serverId: pulumi.Output<string>;
  publicIp: pulumi.Output<string>;
}

export interface CloudBackend {
  hubSite(name: string, args: HubSiteArgs, parent: pulumi.Resource): HubSite;
  workerSite(name: string, args: WorkerSiteArgs, parent: pulumi.Resource): WorkerSite;
}
