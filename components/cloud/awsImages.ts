// The farm's image names (the same as on Hetzner) as AMI look-ups: the publisher's own AWS
// account and a name pattern, newest match wins. AMI ids differ per region, so the look-up
// runs per region; publishers' accounts are the same in every commercial region.
import { Image } from "../../lib/config";

export interface AmiLookup {
  /** AWS account that publishes the image (never a marketplace reseller) */
  owner: string;
  /** `name` filter; ends in x86_64/amd64 patterns so arm64 twins never match */
  name: string;
  /** where the owner and the pattern are documented */
  source: string;
}

const ALMA = "764336703387"; // AlmaLinux OS Foundation
const ROCKY = "792107900819"; // Rocky Enterprise Software Foundation
const CANONICAL = "099720109477"; // Canonical (Ubuntu)

export const AMI_LOOKUPS: Record<Image, AmiLookup> = {
  "alma-8": { owner: ALMA, name: "AlmaLinux OS 8.*x86_64", source: "https://wiki.almalinux.org/cloud/AWS.html" },
  "alma-9": { owner: ALMA, name: "AlmaLinux OS 9.*x86_64", source: "https://wiki.almalinux.org/cloud/AWS.html" },
  "rocky-8": { owner: ROCKY, name: "Rocky-8-EC2-Base-8.*.x86_64", source: "https://rockylinux.org/download (AWS images, owner 792107900819)" },
  "rocky-9": { owner: ROCKY, name: "Rocky-9-EC2-Base-9.*.x86_64", source: "https://rockylinux.org/download (AWS images, owner 792107900819)" },
  "ubuntu-22.04": {
    owner: CANONICAL,
    name: "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*",
    source: "https://documentation.ubuntu.com/aws/en/latest/aws-how-to/instances/find-ubuntu-images/",
  },
  "ubuntu-24.04": {
    owner: CANONICAL,
    name: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*",
    source: "https://documentation.ubuntu.com/aws/en/latest/aws-how-to/instances/find-ubuntu-images/",
  },
};

/** Arguments of aws.ec2.getAmi for an image: owner, name, and only x86_64 HVM EBS images. */
export function amiQuery(image: Image): { owners: string[]; mostRecent: boolean; filters: Array<{ name: string; values: string[] }> } {
  const l = AMI_LOOKUPS[image];
  return {
    owners: [l.owner],
    mostRecent: true,
    filters: [
      { name: "name", values: [l.name] },
      { name: "architecture", values: ["x86_64"] },
      { name: "virtualization-type", values: ["hvm"] },
      { name: "root-device-type", values: ["ebs"] },
      { name: "state", values: ["available"] },
    ],
  };
}
