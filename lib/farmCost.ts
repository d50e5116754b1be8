// The farm's estimated running cost, shaped for `pulumi stack output cost`.
import { FarmConfig } from "./config";
import { estimateCost } from "./pricing";

const PRICING_CLOUD = { hcloud: "hetzner", aws: "aws" } as const;

export interface FarmCost {
  perHour: Record<string, number>;
  perMonth: Record<string, number>;
  items: Array<{ item: string; count: number; perHour: number; perMonth: number; currency: string; upperBound?: boolean }>;
  pricesAsOf: Record<string, string | undefined>;
  sources: Record<string, string[] | undefined>;
  notes: string[];
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export function estimateFarmCost(config: FarmConfig): FarmCost {
  const estimate = estimateCost({
    hub: { cloud: PRICING_CLOUD[config.cloud], location: config.location, serverType: config.hubServerType, volumeGb: config.dataVolumeGb },
    pools: config.pools.map((p) => ({ name: p.name, cloud: PRICING_CLOUD[p.cloud], location: p.location, serverType: p.serverType, count: p.count, spot: p.spot })),
  });
  const perHour: Record<string, number> = {};
  const perMonth: Record<string, number> = {};
  for (const [currency, t] of Object.entries(estimate.totals)) {
    if (!t) continue;
    perHour[currency] = round(t.perHour, 4);
    perMonth[currency] = round(t.perMonth, 2);
  }
  return {
    perHour,
    perMonth,
    items: estimate.breakdown.map((b) => ({ item: b.item, count: b.count, perHour: round(b.perHour, 4), perMonth: round(b.perMonth, 2), currency: b.currency, ...(b.upperBound ? { upperBound: true } : {}) })),
    pricesAsOf: { ...estimate.asOf },
    sources: { ...estimate.source },
    notes: estimate.notes,
  };
}
