// What every AWS host of the farm in one region shares: an explicit provider for the region,
// the network (a VPC with one public subnet made by the stack, or the existing VPC/subnet
// from config), the private bucket that holds the boot payloads, the SSH key pair and the AMI.
// Made once per region, at the stack's top level (no parent), named by region: adding,
// growing or removing one pool never renames or changes them for the others.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { ConfigError, Image } from "../../lib/config";
import { FarmNetwork } from "./types";
import { parseCidr } from "../../nebula/ipv4";
import { amiQuery } from "./awsImages";

export interface AwsRegion {
  region: string;
  provider: aws.Provider;
  vpcId: pulumi.Output<string>;
  subnetId: pulumi.Output<string>;
  availabilityZone: pulumi.Output<string>;
  bucket: aws.s3.Bucket;
  keyName: pulumi.Output<string>;
  ami(image: Image): pulumi.Output<string>;
}

/** Network of a stack-made VPC: never overlapping the Nebula overlay (routes would clash). */
const VPC_CANDIDATES = ["10.240.0.0/16", "172.31.0.0/16", "192.168.0.0/16"];

export function vpcCidrFor(overlayCidr: string): string {
  const o = parseCidr(overlayCidr);
  if (typeof o === "string") return VPC_CANDIDATES[0];
  const overlaps = (c: string) => {
    const v = parseCidr(c);
    if (typeof v === "string") return true;
    const prefix = Math.min(v.prefix, o.prefix);
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    return ((v.network & mask) >>> 0) === ((o.network & mask) >>> 0);
  };
  const free = VPC_CANDIDATES.find((c) => !overlaps(c));
  if (!free) throw new Error(`no VPC range left that avoids the overlay ${overlayCidr}`);
  return free;
}

/** /20 at the start of the VPC: 4,091 addresses for one farm's hosts. */
export function subnetCidrFor(vpcCidr: string): string {
  return vpcCidr.replace(/\/16$/, "/20");
}

/**
 * A config error found while the program builds resources: exit 2 with one line in `npm run plan`
 * (it is a ConfigError), and no stack trace under the Pulumi CLI (pulumi.RunError's marker).
 */
export function configError(key: string, value: unknown, allowed: string): ConfigError {
  const err = new ConfigError(key, value, allowed);
  (err as unknown as Record<string, unknown>).__pulumiRunError = true;
  return err;
}

const regions = new Map<string, AwsRegion>();

function tags(farmName: string, name: string): Record<string, string> {
  return { "oomerfarm-farm": farmName, Name: name };
}

export function awsRegion(farmName: string, region: string, sshPublicKey: pulumi.Input<string>, network: FarmNetwork): AwsRegion {
  const known = regions.get(region);
  if (known) return known;
  const cfg = network;
  const n = (what: string) => `aws-${region}-${what}`;
  const awsConfig = new pulumi.Config("aws");
  const provider = new aws.Provider(`aws-${region}`, { region, profile: awsConfig.get("profile") });
  const opts = { provider };

  let vpcId: pulumi.Output<string>;
  let subnetId: pulumi.Output<string>;
  let availabilityZone: pulumi.Output<string>;
  if (cfg.awsVpcId && cfg.awsSubnetId) {
    const wantVpc = cfg.awsVpcId;
    const subnet = aws.ec2.getSubnetOutput({ id: cfg.awsSubnetId }, { provider });
    vpcId = subnet.vpcId.apply((v) => {
      if (v !== wantVpc) throw configError("awsSubnetId", cfg.awsSubnetId, `lies in ${v}, not in awsVpcId ${wantVpc}`);
      return v;
    });
    subnetId = pulumi.output(cfg.awsSubnetId);
    availabilityZone = subnet.availabilityZone;
  } else {
    const cidr = vpcCidrFor(cfg.overlayCidr);
    const vpc = new aws.ec2.Vpc(n("vpc"), { cidrBlock: cidr, enableDnsSupport: true, enableDnsHostnames: true, tags: tags(farmName, farmName) }, opts);
    const subnet = new aws.ec2.Subnet(n("subnet"), {
      vpcId: vpc.id,
      cidrBlock: subnetCidrFor(cidr),
      // Pinned, so the plan is deterministic and the hub's volume can follow it.
      availabilityZone: `${region}a`,
      mapPublicIpOnLaunch: true,
      tags: tags(farmName, `${farmName}-public`),
    }, opts);
    const igw = new aws.ec2.InternetGateway(n("igw"), { vpcId: vpc.id, tags: tags(farmName, farmName) }, opts);
    const routes = new aws.ec2.RouteTable(n("routes"), {
      vpcId: vpc.id,
      routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: tags(farmName, `${farmName}-public`),
    }, opts);
    new aws.ec2.RouteTableAssociation(n("routes-subnet"), { subnetId: subnet.id, routeTableId: routes.id }, opts);
    vpcId = vpc.id;
    subnetId = subnet.id;
    availabilityZone = subnet.availabilityZone;
  }

  // Private: only the farm's instance roles read it (each its own object). forceDestroy: a
  // `pulumi destroy` leaves no bucket behind even if an object was added by hand.
  const bucket = new aws.s3.Bucket(n("boot"), {
    bucketPrefix: `${farmName.slice(0, 24).replace(/-+$/, "")}-boot-`,
    forceDestroy: true,
    tags: tags(farmName, `${farmName}-boot`),
  }, opts);
  new aws.s3.BucketPublicAccessBlock(n("boot-private"), {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  }, opts);

  const key = new aws.ec2.KeyPair(n("ssh"), {
    keyNamePrefix: `${farmName}-`,
    publicKey: pulumi.unsecret(pulumi.output(sshPublicKey)),
    tags: tags(farmName, farmName),
  }, opts);

  const amis = new Map<Image, pulumi.Output<string>>();
  const entry: AwsRegion = {
    region,
    provider,
    vpcId,
    subnetId,
    availabilityZone,
    bucket,
    keyName: key.keyName,
    ami(image: Image) {
      let id = amis.get(image);
      if (!id) {
        id = aws.ec2.getAmiOutput(amiQuery(image), { provider }).id;
        amis.set(image, id);
      }
      return id;
    },
  };
  regions.set(region, entry);
  return entry;
}
