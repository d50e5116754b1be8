// oomerfarm: a render farm of your own. Reads the stack's config, issues the farm's PKI and
// credentials, then builds the hub and the worker pools. Outputs are what `npm run join` and
// `pulumi stack output` show.
import * as pulumi from "@pulumi/pulumi";
import { readFarmConfig, farmNameFromStack } from "./lib/pulumiConfig";
import { NebulaCA } from "./components/NebulaCA";
import { FarmCredentials, FarmSecretValues } from "./components/FarmCredentials";
import { Hub, HUB_SHARES } from "./components/Hub";
import { WorkerPool } from "./components/WorkerPool";
import { PATHS } from "./cloud-init/hostFiles";
import { buildInhouseBundle } from "./cloud-init/inhouseBundle";
import { workerSlotName } from "./nebula/addressPlan";
import { estimateFarmCost } from "./lib/farmCost";

const config = readFarmConfig();
const farmName = farmNameFromStack(config.stack);
const labels = { "oomerfarm-farm": farmName };
const hubOverlayIp = config.addresses.hub;
const network = { overlayCidr: config.vpnCidr, awsVpcId: config.awsVpcId, awsSubnetId: config.awsSubnetId };

const ca = new NebulaCA("nebula", {
  farmName,
  addresses: config.addresses,
  bosses: config.bosses,
  workerCapacity: config.workerCapacity,
  validityDays: config.certValidityDays,
  generation: config.pkiGeneration,
});

const credentials = new FarmCredentials("credentials", {
  farmName,
  hubOverlayIp,
  issuedAt: ca.issuedAt,
  validityDays: config.certValidityDays,
});

const hub = new Hub("hub", {
  farmName,
  network,
  cloud: config.cloud,
  location: config.location,
  serverType: config.hubServerType,
  image: config.image,
  dataVolumeGb: config.dataVolumeGb,
  keepData: config.keepData,
  nebulaPort: config.nebulaPort,
  sshAllowedCidrs: config.sshAllowedCidrs,
  waitForReady: config.waitForReady,
  overlayPrefix: config.addresses.prefix,
  overlayCidr: config.vpnCidr,
  renderers: config.renderers,
  nebulaCaPem: ca.caCertPem,
  identity: ca.host("hub"),
  credentials: credentials.values,
  labels,
  blocklist: ca.fingerprints.apply((fps) => config.revoked.map((name) => fps[name])),
  // Config allows the guard only when every pool is on the hub's cloud; AWS needs no token.
  idleGuard: config.idleMinutes > 0 ? {
    minutes: config.idleMinutes,
    token: config.cloud === "hcloud" ? pulumi.secret(config.idleGuardToken ?? "") : undefined,
    workerLocations: config.pools.map((p) => p.location),
  } : undefined,
});

const pools = config.pools.map((pool) => new WorkerPool(pool.name, {
  farmName,
  network,
  pool,
  addresses: config.addresses,
  image: config.image,
  nebulaPort: config.nebulaPort,
  facts: hub.facts,
  ca,
  sshPublicKey: credentials.sshPublicKey,
  labels,
  idleGuard: config.idleMinutes > 0,
}));

const secretValue = <K extends keyof FarmSecretValues>(key: K) => pulumi.secret(credentials.values.apply((v) => v[key]));

/** Everything the in-house slots boot with, for `npm run keybundle` (empty when there are none). */
function inhouseBundleOutput(): pulumi.Output<string> {
  const range = config.inhouseRange;
  if (!range) return pulumi.output("");
  const slots = Array.from({ length: range.last - range.first + 1 }, (_, i) => range.first + i);
  return pulumi.all([hub.facts, ca.hosts(slots.map(workerSlotName)), ca.host("probe")]).apply(([facts, hosts, probe]) =>
    JSON.stringify(buildInhouseBundle(facts, hosts.map((h, i) => ({ ...h, slot: slots[i] })), probe)));
}

export const farm = farmName;
export const hubPublicIp = hub.publicIp;
export const hubOverlayAddress = hubOverlayIp;
export const hubReady = hub.ready;
export const shares = {
  windows: [`\\\\${hubOverlayIp}\\oomerfarm`, `\\\\${hubOverlayIp}\\DeadlineRepository10`],
  macos: [`smb://${hubOverlayIp}/oomerfarm`, `smb://${hubOverlayIp}/DeadlineRepository10`],
  linux: [`//${hubOverlayIp}/oomerfarm`, `//${hubOverlayIp}/DeadlineRepository10`],
};
export const sambaUser = HUB_SHARES.sambaUser;
export const sambaPassword = secretValue("sambaPassword");
export const deadlineRepository = { onWorkers: PATHS.repositoryDir, share: `\\\\${hubOverlayIp}\\DeadlineRepository10` };
export const mongodbEndpoint = `${hubOverlayIp}:${HUB_SHARES.mongodbPort} (TLS required, authorization on)`;
export const deadlineClientCertificate = { pkcs12Base64: secretValue("deadlineClientPfxBase64"), passphrase: secretValue("deadlineClientPfxPassphrase") };
export const tlsCaCertificate = credentials.tlsCaPem;
export const sshPrivateKey = secretValue("sshPrivateKey");
export const nebula = { caCertificate: ca.caCertPem, hubOverlayIp, hubEndpoint: pulumi.interpolate`${hub.publicIp}:${config.nebulaPort}`, port: config.nebulaPort, cidr: config.vpnCidr };
export const certificatesExpireAt = ca.earliestExpiry;
export const dataVolume = config.keepData
  ? "kept on `pulumi destroy` (keepData is true): delete it in the cloud console when you no longer need the data"
  : "deleted on `pulumi destroy` (keepData is false)";
export const workers = pools.flatMap((p, i) => p.workers.map((w) => ({ name: w.name, pool: config.pools[i].name, overlayIp: w.overlayIp, publicIp: w.publicIp })));
export const bosses = Object.fromEntries(config.bosses.map((name) => {
  const identity = ca.host(name);
  return [name, {
    overlayIp: identity.apply((i) => i.overlayIp),
    certificate: pulumi.unsecret(identity.apply((i) => i.certPem)),
    key: pulumi.secret(identity.apply((i) => i.keyPem)),
  }];
}));

/** Worker slots kept for in-house machines and clones: seal them with `npm run keybundle`. */
export const inhouseSlots = config.inhouseRange ? `${workerSlotName(config.inhouseRange.first)}-${workerSlotName(config.inhouseRange.last)}` : "none";
export const inhouseBundle = pulumi.secret(inhouseBundleOutput());

/** What the farm costs while it runs, from lib/pricing.ts (list prices; see its source and date). */
export const cost = estimateFarmCost(config);
