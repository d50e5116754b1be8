import { Cloud } from "../../lib/config";
import { CloudBackend } from "./types";
import { hcloudBackend } from "./hcloud";

export function backendFor(cloud: Cloud): CloudBackend {
  switch (cloud) {
    case "hcloud":
      return hcloudBackend;
    case "aws":
      throw new Error("the aws backend is not built yet");
  }
}
