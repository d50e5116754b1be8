import { Cloud } from "../../lib/config";
import { CloudBackend } from "./types";
import { hcloudBackend } from "./hcloud";
import { awsBackend } from "./aws";

export function backendFor(cloud: Cloud): CloudBackend {
  switch (cloud) {
    case "hcloud":
      return hcloudBackend;
    case "aws":
      return awsBackend;
  }
}
