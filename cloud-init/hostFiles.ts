// Every file a hub or worker boots with, as a pure function of the farm's facts and the host's
// identity. The cloud-config, the offline plan and the in-house keybundle all start here.
import * as fs from "fs";
import * as path from "path";
import { BootFile, renderCloudConfig } from "./cloudConfig";
import { bootFiles, RUN_STEPS } from "./bootFiles";
import { PAYLOAD_PATH, packForTransport } from "./payload";
import { renderEnvFile } from "./farmEnv";
import { renderMongodConf } from "./mongodConf";
import { renderSmbConf } from "./smbConf";
import { BELLA, BLENDER, DEADLINE, MONGODB, NEBULA, SAMPLE_SCENE } from "./pins";
import { renderNebulaConfig } from "../nebula/config";
import { MONGODB_PORT } from "../nebula/firewall";

export const PATHS = {
  dataMount: "/srv/oomerfarm",
  repositoryDir: "/mnt/DeadlineRepository10",
  shareDir: "/mnt/oomerfarm",
  nebulaDir: "/etc/nebula",
  secretsDir: "/etc/oomerfarm/secrets",
  tlsCa: "/etc/oomerfarm/tls/ca.crt",
  deadlineCustom: "/usr/local/lib/oomerfarm/deadline-custom",
} as const;

export const SAMBA_USER = "oomerfarm";
export const SAMBA_UID = 3000;

/** What every host of one farm shares. */
export interface FarmFacts {
  farmName: string;
  overlayPrefix: number;
  overlayCidr: string;
  hubOverlayIp: string;
  hubPublicIp: string;
  nebulaPort: number;
  renderers: string[];
  nebulaCaPem: string;
  tlsCaPem: string;
  sambaPassword: string;
  deadlineClientPfxBase64: string;
  deadlineClientPfxPassphrase: string;
}

export interface HostIdentity {
  name: string;
  overlayIp: string;
  certPem: string;
  keyPem: string;
}

export interface HubSecrets {
  mongodbServerPem: string;
  mongodbAdminPassword: string;
  mongodbDeadlinePassword: string;
  /** block device of the data volume; "" = use the root disk */
  dataDevice: string;
}

function farmEnv(facts: FarmFacts, host: HostIdentity, role: "hub" | "worker", dataDevice = ""): string {
  return renderEnvFile({
    FARM_NAME: facts.farmName,
    ROLE: role,
    HOST_NAME: host.name,
    OVERLAY_IP: host.overlayIp,
    OVERLAY_PREFIX: facts.overlayPrefix,
    OVERLAY_CIDR: facts.overlayCidr,
    HUB_OVERLAY_IP: facts.hubOverlayIp,
    HUB_PUBLIC_IP: facts.hubPublicIp,
    NEBULA_PORT: facts.nebulaPort,
    NEBULA_VERSION: NEBULA.version,
    NEBULA_URL: NEBULA.url,
    NEBULA_SHA256: NEBULA.sha256,
    DEADLINE_VERSION: DEADLINE.version,
    DEADLINE_URL: DEADLINE.url,
    DEADLINE_SHA256: DEADLINE.sha256,
    MONGODB_VERSION: MONGODB.el8.version,
    MONGODB_PORT: MONGODB_PORT,
    MONGODB_URL_EL8: MONGODB.el8.url,
    MONGODB_SHA256_EL8: MONGODB.el8.sha256,
    MONGODB_URL_EL9: MONGODB.el9.url,
    MONGODB_SHA256_EL9: MONGODB.el9.sha256,
    MONGODB_URL_UBUNTU2204: MONGODB.ubuntu2204.url,
    MONGODB_SHA256_UBUNTU2204: MONGODB.ubuntu2204.sha256,
    SAMBA_USER,
    SAMBA_UID,
    DATA_DEVICE: dataDevice,
    DATA_MOUNT: PATHS.dataMount,
    REPOSITORY_DIR: PATHS.repositoryDir,
    SHARE_DIR: PATHS.shareDir,
    RENDERERS: facts.renderers.join(" "),
    BELLA_VERSION: BELLA.version,
    BELLA_URL: BELLA.url,
    BELLA_SHA256: BELLA.sha256,
    BLENDER_VERSION: BLENDER.version,
    BLENDER_URL: BLENDER.url,
    BLENDER_SHA256: BLENDER.sha256,
    SCENE_URL: SAMPLE_SCENE.url,
    SCENE_SHA256: SAMPLE_SCENE.sha256,
  });
}

function commonFiles(facts: FarmFacts, host: HostIdentity, role: "hub" | "worker", dataDevice?: string): BootFile[] {
  const s = PATHS.secretsDir;
  return [
    { path: "/etc/oomerfarm/farm.env", content: farmEnv(facts, host, role, dataDevice), permissions: "0644" },
    { path: `${s}/samba.password`, content: facts.sambaPassword, permissions: "0600" },
    { path: `${s}/deadline-client.pfx`, content: facts.deadlineClientPfxBase64, encoding: "base64", permissions: "0600" },
    { path: `${s}/deadline-client.pfx.password`, content: facts.deadlineClientPfxPassphrase, permissions: "0600" },
    { path: PATHS.tlsCa, content: facts.tlsCaPem, permissions: "0644" },
    { path: `${PATHS.nebulaDir}/ca.crt`, content: facts.nebulaCaPem, permissions: "0644" },
    { path: `${PATHS.nebulaDir}/host.crt`, content: host.certPem, permissions: "0644" },
    { path: `${PATHS.nebulaDir}/host.key`, content: host.keyPem, permissions: "0600" },
    {
      path: `${PATHS.nebulaDir}/config.yml`,
      content: renderNebulaConfig({
        role,
        pkiDir: PATHS.nebulaDir,
        hubOverlayIp: facts.hubOverlayIp,
        hubEndpoint: `${facts.hubPublicIp}:${facts.nebulaPort}`,
        listenPort: facts.nebulaPort,
      }),
      permissions: "0600",
    },
  ];
}

let deadlineCustomCache: BootFile[] | undefined;

/** Our Deadline plugin tree (deadline/custom), which workers copy into the repository. */
function deadlineCustomFiles(): BootFile[] {
  if (!deadlineCustomCache) {
    const root = path.join(__dirname, "..", "deadline", "custom");
    const out: BootFile[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== "__pycache__") walk(full);
        } else if (!entry.name.endsWith(".pyc")) {
          out.push({ path: `${PATHS.deadlineCustom}/${path.relative(root, full)}`, content: fs.readFileSync(full, "utf8"), permissions: "0644" });
        }
      }
    };
    if (fs.existsSync(root)) walk(root);
    deadlineCustomCache = out;
  }
  return deadlineCustomCache;
}

const payloads = new Map<string, BootFile[]>();

/** The code every host of a role boots with; one list per kind, so it is packed only once. */
function rolePayload(role: "hub" | "worker", withPlugins: boolean): BootFile[] {
  const key = `${role}/${withPlugins}`;
  let files = payloads.get(key);
  if (!files) {
    files = [...bootFiles(role), ...(withPlugins ? deadlineCustomFiles() : [])];
    payloads.set(key, files);
  }
  return files;
}

/** A host's files: `files` differ per host or farm; `payload` is the same code on every host of a role. */
export interface HostFiles {
  files: BootFile[];
  payload: BootFile[];
}

export function hubFiles(facts: FarmFacts, hub: HostIdentity, secrets: HubSecrets): HostFiles {
  const s = PATHS.secretsDir;
  const files: BootFile[] = [
    ...commonFiles(facts, hub, "hub", secrets.dataDevice),
    { path: `${s}/mongodb-server.pem`, content: secrets.mongodbServerPem, permissions: "0600" },
    { path: `${s}/mongodb-admin.password`, content: secrets.mongodbAdminPassword, permissions: "0600" },
    { path: `${s}/mongodb-deadline.password`, content: secrets.mongodbDeadlinePassword, permissions: "0600" },
    {
      path: "/etc/samba/smb.conf",
      content: renderSmbConf({ overlayIp: facts.hubOverlayIp, overlayPrefix: facts.overlayPrefix, repositoryDir: PATHS.repositoryDir, shareDir: PATHS.shareDir, user: SAMBA_USER }),
      permissions: "0644",
    },
    {
      path: "/etc/mongod.conf",
      content: renderMongodConf({
        overlayIp: facts.hubOverlayIp,
        port: MONGODB_PORT,
        dbPath: `${PATHS.dataMount}/mongodb`,
        logPath: "/var/log/mongodb/mongod.log",
        serverPemPath: `${s}/mongodb-server.pem`,
        caPath: PATHS.tlsCa,
      }),
      permissions: "0644",
    },
  ];
  return { files, payload: rolePayload("hub", false) };
}

export function workerFiles(facts: FarmFacts, worker: HostIdentity): HostFiles {
  // The Deadline plugins ride with the workers: the hub's user data has no room left for them.
  return { files: commonFiles(facts, worker, "worker"), payload: rolePayload("worker", facts.renderers.includes("bella")) };
}

/** The cloud-config a server receives: its files, the payload, then the boot steps. */
export function hostCloudConfig(hostname: string, role: "hub" | "worker", host: HostFiles): string {
  const payload = packForTransport(host.payload);
  return renderCloudConfig({
    hostname,
    files: [...host.files, { path: PAYLOAD_PATH, content: payload, permissions: "0600" }],
    runcmd: [["tar", "-xzf", PAYLOAD_PATH, "-C", "/", "--no-same-owner"], [RUN_STEPS, role]],
  });
}
