// Cost estimates for a farm shape, from price tables kept as plain data.
//
// These are ESTIMATES written from the providers' published list prices (excl. VAT/tax) as
// remembered at `asOf`; they are not fetched at run time (no network here, and a plan must be
// reproducible). Providers change prices: Hetzner announced a portfolio-wide adjustment from
// 2026-04-01 (third-party reports speak of +30-37 % on compute and +30 % on volumes), which
// these tables do NOT include. Always check `source` before committing to a budget.

export type Cloud = "hetzner" | "aws";
export type Currency = "EUR" | "USD";

/** One price: `hourly` is what one hour costs; `monthlyCap` (Hetzner only) bounds a month. */
export interface UnitPrice {
  hourly: number;
  monthlyCap?: number;
}

// ---------------------------------------------------------------------------------------------
// Hetzner Cloud (EUR, excl. VAT). Billing: hourly, never more than the monthly cap per calendar
// month; a powered-off server is billed like a running one (only deletion stops the bill).
// ---------------------------------------------------------------------------------------------

export const HETZNER_PRICES = {
  source: "https://www.hetzner.com/cloud/",
  billingFaq: "https://docs.hetzner.com/cloud/billing/faq/",
  asOf: "2025-06-01",
  currency: "EUR" as Currency,
  // Locations grouped by price zone. cx*/cax* are sold in the EU zone only.
  zones: {
    eu: ["fsn1", "nbg1", "hel1"],
    us: ["ash", "hil"],
    sin: ["sin"],
  } as Record<string, string[]>,
  servers: {
    eu: {
      cx22: { hourly: 0.006, monthlyCap: 3.79 },
      cx32: { hourly: 0.0109, monthlyCap: 6.8 },
      cx42: { hourly: 0.0263, monthlyCap: 16.4 },
      cx52: { hourly: 0.0519, monthlyCap: 32.4 },
      cpx11: { hourly: 0.007, monthlyCap: 4.35 },
      cpx21: { hourly: 0.0121, monthlyCap: 7.55 },
      cpx31: { hourly: 0.0218, monthlyCap: 13.6 },
      cpx41: { hourly: 0.0403, monthlyCap: 25.2 },
      cpx51: { hourly: 0.0879, monthlyCap: 54.9 },
      cax11: { hourly: 0.006, monthlyCap: 3.79 },
      cax21: { hourly: 0.0104, monthlyCap: 6.49 },
      cax31: { hourly: 0.02, monthlyCap: 12.49 },
      cax41: { hourly: 0.0392, monthlyCap: 24.49 },
      ccx13: { hourly: 0.02, monthlyCap: 12.49 },
      ccx23: { hourly: 0.0392, monthlyCap: 24.49 },
      ccx33: { hourly: 0.0777, monthlyCap: 48.49 },
      ccx43: { hourly: 0.1546, monthlyCap: 96.49 },
      ccx53: { hourly: 0.3085, monthlyCap: 192.49 },
      ccx63: { hourly: 0.4623, monthlyCap: 288.49 },
    },
    // US prices were raised for new CPX/CCX servers from 2024-12-01 (less included traffic).
    us: {
      cpx11: { hourly: 0.0088, monthlyCap: 5.49 },
      cpx21: { hourly: 0.0152, monthlyCap: 9.49 },
      cpx31: { hourly: 0.0272, monthlyCap: 16.99 },
      cpx41: { hourly: 0.0504, monthlyCap: 31.49 },
      cpx51: { hourly: 0.1041, monthlyCap: 64.99 },
      ccx13: { hourly: 0.0224, monthlyCap: 13.99 },
      ccx23: { hourly: 0.0448, monthlyCap: 27.99 },
      ccx33: { hourly: 0.0889, monthlyCap: 55.49 },
      ccx43: { hourly: 0.1777, monthlyCap: 110.99 },
      ccx53: { hourly: 0.3555, monthlyCap: 221.99 },
      ccx63: { hourly: 0.5332, monthlyCap: 332.99 },
    },
    // Singapore is priced above the EU; figures are the least certain in this table.
    sin: {
      cpx11: { hourly: 0.0104, monthlyCap: 6.49 },
      cpx21: { hourly: 0.0184, monthlyCap: 11.49 },
      cpx31: { hourly: 0.0336, monthlyCap: 20.99 },
      cpx41: { hourly: 0.0632, monthlyCap: 39.49 },
      cpx51: { hourly: 0.1296, monthlyCap: 80.99 },
      ccx13: { hourly: 0.0272, monthlyCap: 16.99 },
      ccx23: { hourly: 0.0544, monthlyCap: 33.99 },
      ccx33: { hourly: 0.1081, monthlyCap: 67.49 },
      ccx43: { hourly: 0.2161, monthlyCap: 134.99 },
      ccx53: { hourly: 0.4323, monthlyCap: 269.99 },
      ccx63: { hourly: 0.6484, monthlyCap: 404.99 },
    },
  } as Record<string, Record<string, UnitPrice>>,
  volumePerGbMonth: 0.044,
  primaryIpv4: { hourly: 0.0008, monthlyCap: 0.5 } as UnitPrice,
};

// ---------------------------------------------------------------------------------------------
// AWS EC2 on-demand, Linux, shared tenancy (USD). Within each of these families the price is
// linear in size (xlarge = 2 x large, ...), so the table holds the `.large` price per region
// and the size factors; that keeps the data small and exactly as published for those families.
// ---------------------------------------------------------------------------------------------

const SIZE_FACTOR: Record<string, number> = {
  micro: 0.125, small: 0.25, medium: 0.5, large: 1, xlarge: 2, "2xlarge": 4, "4xlarge": 8,
  "8xlarge": 16, "12xlarge": 24, "16xlarge": 32, "24xlarge": 48, "32xlarge": 64, "48xlarge": 96,
};
const BURSTABLE = ["micro", "small", "medium", "large", "xlarge", "2xlarge"];
const GEN6 = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"];
const GEN6A_7 = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"];

export const AWS_PRICES = {
  source: "https://aws.amazon.com/ec2/pricing/on-demand/",
  ebsSource: "https://aws.amazon.com/ebs/pricing/",
  ipv4Source: "https://aws.amazon.com/vpc/pricing/",
  asOf: "2025-06-01",
  currency: "USD" as Currency,
  regions: ["us-east-1", "us-west-2", "eu-central-1", "eu-west-1"],
  families: {
    t3: { sizes: BURSTABLE, large: { "us-east-1": 0.0832, "us-west-2": 0.0832, "eu-central-1": 0.096, "eu-west-1": 0.0912 } },
    t3a: { sizes: BURSTABLE, large: { "us-east-1": 0.0752, "us-west-2": 0.0752, "eu-central-1": 0.0864, "eu-west-1": 0.0816 } },
    m6i: { sizes: GEN6, large: { "us-east-1": 0.096, "us-west-2": 0.096, "eu-central-1": 0.115, "eu-west-1": 0.107 } },
    m7i: { sizes: GEN6A_7, large: { "us-east-1": 0.1008, "us-west-2": 0.1008, "eu-central-1": 0.12075, "eu-west-1": 0.11235 } },
    c6i: { sizes: GEN6, large: { "us-east-1": 0.085, "us-west-2": 0.085, "eu-central-1": 0.097, "eu-west-1": 0.096 } },
    c7i: { sizes: GEN6A_7, large: { "us-east-1": 0.08925, "us-west-2": 0.08925, "eu-central-1": 0.10185, "eu-west-1": 0.1008 } },
    c6a: { sizes: GEN6A_7, large: { "us-east-1": 0.0765, "us-west-2": 0.0765, "eu-central-1": 0.0873, "eu-west-1": 0.0864 } },
    c7a: { sizes: GEN6A_7, large: { "us-east-1": 0.10264, "us-west-2": 0.10264, "eu-central-1": 0.11713, "eu-west-1": 0.11592 } },
    r6i: { sizes: GEN6, large: { "us-east-1": 0.126, "us-west-2": 0.126, "eu-central-1": 0.152, "eu-west-1": 0.141 } },
  } as Record<string, { sizes: string[]; large: Record<string, number> }>,
  gp3PerGbMonth: { "us-east-1": 0.08, "us-west-2": 0.08, "eu-central-1": 0.0952, "eu-west-1": 0.088 } as Record<string, number>,
  // Every public IPv4 address (Elastic IP or auto-assigned) is billed per hour since 2024-02-01.
  publicIpv4PerHour: 0.005,
};

/** AWS and Hetzner both quote a month as 730 hours. */
export const HOURS_PER_MONTH = 730;

function hetznerZone(location: string): string | undefined {
  return Object.keys(HETZNER_PRICES.zones).find((z) => HETZNER_PRICES.zones[z].includes(location));
}

/** Server/instance types with a known price at that location (region for AWS); sorted. */
export function knownServerTypes(cloud: Cloud, location: string): string[] {
  if (cloud === "hetzner") {
    const zone = hetznerZone(location);
    return zone ? Object.keys(HETZNER_PRICES.servers[zone]).sort() : [];
  }
  if (!AWS_PRICES.regions.includes(location)) return [];
  const out: string[] = [];
  for (const [family, f] of Object.entries(AWS_PRICES.families)) {
    if (f.large[location] === undefined) continue;
    for (const size of f.sizes) out.push(`${family}.${size}`);
  }
  return out.sort();
}

function hetznerServerPrice(location: string, type: string): UnitPrice | undefined {
  const zone = hetznerZone(location);
  return zone ? HETZNER_PRICES.servers[zone][type] : undefined;
}

/** On-demand price of one server for one hour, in the cloud's currency; undefined if unknown. */
export function onDemandHourly(cloud: Cloud, location: string, type: string): number | undefined {
  if (cloud === "hetzner") return hetznerServerPrice(location, type)?.hourly;
  const [family, size] = type.split(".");
  const f = AWS_PRICES.families[family];
  if (!f || !f.sizes.includes(size)) return undefined;
  const large = f.large[location];
  // Round away float noise (0.0832 * 0.125 and friends) at a tenth of a micro-dollar.
  return large === undefined ? undefined : Math.round(large * SIZE_FACTOR[size] * 1e7) / 1e7;
}

/** What one month of a unit costs: Hetzner caps hourly billing at the monthly price. */
function perMonth(p: UnitPrice): number {
  const byHours = p.hourly * HOURS_PER_MONTH;
  return p.monthlyCap === undefined ? byHours : Math.min(byHours, p.monthlyCap);
}

export interface FarmShape {
  hub: { cloud: Cloud; location: string; serverType: string; volumeGb: number };
  pools: Array<{ name: string; cloud: Cloud; location: string; serverType: string; count: number; spot?: boolean }>;
}

export interface CostItem {
  item: string;
  cloud: Cloud;
  /** Total for all `count` units of this line. */
  perHour: number;
  perMonth: number;
  currency: Currency;
  count: number;
  /** True when the figure is an upper bound (spot priced at on-demand). */
  upperBound?: boolean;
}

export interface CostEstimate {
  breakdown: CostItem[];
  totals: Partial<Record<Currency, { perHour: number; perMonth: number }>>;
  source: Partial<Record<Cloud, string[]>>;
  asOf: Partial<Record<Cloud, string>>;
  notes: string[];
  /** False when some server type had no known price (it is left out of the totals). */
  complete: boolean;
}

/**
 * Estimate what a farm costs per hour and per (730-hour) month while it exists.
 * Each server is assumed to carry one public IPv4 (workers reach the hub's Nebula lighthouse
 * and the internet over it). Traffic, snapshots and AWS root volumes are not counted.
 */
export function estimateCost(shape: FarmShape): CostEstimate {
  const breakdown: CostItem[] = [];
  const notes: string[] = [];
  let complete = true;
  const used = new Set<Cloud>();

  const addUnit = (item: string, cloud: Cloud, unit: UnitPrice, count: number, upperBound = false) => {
    used.add(cloud);
    const currency = cloud === "hetzner" ? HETZNER_PRICES.currency : AWS_PRICES.currency;
    breakdown.push({
      item, cloud, count, currency,
      perHour: unit.hourly * count,
      perMonth: perMonth(unit) * count,
      ...(upperBound ? { upperBound } : {}),
    });
  };

  const serverUnit = (cloud: Cloud, location: string, type: string): UnitPrice | undefined => {
    if (cloud === "hetzner") return hetznerServerPrice(location, type);
    const hourly = onDemandHourly(cloud, location, type);
    return hourly === undefined ? undefined : { hourly };
  };

  const ipv4Unit = (cloud: Cloud): UnitPrice =>
    cloud === "hetzner" ? HETZNER_PRICES.primaryIpv4 : { hourly: AWS_PRICES.publicIpv4PerHour };

  const addServers = (label: string, cloud: Cloud, location: string, type: string, count: number, spot: boolean) => {
    if (count <= 0) return;
    const unit = serverUnit(cloud, location, type);
    const plural = count === 1 ? "" : `${count} x `;
    if (unit) {
      const spotUpper = spot && cloud === "aws";
      addUnit(`${label}: ${plural}${type} (${location})${spotUpper ? " spot, on-demand upper bound" : ""}`, cloud, unit, count, spotUpper);
    } else {
      complete = false;
      notes.push(`No price known for ${cloud} ${type} in ${location}: "${label}" servers are left out of the totals.`);
    }
    addUnit(`${label}: ${plural}public IPv4`, cloud, ipv4Unit(cloud), count);
  };

  const { hub } = shape;
  addServers("hub", hub.cloud, hub.location, hub.serverType, 1, false);
  if (hub.volumeGb > 0) {
    if (hub.cloud === "hetzner") {
      const monthly = hub.volumeGb * HETZNER_PRICES.volumePerGbMonth;
      addUnit(`hub: volume ${hub.volumeGb} GB`, "hetzner", { hourly: monthly / HOURS_PER_MONTH, monthlyCap: monthly }, 1);
    } else {
      const rate = AWS_PRICES.gp3PerGbMonth[hub.location];
      if (rate === undefined) {
        complete = false;
        notes.push(`No gp3 price known for ${hub.location}: the hub volume is left out of the totals.`);
      } else {
        const monthly = hub.volumeGb * rate;
        addUnit(`hub: gp3 volume ${hub.volumeGb} GB`, "aws", { hourly: monthly / HOURS_PER_MONTH }, 1);
      }
    }
  }

  for (const pool of shape.pools) {
    addServers(`pool ${pool.name}`, pool.cloud, pool.location, pool.serverType, pool.count, pool.spot === true);
    if (pool.spot && pool.cloud === "aws") {
      notes.push(`Pool ${pool.name} is spot: spot prices float below on-demand, so its figure is an upper bound (on-demand price used).`);
    }
    if (pool.spot && pool.cloud === "hetzner") {
      notes.push(`Pool ${pool.name}: Hetzner has no spot market; priced at the normal rate.`);
    }
  }

  const totals: CostEstimate["totals"] = {};
  for (const b of breakdown) {
    const t = (totals[b.currency] ??= { perHour: 0, perMonth: 0 });
    t.perHour += b.perHour;
    t.perMonth += b.perMonth;
  }

  const source: CostEstimate["source"] = {};
  const asOf: CostEstimate["asOf"] = {};
  if (used.has("hetzner")) {
    source.hetzner = [HETZNER_PRICES.source, HETZNER_PRICES.billingFaq];
    asOf.hetzner = HETZNER_PRICES.asOf;
    notes.push("Hetzner: EUR excl. VAT; a month is min(hourly x 730, monthly cap); a powered-off server is billed until it is deleted.");
  }
  if (used.has("aws")) {
    source.aws = [AWS_PRICES.source, AWS_PRICES.ebsSource, AWS_PRICES.ipv4Source];
    asOf.aws = AWS_PRICES.asOf;
    notes.push("AWS: USD excl. tax, on-demand Linux, a month is 730 hours; root EBS volumes and data transfer are not counted; a stopped instance stops compute billing (its volumes and Elastic IPs still bill).");
  }
  if (used.size > 1) notes.push("Totals are kept per currency; no exchange rate is applied.");
  notes.push("Estimates from list prices at asOf, not a quote: check the source pages before budgeting.");

  return { breakdown, totals, source, asOf, notes, complete };
}
