// Spot workers: one-time requests, terminated on interruption (a worker is disposable: Deadline
// requeues its task, and the next `pulumi up` launches a fresh one in its slot). The price cap
// is at most the on-demand price; without one, EC2's own default cap is the on-demand price.
import * as aws from "@pulumi/aws";
import { onDemandHourly } from "../../lib/pricing";

export interface SpotCheck {
  /** the cap to send, as EC2 wants it (USD/hour string); undefined = EC2's default (on-demand) */
  maxPrice?: string;
  /** something the user should know (unknown on-demand price) */
  warning?: string;
}

/**
 * Checks a pool's spot cap against the on-demand price table (lib/pricing.ts).
 * `key` names the setting in errors (workerSpotMaxPrice or workerPools[i].spotMaxPrice).
 */
export function checkSpotPrice(key: string, region: string, instanceType: string, spotMaxPrice: number | undefined): SpotCheck {
  const onDemand = onDemandHourly("aws", region, instanceType);
  if (spotMaxPrice === undefined) return {};
  if (onDemand === undefined) {
    return {
      maxPrice: String(spotMaxPrice),
      warning: `${key}=${spotMaxPrice}: no on-demand price is known for ${instanceType} in ${region} (lib/pricing.ts), so the cap cannot be checked; EC2 never charges more than the spot price, and your cap bounds it`,
    };
  }
  // A cap above on-demand was refused by lib/config.ts before any resource existed.
  return { maxPrice: String(Math.min(spotMaxPrice, onDemand)) };
}

/** instanceMarketOptions for a spot worker. */
export function spotMarketOptions(check: SpotCheck): aws.types.input.ec2.InstanceInstanceMarketOptions {
  return {
    marketType: "spot",
    spotOptions: {
      spotInstanceType: "one-time",
      instanceInterruptionBehavior: "terminate",
      ...(check.maxPrice !== undefined ? { maxPrice: check.maxPrice } : {}),
    },
  };
}
