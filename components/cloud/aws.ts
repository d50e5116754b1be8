// AWS backend: the hub on EC2 behind an Elastic IP that outlives it, an encrypted EBS data
// volume kept on destroy when keepData is on, workers as (by default) one-time spot
// instances. Security groups open only Nebula (and SSH to the hub). User data is split
// (awsBoot.ts): secrets in the user data, the boot code in the region's private bucket, read
// by each site's instance role for just its own object.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { Image } from "../../lib/config";
import { isIpv6Cidr } from "../../nebula/ipv4";
import { splitBoot, SplitBoot } from "./awsBoot";
import { AwsRegion, awsRegion } from "./awsRegion";
import { checkSpotPrice, spotMarketOptions } from "./awsSpot";
import { CloudBackend, HostBoot, HubLaunchArgs, HubSite, HubSiteArgs, WorkerSite, WorkerSiteArgs } from "./types";

/** Root disks: the OS, Deadline's client and the renderers (workers), logs. */
export const ROOT_GB = { hub: 20, worker: 30 } as const;
export const DATA_DEVICE_NAME = "/dev/sdf";

/** How a Nitro instance names an EBS volume: the NVMe serial is the volume id without '-'. */
export function nvmeDevicePath(volumeId: string): string {
  return `/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volumeId.replace(/^vol-/, "vol")}`;
}

const nebulaIngress = (port: number): aws.types.input.ec2.SecurityGroupIngress => ({
  protocol: "udp", fromPort: port, toPort: port, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"], description: "Nebula",
});

const allEgress: aws.types.input.ec2.SecurityGroupEgress[] = [
  { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"], description: "all outbound" },
];

/** IMDSv2 only, one hop: the host's own processes reach it, containers and forwarded packets do not. */
const METADATA: aws.types.input.ec2.InstanceMetadataOptions = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 };

function rootDisk(gb: number, tags: Record<string, string>): aws.types.input.ec2.InstanceRootBlockDevice {
  return { encrypted: true, volumeType: "gp3", volumeSize: gb, deleteOnTermination: true, tags };
}

/** What every instance of the farm has: hardened metadata, encrypted root, its own boot split. */
function instanceBase(r: AwsRegion, sg: aws.ec2.SecurityGroup, profile: aws.iam.InstanceProfile, split: pulumi.Output<SplitBoot>, image: Image, instanceType: string, rootGb: number, rootTags: Record<string, string>): aws.ec2.InstanceArgs {
  return {
    ami: r.ami(image),
    instanceType,
    subnetId: r.subnetId,
    vpcSecurityGroupIds: [sg.id],
    associatePublicIpAddress: true,
    keyName: r.keyName,
    iamInstanceProfile: profile.name,
    userDataBase64: userDataOf(split),
    userDataReplaceOnChange: true,
    metadataOptions: METADATA,
    rootBlockDevice: rootDisk(rootGb, rootTags),
  };
}

/** An instance role and profile for one site; what it may read is added with its payload. */
function siteRole(name: string, farmName: string, labels: Record<string, string>, opts: pulumi.CustomResourceOptions) {
  const role = new aws.iam.Role(`${name}-role`, {
    namePrefix: `${farmName.slice(0, 20)}-${name.slice(0, 12)}-`,
    description: `oomerfarm ${farmName} ${name}: read its boot payload`,
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
    tags: labels,
  }, opts);
  const profile = new aws.iam.InstanceProfile(`${name}-profile`, { namePrefix: `${farmName.slice(0, 20)}-${name.slice(0, 12)}-`, role: role.name, tags: labels }, opts);
  return { role, profile };
}

/**
 * The site's payload object and the role's permission to read exactly that object, made once
 * per site from the first host's boot (every host of a site has the same payload).
 */
function placePayload(name: string, r: AwsRegion, split: pulumi.Output<SplitBoot>, role: aws.iam.Role, labels: Record<string, string>, opts: pulumi.CustomResourceOptions): pulumi.Resource[] {
  // The payload is our open boot code only (hostFiles keeps secrets in `files`): not secret.
  const key = pulumi.unsecret(split.apply((s) => s.source.key));
  const object = new aws.s3.BucketObjectv2(`${name}-payload`, {
    bucket: r.bucket.id,
    key,
    contentBase64: pulumi.unsecret(split.apply((s) => s.payload.tgz.toString("base64"))),
    contentType: "application/gzip",
    tags: labels,
  }, opts);
  const policy = new aws.iam.RolePolicy(`${name}-payload-read`, {
    role: role.id,
    policy: pulumi.all([r.bucket.arn, key]).apply(([arn, k]) => JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `${arn}/${k}` }],
    })),
  }, opts);
  return [object, policy];
}

/**
 * What the idle guard on the hub may do with the hub's instance role: list instances (EC2 cannot
 * scope DescribeInstances to resources), and stop or terminate only instances tagged as this
 * farm's workers in the workers' regions. The role cannot tag anything, so it cannot make the
 * hub (or anything else) look like a worker.
 */
export function idleGuardPolicy(farmName: string, workerRegions: string[]): object {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ListInstances", Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" },
      {
        Sid: "StopOrTerminateThisFarmsWorkers",
        Effect: "Allow",
        Action: ["ec2:StopInstances", "ec2:TerminateInstances"],
        Resource: [...new Set(workerRegions)].map((region) => `arn:aws:ec2:${region}:*:instance/*`),
        Condition: { StringEquals: { "aws:ResourceTag/oomerfarm-farm": farmName, "aws:ResourceTag/oomerfarm-role": "worker" } },
      },
    ],
  };
}

function splitFor(name: string, r: AwsRegion, boot: pulumi.Output<HostBoot>): pulumi.Output<SplitBoot> {
  return pulumi.all([boot, r.bucket.bucket]).apply(([b, bucket]) => splitBoot(b, { bucket, region: r.region, keyPrefix: `boot/${name}` }));
}

const userDataOf = (split: pulumi.Output<SplitBoot>) => pulumi.secret(split.apply((s) => s.userData.toString("base64")));

export const awsBackend: CloudBackend = {
  hubSite(name: string, args: HubSiteArgs, parent: pulumi.Resource): HubSite {
    const r = awsRegion(args.farmName, args.location, args.sshPublicKey, args.network);
    const opts: pulumi.CustomResourceOptions = { parent, provider: r.provider };
    const tag = (what: string) => ({ ...args.labels, Name: `${args.farmName}-${what}` });
    const ingress = [nebulaIngress(args.nebulaPort)];
    const v4 = args.sshAllowedCidrs.filter((c) => !isIpv6Cidr(c));
    const v6 = args.sshAllowedCidrs.filter((c) => isIpv6Cidr(c));
    if (args.sshAllowedCidrs.length > 0) {
      ingress.push({ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: v4, ipv6CidrBlocks: v6, description: "SSH (key only)" });
    }
    const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
      vpcId: r.vpcId, description: "oomerfarm hub: Nebula, SSH", ingress, egress: allEgress, tags: tag("hub"),
    }, opts);
    // Allocated apart from the instance, so a replaced hub keeps its address (Nebula's lighthouse).
    const eip = new aws.ec2.Eip(`${name}-ip`, { domain: "vpc", tags: tag("hub") }, opts);
    const volume = new aws.ebs.Volume(`${name}-data`, {
      availabilityZone: r.availabilityZone,
      size: args.dataVolumeGb,
      type: "gp3",
      encrypted: true,
      tags: tag("data"),
    }, { ...opts, retainOnDelete: args.keepData });
    const { role, profile } = siteRole(name, args.farmName, args.labels, opts);
    if (args.idleGuard) {
      new aws.iam.RolePolicy(`${name}-idle-guard-policy`, {
        role: role.id,
        policy: JSON.stringify(idleGuardPolicy(args.farmName, args.idleGuard.workerLocations)),
      }, opts);
    }
    return {
      publicIp: eip.publicIp,
      dataDevice: volume.id.apply(nvmeDevicePath),
      launch(launch: HubLaunchArgs) {
        const split = splitFor(name, r, launch.boot);
        const placed = placePayload(name, r, split, role, args.labels, opts);
        const server = new aws.ec2.Instance(`${name}-server`, {
          ...instanceBase(r, sg, profile, split, launch.image, launch.serverType, ROOT_GB.hub, tag("hub-root")),
          tags: tag("hub"),
        }, {
          ...opts,
          dependsOn: placed,
          // The old hub lets go of the volume and the address before the new one takes them;
          // a newer AMI alone does not replace it (as on Hetzner, the image is read at creation).
          deleteBeforeReplace: true,
          ignoreChanges: ["ami"],
        });
        const association = new aws.ec2.EipAssociation(`${name}-ip-association`, { allocationId: eip.id, instanceId: server.id }, { ...opts, deleteBeforeReplace: true });
        const attachment = new aws.ec2.VolumeAttachment(`${name}-data-attachment`, {
          deviceName: DATA_DEVICE_NAME,
          volumeId: volume.id,
          instanceId: server.id,
          // Stop the old hub first so its filesystem is unmounted cleanly on replacement.
          stopInstanceBeforeDetaching: true,
        }, { ...opts, deleteBeforeReplace: true });
        return { serverId: server.id, readyAfter: [server, association, attachment] };
      },
    };
  },

  workerSite(name: string, args: WorkerSiteArgs, parent: pulumi.Resource): WorkerSite {
    // Validate before any resource exists: a bad cap stops the program with one line.
    const spot = args.spot ? checkSpotPrice(args.spotMaxPriceKey, args.location, args.serverType, args.spotMaxPrice) : undefined;
    const r = awsRegion(args.farmName, args.location, args.sshPublicKey, args.network);
    const opts: pulumi.CustomResourceOptions = { parent, provider: r.provider };
    if (spot?.warning) pulumi.log.warn(spot.warning, parent);
    // Workers take SSH only over the overlay, from bosses: the public side opens Nebula alone.
    const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
      vpcId: r.vpcId,
      description: "oomerfarm worker: Nebula",
      ingress: [nebulaIngress(args.nebulaPort)],
      egress: allEgress,
      tags: { ...args.labels, Name: `${args.farmName}-${args.poolName}` },
    }, opts);
    const { role, profile } = siteRole(name, args.farmName, args.labels, opts);
    let placed: pulumi.Resource[] | undefined;
    return {
      launch(workerName: string, _userData: pulumi.Output<string>, boot: pulumi.Output<HostBoot>) {
        const split = splitFor(name, r, boot);
        placed ??= placePayload(name, r, split, role, args.labels, opts);
        const tags = { ...args.labels, "oomerfarm-worker": workerName, Name: `${args.farmName}-${workerName}` };
        const server = new aws.ec2.Instance(`${name}-${workerName}`, {
          ...instanceBase(r, sg, profile, split, args.image, args.serverType, ROOT_GB.worker, tags),
          tags,
          ...(spot ? { instanceMarketOptions: spotMarketOptions(spot), instanceInitiatedShutdownBehavior: "terminate" } : {}),
        }, { ...opts, dependsOn: placed, ignoreChanges: ["ami"] });
        if (args.idleGuard && !spot) {
          // The idle guard stops on-demand workers behind Pulumi's back, and an Instance alone
          // never starts a stopped one: this power state does, on `pulumi refresh && pulumi up`.
          // (Spot workers are terminated instead, and refresh + up makes them anew.)
          new aws.ec2transitgateway.InstanceState(`${name}-${workerName}-running`, { instanceId: server.id, state: "running" }, opts);
        }
        return { serverId: server.id, publicIp: server.publicIp };
      },
    };
  },
};
