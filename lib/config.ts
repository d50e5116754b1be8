// The stack's settings: every key typed, defaulted and validated in one place, before any
// resource exists. `SETTINGS` is also the source of README's config reference (a test keeps
// the two in step). Errors are one line: the key, the value and what is allowed.
import { addressPlan, AddressPlan, AddressPlanError, MAX_PREFIX, MIN_PREFIX } from "../nebula/addressPlan";
import { isIpv6Cidr, parseCidr } from "../nebula/ipv4";
import { knownServerTypes, onDemandHourly } from "./pricing";

export type Cloud = "hcloud" | "aws";
export const CLOUDS: readonly Cloud[] = ["hcloud", "aws"];
export const IMAGES = ["alma-8", "alma-9", "rocky-8", "rocky-9", "ubuntu-22.04", "ubuntu-24.04"] as const;
export type Image = (typeof IMAGES)[number];
export const RENDERERS = ["bella", "blender"] as const;
export type Renderer = (typeof RENDERERS)[number];

export const HCLOUD_LOCATIONS = ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"] as const;
export const AWS_REGIONS = [
  "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
  "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1",
  "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-northeast-2", "ap-south-1", "sa-east-1",
] as const;

const DEFAULTS = {
  hcloud: { location: "fsn1", hubServerType: "cx22", workerServerType: "cpx51" },
  aws: { location: "eu-central-1", hubServerType: "t3.medium", workerServerType: "c6a.8xlarge" },
} as const;

export interface WorkerPoolConfig {
  name: string;
  cloud: Cloud;
  location: string;
  serverType: string;
  count: number;
  /** first slot of this pool's reserved range (1-based) */
  firstSlot: number;
  /** size of the reserved range */
  slots: number;
  spot: boolean;
  /** USD per hour; undefined = on-demand price as the cap */
  spotMaxPrice?: number;
  /** the setting spotMaxPrice came from, for messages */
  spotMaxPriceKey: string;
}

export interface FarmConfig {
  stack: string;
  cloud: Cloud;
  location: string;
  hubServerType: string;
  image: Image;
  workerCapacity: number;
  inhouseSlots: number;
  pools: WorkerPoolConfig[];
  /** slots not reserved by any pool: for in-house machines and clones (keybundle) */
  inhouseRange: { first: number; last: number } | undefined;
  vpnCidr: string;
  nebulaPort: number;
  bosses: string[];
  sshAllowedCidrs: string[];
  keepData: boolean;
  dataVolumeGb: number;
  waitForReady: boolean;
  renderers: Renderer[];
  idleMinutes: number;
  idleGuardToken?: string;
  revoked: string[];
  pkiGeneration: number;
  certValidityDays: number;
  awsVpcId?: string;
  awsSubnetId?: string;
  addresses: AddressPlan;
}

export class ConfigError extends Error {
  constructor(key: string, value: unknown, allowed: string) {
    const shown = typeof value === "string" ? value : JSON.stringify(value);
    super(`config ${key}=${shown}: ${allowed}`);
    this.name = "ConfigError";
  }
}

export interface SettingDoc {
  key: string;
  type: string;
  default: string;
  description: string;
}

/** The config reference. README's table is generated from this list. */
export const SETTINGS: SettingDoc[] = [
  { key: "cloud", type: "hcloud | aws", default: "hcloud", description: "Cloud of the hub and of the single worker pool (short form)." },
  { key: "location", type: "string", default: "fsn1 (hcloud), eu-central-1 (aws)", description: "Hetzner location (fsn1, nbg1, hel1, ash, hil, sin) or AWS region." },
  { key: "hubServerType", type: "string", default: "cx22 (hcloud EU), cpx21 (hcloud US/SG), t3.medium (aws)", description: "Server/instance type of the hub (MongoDB, Samba, Deadline repository)." },
  { key: "workerServerType", type: "string", default: "cpx51 (hcloud), c6a.8xlarge (aws)", description: "Server/instance type of each worker (short form). Changes in place on Hetzner." },
  { key: "workerCount", type: "integer >= 0", default: "1", description: "Number of cloud workers (short form). 0 is a hub-only farm." },
  { key: "workerCapacity", type: "integer 1-9999", default: "100", description: "Worker certificates pre-issued (the batch). Raising it issues more without touching existing ones." },
  { key: "inhouseSlots", type: "integer >= 0", default: "10", description: "Short form: the top slots of the batch kept for in-house machines and clones (keybundle)." },
  { key: "workerPools", type: "list of pools", default: "(short form)", description: "Long form: [{name, cloud, location, serverType, count, slots, spot, spotMaxPrice}]; each pool reserves `slots` slots in list order." },
  { key: "workerSpot", type: "boolean", default: "true", description: "AWS workers (short form) as spot instances, capped at the on-demand price." },
  { key: "workerSpotMaxPrice", type: "number (USD/h)", default: "on-demand price", description: "Spot price cap; must not exceed on-demand." },
  { key: "image", type: IMAGES.join(" | "), default: "alma-8", description: "Operating system of every server." },
  { key: "vpnCidr", type: `IPv4 CIDR /${MIN_PREFIX}-/${MAX_PREFIX}`, default: "10.87.0.0/16", description: "Nebula overlay network: hub .0.1, bosses .10.x, workers .99.1 upward." },
  { key: "nebulaPort", type: "integer 1-65535", default: "42042", description: "UDP port Nebula listens on (the only port open to the internet on workers)." },
  { key: "bosses", type: "list of names", default: "[boss]", description: "Desktops that join the farm; each gets a certificate (npm run join -- --boss NAME)." },
  { key: "sshAllowedCidrs", type: "list of CIDRs", default: "[0.0.0.0/0, ::/0]", description: "Who may reach the hub's SSH (key only) from the internet. [] closes it (then waitForReady cannot wait)." },
  { key: "keepData", type: "boolean", default: "true", description: "Keep the hub's data volume on `pulumi destroy` (retain on delete)." },
  { key: "dataVolumeGb", type: "integer 10-10240", default: "50", description: "Size of the hub's data volume (shares and database)." },
  { key: "waitForReady", type: "boolean", default: "true", description: "`pulumi up` waits over SSH until the hub's boot finished, and fails with the failing step." },
  { key: "renderers", type: "list of bella | blender", default: "[bella]", description: "Render tools placed on the share by the hub and installed on every worker." },
  { key: "idleMinutes", type: "integer >= 0", default: "0 (off)", description: "Idle guard: remove the workers after this many minutes without Deadline work (Hetzner: delete; AWS: stop on-demand, terminate spot). Workers must be on the hub's cloud." },
  { key: "idleGuardToken", type: "secret string", default: "(none)", description: "Hetzner farms: API token the idle guard uses to delete this farm's workers (set with --secret; best in a project of its own). AWS farms use the hub's instance role instead." },
  { key: "revoked", type: "list of host names", default: "[]", description: "Certificates to block farm-wide (Nebula pki.blocklist), e.g. [worker0003]." },
  { key: "pkiGeneration", type: "integer >= 1", default: "1", description: "Bump to reissue every Nebula key and certificate deliberately." },
  { key: "certValidityDays", type: "integer 30-3650", default: "730", description: "Lifetime of the Nebula CA and host certificates." },
  { key: "awsVpcId", type: "string", default: "(a VPC made by the stack)", description: "Existing VPC to use on AWS (with awsSubnetId)." },
  { key: "awsSubnetId", type: "string", default: "(a subnet made by the stack)", description: "Existing public subnet to use on AWS (with awsVpcId)." },
];

const KNOWN_KEYS = new Set(SETTINGS.map((s) => s.key));
const NAME_RE = /^[a-z][a-z0-9-]{0,30}$/;

/** Reads raw strings by key (pulumi.Config#get or a plain map) and returns a validated config. */
export function parseFarmConfig(get: (key: string) => string | undefined, stack: string, presentKeys: string[] = []): FarmConfig {
  for (const key of presentKeys) {
    if (!KNOWN_KEYS.has(key)) {
      const near = [...KNOWN_KEYS].find((k) => k.toLowerCase() === key.toLowerCase());
      throw new ConfigError(key, get(key) ?? "", `unknown setting${near ? ` (did you mean ${near}?)` : ""}; known: ${[...KNOWN_KEYS].join(", ")}`);
    }
  }
  const str = (key: string) => {
    const v = get(key);
    return v === undefined || v === "" ? undefined : v.trim();
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], dflt: T): T => {
    const v = str(key) ?? dflt;
    if (!allowed.includes(v as T)) throw new ConfigError(key, v, `allowed: ${allowed.join(", ")}`);
    return v as T;
  };
  const int = (key: string, dflt: number, min: number, max: number): number => {
    const v = str(key);
    if (v === undefined) return dflt;
    if (!/^-?\d+$/.test(v)) throw new ConfigError(key, v, `must be a whole number from ${min} to ${max}`);
    const n = Number(v);
    if (n < min || n > max) throw new ConfigError(key, v, `must be a whole number from ${min} to ${max}`);
    return n;
  };
  const bool = (key: string, dflt: boolean): boolean => {
    const v = str(key);
    if (v === undefined) return dflt;
    if (v === "true" || v === "false") return v === "true";
    throw new ConfigError(key, v, "must be true or false");
  };
  const list = (key: string, dflt: string[]): string[] => {
    const v = get(key);
    if (v === undefined) return dflt;
    const t = v.trim();
    if (t === "" || t === "[]") return [];
    if (t.startsWith("[")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(t);
      } catch {
        throw new ConfigError(key, v, "must be a list (YAML sequence, JSON array or comma-separated)");
      }
      if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== "string")) {
        throw new ConfigError(key, v, "must be a list of strings");
      }
      return parsed.map((x: string) => x.trim());
    }
    return t.split(",").map((x) => x.trim()).filter((x) => x !== "");
  };

  const cloud = oneOf("cloud", CLOUDS, "hcloud");
  const location = validLocation("location", cloud, str("location") ?? DEFAULTS[cloud].location);
  // cx types are sold in the EU only: outside it the smallest fitting hub is a cpx21.
  const hubDefault = cloud === "hcloud" && !["fsn1", "nbg1", "hel1"].includes(location) ? "cpx21" : DEFAULTS[cloud].hubServerType;
  const hubServerType = validServerType("hubServerType", cloud, str("hubServerType") ?? hubDefault, location);
  const image = oneOf("image", IMAGES, "alma-8");

  const vpnCidr = str("vpnCidr") ?? "10.87.0.0/16";
  const cidr = parseCidr(vpnCidr);
  if (typeof cidr === "string") throw new ConfigError("vpnCidr", vpnCidr, `${cidr}; use an IPv4 network such as 10.87.0.0/16`);
  if (cidr.prefix < MIN_PREFIX || cidr.prefix > MAX_PREFIX) {
    throw new ConfigError("vpnCidr", vpnCidr, `prefix must be /${MIN_PREFIX} to /${MAX_PREFIX}`);
  }
  const nebulaPort = int("nebulaPort", 42042, 1, 65535);

  const workerCapacity = int("workerCapacity", 100, 1, 9999);
  const bosses = list("bosses", ["boss"]);
  if (bosses.length === 0) throw new ConfigError("bosses", get("bosses"), "at least one boss (desktop) is needed to use the farm");
  for (const b of bosses) {
    if (!NAME_RE.test(b)) throw new ConfigError("bosses", b, "names are lower-case letters, digits and '-', starting with a letter, at most 31 characters");
    if (b === "hub" || b === "probe" || /^worker\d+$/.test(b)) throw new ConfigError("bosses", b, "hub, probe and workerNNNN are reserved names");
  }
  if (new Set(bosses).size !== bosses.length) throw new ConfigError("bosses", get("bosses"), "names must be unique");

  let addresses: AddressPlan;
  try {
    addresses = addressPlan(vpnCidr, workerCapacity, bosses.length);
  } catch (e) {
    if (e instanceof AddressPlanError) throw new ConfigError("workerCapacity", workerCapacity, `${e.message}; use a larger vpnCidr or a smaller workerCapacity`);
    throw e;
  }

  const { pools, inhouseSlots } = parsePools(get, str, int, bool, cloud, location, workerCapacity);
  for (const p of pools) {
    const onDemand = p.spot && p.spotMaxPrice !== undefined ? onDemandHourly("aws", p.location, p.serverType) : undefined;
    if (onDemand !== undefined && p.spotMaxPrice! > onDemand) {
      throw new ConfigError(p.spotMaxPriceKey, p.spotMaxPrice, `above the on-demand price of ${p.serverType} in ${p.location} (${onDemand} USD/h); a spot cap must not exceed it: lower it or leave it unset (then on-demand is the cap)`);
    }
  }
  const reserved = pools.reduce((n, p) => n + p.slots, 0);
  const inhouseRange = reserved < workerCapacity ? { first: reserved + 1, last: workerCapacity } : undefined;

  const sshAllowedCidrs = list("sshAllowedCidrs", ["0.0.0.0/0", "::/0"]);
  for (const c of sshAllowedCidrs) {
    const v4 = parseCidr(c);
    if (typeof v4 === "string" && !isIpv6Cidr(c)) {
      throw new ConfigError("sshAllowedCidrs", c, `not a CIDR (${v4}); use e.g. 203.0.113.4/32 or 2001:db8::/64`);
    }
  }

  const renderers = list("renderers", ["bella"]);
  for (const r of renderers) {
    if (!(RENDERERS as readonly string[]).includes(r)) throw new ConfigError("renderers", r, `allowed: ${RENDERERS.join(", ")}`);
  }

  const revoked = list("revoked", []);
  const knownNames = new Set<string>(["hub", ...bosses]);
  for (const r of revoked) {
    const m = /^worker(\d{4,})$/.exec(r);
    if (!(knownNames.has(r) || (m && Number(m[1]) >= 1 && Number(m[1]) <= workerCapacity))) {
      throw new ConfigError("revoked", r, `not a certificate of this farm; known: hub, ${bosses.join(", ")}, worker0001-${workerCapacity}`);
    }
  }

  const idleMinutes = int("idleMinutes", 0, 0, 10080);
  const idleGuardToken = str("idleGuardToken");
  if (idleMinutes > 0) {
    // The guard runs on the hub with the hub's cloud credential (Hetzner token or AWS instance
    // role), so it can only reach workers on that cloud.
    const elsewhere = pools.filter((p) => p.cloud !== cloud);
    if (elsewhere.length > 0) {
      const names = elsewhere.map((p) => p.name).join(", ");
      throw new ConfigError("idleMinutes", idleMinutes, `the idle guard runs on the hub (${cloud}) and removes workers through ${cloud} only, but ${elsewhere.length > 1 ? `pools ${names} are` : `pool ${names} is`} on ${elsewhere[0].cloud}; set 0 on farms whose workers span clouds`);
    }
    if (cloud === "hcloud" && !idleGuardToken) throw new ConfigError("idleGuardToken", "", "required when idleMinutes > 0: pulumi config set --secret idleGuardToken <Hetzner API token>");
    if (sshAllowedCidrs.length === 0) throw new ConfigError("idleMinutes", idleMinutes, "the idle guard is installed over the hub's SSH; sshAllowedCidrs must not be empty");
  }

  const awsVpcId = str("awsVpcId");
  const awsSubnetId = str("awsSubnetId");
  if ((awsVpcId === undefined) !== (awsSubnetId === undefined)) {
    throw new ConfigError(awsVpcId ? "awsSubnetId" : "awsVpcId", "", "awsVpcId and awsSubnetId go together: set both or neither");
  }
  if (awsVpcId && !/^vpc-[0-9a-f]{8,17}$/.test(awsVpcId)) throw new ConfigError("awsVpcId", awsVpcId, "must look like vpc-0123456789abcdef0");
  if (awsSubnetId && !/^subnet-[0-9a-f]{8,17}$/.test(awsSubnetId)) throw new ConfigError("awsSubnetId", awsSubnetId, "must look like subnet-0123456789abcdef0");
  const awsRegions = [...new Set([...(cloud === "aws" ? [location] : []), ...pools.filter((p) => p.cloud === "aws").map((p) => p.location)])];
  if (awsSubnetId && awsRegions.length > 1) {
    throw new ConfigError("awsSubnetId", awsSubnetId, `names one subnet, in one region, but this farm's AWS hosts use ${awsRegions.join(" and ")}; leave awsVpcId/awsSubnetId unset (the stack makes a network per region) or keep AWS hosts in one region`);
  }

  return {
    stack,
    cloud,
    location,
    hubServerType,
    image,
    workerCapacity,
    inhouseSlots,
    pools,
    inhouseRange,
    vpnCidr,
    nebulaPort,
    bosses,
    sshAllowedCidrs,
    keepData: bool("keepData", true),
    dataVolumeGb: int("dataVolumeGb", 50, 10, 10240),
    waitForReady: bool("waitForReady", true),
    renderers: [...new Set(renderers)] as Renderer[],
    idleMinutes,
    idleGuardToken,
    revoked,
    pkiGeneration: int("pkiGeneration", 1, 1, 1000000),
    certValidityDays: int("certValidityDays", 730, 30, 3650),
    awsVpcId,
    awsSubnetId,
    addresses,
  };
}

function validLocation(key: string, cloud: Cloud, value: string): string {
  const allowed: readonly string[] = cloud === "hcloud" ? HCLOUD_LOCATIONS : AWS_REGIONS;
  if (!allowed.includes(value)) {
    throw new ConfigError(key, value, `unknown ${cloud === "hcloud" ? "Hetzner location" : "AWS region"}; allowed: ${allowed.join(", ")}`);
  }
  return value;
}

function validServerType(key: string, cloud: Cloud, value: string, location: string): string {
  if (cloud === "hcloud") {
    // Hetzner's lineup is short and differs per location (no cx/cax in the US or Singapore).
    const known = knownServerTypes("hetzner", location);
    if (!known.includes(value)) throw new ConfigError(key, value, `not a Hetzner server type offered in ${location}; known: ${known.join(", ")}`);
    return value;
  }
  // EC2 has hundreds of types; the shape catches typos, the cost estimate flags unknown prices.
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(value)) throw new ConfigError(key, value, "not an EC2 instance type (e.g. c6a.8xlarge)");
  return value;
}

type Getter = (key: string) => string | undefined;
type IntReader = (key: string, dflt: number, min: number, max: number) => number;
type BoolReader = (key: string, dflt: boolean) => boolean;

function parsePools(get: Getter, str: Getter, int: IntReader, bool: BoolReader, cloud: Cloud, location: string, capacity: number): { pools: WorkerPoolConfig[]; inhouseSlots: number } {
  const raw = get("workerPools");
  if (raw === undefined || raw.trim() === "") {
    // Short form: one pool on the hub's cloud; the top `inhouseSlots` of the batch stay free.
    const inhouseSlots = int("inhouseSlots", Math.min(10, capacity - 1), 0, capacity);
    const slots = capacity - inhouseSlots;
    const count = int("workerCount", 1, 0, 9999);
    if (count > slots) {
      throw new ConfigError("workerCount", count, `exceeds the ${slots} cloud slots (workerCapacity ${capacity} minus inhouseSlots ${inhouseSlots}); raise workerCapacity (issues more certificates, existing ones stay) or lower inhouseSlots`);
    }
    const spotMaxPrice = str("workerSpotMaxPrice");
    return {
      inhouseSlots,
      pools: [{
        name: "workers",
        cloud,
        location,
        serverType: validServerType("workerServerType", cloud, str("workerServerType") ?? DEFAULTS[cloud].workerServerType, location),
        count,
        firstSlot: 1,
        slots,
        spot: cloud === "aws" ? bool("workerSpot", true) : false,
        spotMaxPrice: spotMaxPrice === undefined ? undefined : parsePrice("workerSpotMaxPrice", spotMaxPrice),
        spotMaxPriceKey: "workerSpotMaxPrice",
      }],
    };
  }
  for (const shortKey of ["workerCount", "workerServerType", "workerSpot", "workerSpotMaxPrice", "inhouseSlots"]) {
    if (get(shortKey) !== undefined) throw new ConfigError(shortKey, get(shortKey), "short-form setting cannot be combined with workerPools; move it into a pool");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError("workerPools", raw, "must be a list of pools (YAML sequence or JSON array)");
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new ConfigError("workerPools", raw, "must be a non-empty list of pools");
  const pools: WorkerPoolConfig[] = [];
  let next = 1;
  const allowedKeys = ["name", "cloud", "location", "serverType", "count", "slots", "spot", "spotMaxPrice"];
  for (const [i, p] of parsed.entries()) {
    const key = `workerPools[${i}]`;
    if (typeof p !== "object" || p === null || Array.isArray(p)) throw new ConfigError(key, p, "must be an object");
    const o = p as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!allowedKeys.includes(k)) throw new ConfigError(`${key}.${k}`, o[k], `unknown pool setting; allowed: ${allowedKeys.join(", ")}`);
    const name = o.name;
    if (typeof name !== "string" || !NAME_RE.test(name)) throw new ConfigError(`${key}.name`, name ?? "", "required; lower-case letters, digits and '-', starting with a letter");
    if (pools.some((q) => q.name === name)) throw new ConfigError(`${key}.name`, name, "two pools with the same name; names must be unique");
    const pcloud = (o.cloud ?? cloud) as string;
    if (!(CLOUDS as readonly string[]).includes(pcloud)) throw new ConfigError(`${key}.cloud`, pcloud, `allowed: ${CLOUDS.join(", ")}`);
    const c = pcloud as Cloud;
    const plocation = validLocation(`${key}.location`, c, typeof o.location === "string" ? o.location : c === cloud ? location : DEFAULTS[c].location);
    const serverType = validServerType(`${key}.serverType`, c, typeof o.serverType === "string" ? o.serverType : DEFAULTS[c].workerServerType, plocation);
    const wholeNumber = (k: string, v: unknown, min: number): number => {
      if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new ConfigError(`${key}.${k}`, v ?? "", `required whole number >= ${min}`);
      return v;
    };
    const count = wholeNumber("count", o.count ?? 0, 0);
    const slots = wholeNumber("slots", o.slots, 1);
    if (count > slots) throw new ConfigError(`${key}.count`, count, `exceeds the pool's ${slots} reserved slots; raise slots`);
    if (next + slots - 1 > capacity) {
      throw new ConfigError(`${key}.slots`, slots, `pools reserve slots ${1}-${next + slots - 1} but workerCapacity is ${capacity}; raise workerCapacity`);
    }
    if (o.spot !== undefined && typeof o.spot !== "boolean") throw new ConfigError(`${key}.spot`, o.spot, "must be true or false");
    if (o.spot === true && c !== "aws") throw new ConfigError(`${key}.spot`, true, "spot instances exist only on aws");
    pools.push({
      name, cloud: c, location: plocation, serverType, count, firstSlot: next, slots,
      spot: c === "aws" ? (o.spot as boolean | undefined) ?? true : false,
      spotMaxPrice: o.spotMaxPrice === undefined ? undefined : parsePrice(`${key}.spotMaxPrice`, String(o.spotMaxPrice)),
      spotMaxPriceKey: `${key}.spotMaxPrice`,
    });
    next += slots;
  }
  return { pools, inhouseSlots: capacity - (next - 1) };
}

function parsePrice(key: string, value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) throw new ConfigError(key, value, "must be a positive price in USD per hour, e.g. 0.45");
  return Number(value);
}
