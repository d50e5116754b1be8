// Hetzner Cloud backend: a primary IPv4 that outlives the hub server, a volume that outlives
// `pulumi destroy` when keepData is on, and firewalls that open only Nebula (and SSH to the hub).
import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import { CloudBackend, HubLaunchArgs, HubSite, HubSiteArgs, WorkerSite, WorkerSiteArgs } from "./types";

const nebulaRule = (port: number): hcloud.types.input.FirewallRule => ({
  direction: "in", protocol: "udp", port: String(port), sourceIps: ["0.0.0.0/0", "::/0"], description: "Nebula",
});

/**
 * One SSH key per farm: Hetzner refuses a second key with the same fingerprint in a project, so
 * the hub and every pool share this one (made at the top level, like the AWS region resources).
 */
const farmKeys = new Map<string, hcloud.SshKey>();
function farmSshKey(farmName: string, publicKey: pulumi.Input<string>): hcloud.SshKey {
  let key = farmKeys.get(farmName);
  if (!key) {
    key = new hcloud.SshKey("hcloud-ssh", { name: farmName, publicKey, labels: { "oomerfarm-farm": farmName } });
    farmKeys.set(farmName, key);
  }
  return key;
}

export const hcloudBackend: CloudBackend = {
  hubSite(name: string, args: HubSiteArgs, parent: pulumi.Resource): HubSite {
    const opts = { parent };
    const key = farmSshKey(args.farmName, args.sshPublicKey);
    const ip = new hcloud.PrimaryIp(`${name}-ipv4`, {
      name: `${args.farmName}-hub`,
      type: "ipv4",
      assigneeType: "server",
      location: args.location,
      autoDelete: false,
      labels: args.labels,
    }, opts);
    const rules: hcloud.types.input.FirewallRule[] = [nebulaRule(args.nebulaPort)];
    if (args.sshAllowedCidrs.length > 0) {
      rules.push({ direction: "in", protocol: "tcp", port: "22", sourceIps: args.sshAllowedCidrs, description: "SSH (key only)" });
    }
    const firewall = new hcloud.Firewall(`${name}-firewall`, { name: `${args.farmName}-hub`, rules, labels: args.labels }, opts);
    const volume = new hcloud.Volume(`${name}-data`, {
      name: `${args.farmName}-data`,
      size: args.dataVolumeGb,
      location: args.location,
      labels: args.labels,
      deleteProtection: args.keepData,
    }, { ...opts, retainOnDelete: args.keepData });
    return {
      publicIp: ip.ipAddress,
      dataDevice: pulumi.interpolate`/dev/disk/by-id/scsi-0HC_Volume_${volume.id}`,
      launch(launch: HubLaunchArgs) {
        const server = new hcloud.Server(`${name}-server`, {
          name: `${args.farmName}-hub`,
          serverType: launch.serverType,
          image: launch.image,
          location: args.location,
          sshKeys: [key.id],
          userData: pulumi.secret(launch.userData),
          publicNets: [{ ipv4Enabled: true, ipv4: ip.id.apply(Number), ipv6Enabled: true }],
          firewallIds: [firewall.id.apply(Number)],
          labels: args.labels,
          // Replacing the hub must not delete its address before the new server takes it.
          shutdownBeforeDeletion: true,
        }, { ...opts, deleteBeforeReplace: true });
        const attachment = new hcloud.VolumeAttachment(`${name}-data-attachment`, {
          serverId: server.id.apply(Number),
          volumeId: volume.id.apply(Number),
          automount: false,
        }, opts);
        return { serverId: server.id, readyAfter: [server, attachment] };
      },
    };
  },

  workerSite(name: string, args: WorkerSiteArgs, parent: pulumi.Resource): WorkerSite {
    const opts = { parent };
    const key = farmSshKey(args.farmName, args.sshPublicKey);
    // Workers take SSH only over the overlay, from bosses: the public side opens Nebula alone.
    const firewall = new hcloud.Firewall(`${name}-firewall`, { name: `${args.farmName}-${args.poolName}`, rules: [nebulaRule(args.nebulaPort)], labels: args.labels }, opts);
    return {
      launch(workerName: string, userData: pulumi.Output<string>) {
        const server = new hcloud.Server(`${name}-${workerName}`, {
          name: `${args.farmName}-${workerName}`,
          serverType: args.serverType,
          image: args.image,
          location: args.location,
          sshKeys: [key.id],
          userData: pulumi.secret(userData),
          publicNets: [{ ipv4Enabled: true, ipv6Enabled: true }],
          firewallIds: [firewall.id.apply(Number)],
          labels: { ...args.labels, "oomerfarm-worker": workerName },
        }, opts);
        return { serverId: server.id, publicIp: server.ipv4Address };
      },
    };
  },
};
