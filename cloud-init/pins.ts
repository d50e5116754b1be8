// Every artifact a host downloads, pinned by version and sha256. Hosts refuse anything else.
// Values are the publishers' own checksums, as the original oomerfarm pinned them.

export interface Pin {
  version: string;
  url: string;
  sha256: string;
}

export const NEBULA: Pin = {
  version: "1.9.5",
  url: "https://github.com/slackhq/nebula/releases/download/v1.9.5/nebula-linux-amd64.tar.gz",
  sha256: "af57ded8f3370f0486bb24011942924b361d77fa34e3478995b196a5441dbf71",
};

/** Desktop downloads, used by `npm run join` to tell a boss how to install Nebula. */
export const NEBULA_DESKTOP: Record<"darwin" | "win32", Pin> = {
  darwin: { version: "1.9.5", url: "https://github.com/slackhq/nebula/releases/download/v1.9.5/nebula-darwin.zip", sha256: "891584c4288e031b0787cfd5ac1da4565caf1627bd934d94b696a340ad92f0d7" },
  win32: { version: "1.9.5", url: "https://github.com/slackhq/nebula/releases/download/v1.9.5/nebula-windows-amd64.zip", sha256: "5a42e4600e8a47db2b103c607d95509c7ae403f56e2952d05089f492e53bcebb" },
};

/** One tar holds both the repository and the client installer; workers take the client from the hub's share. */
export const DEADLINE: Pin = {
  version: "10.4.0.10",
  url: "https://thinkbox-installers.s3.us-west-2.amazonaws.com/Releases/Deadline/10.4/2_10.4.0.10/Deadline-10.4.0.10-linux-installers.tar",
  sha256: "0f4fc064cbd223a26c03ee1410f9c27a1ba16027e2bbed2d6e2ca443f18bf701",
};

/**
 * MongoDB 6.0.16: the newest 6.0 release, the series the original ran with Deadline 10.4 and the
 * one Deadline 10.4's installer ships as its prepackaged database. 6.0 reached end of life on
 * 2025-07-31; it stays reachable only on the farm's overlay, with TLS and authentication.
 */
export const MONGODB_VERSION = "6.0.16";
export const MONGODB: Record<"el8" | "el9" | "ubuntu2204", Pin> = {
  el8: { version: MONGODB_VERSION, url: "https://fastdl.mongodb.org/linux/mongodb-linux-x86_64-rhel80-6.0.16.tgz", sha256: "e2dccbaeca3fbc6cd89372de21261fda25df27b5b2e40a96c547a07e36eb035e" },
  el9: { version: MONGODB_VERSION, url: "https://fastdl.mongodb.org/linux/mongodb-linux-x86_64-rhel90-6.0.16.tgz", sha256: "c3c99fd25eb8b1ab5e1b9225abfc70e071fe0cac3f56d6c608577b48f822e11e" },
  // 6.0 has no Ubuntu 24.04 build; the 22.04 build runs there (same OpenSSL 3 ABI).
  ubuntu2204: { version: MONGODB_VERSION, url: "https://fastdl.mongodb.org/linux/mongodb-linux-x86_64-ubuntu2204-6.0.16.tgz", sha256: "f49a1380c535794340d68d02a1eb3835016db8a87e3b2ff7a8a7c4b6cb9d1bcf" },
};

export const BELLA: Pin = {
  version: "24.6.1",
  url: "https://downloads.bellarender.com/bella_cli-24.6.1.tar.gz",
  sha256: "3ddcff1994dd3f13a7048472ccf7fbb48b0651b1fd627d07f35cab94475c9261",
};

/** The sample scene has no published checksum: the hub records the one it first sees. */
export const SAMPLE_SCENE = { url: "https://bellarender.com/doc/scenes/orange-juice/orange-juice.bsz", sha256: "" };

/** Blender 4.2 LTS; checksum as published by Blender and pinned alike by several public packages. */
export const BLENDER: Pin = {
  version: "4.2.3",
  url: "https://download.blender.org/release/Blender4.2/blender-4.2.3-linux-x64.tar.xz",
  sha256: "3a64efd1982465395abab4259b4091d5c8c56054c7267e9633e4f702a71ea3f4",
};
