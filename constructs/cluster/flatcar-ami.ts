// Owns the lookup of the pinned Flatcar AMI: exact channel, version and architecture, from the configured owner,
// so a re-synth or re-plan never silently changes the OS image.
import { Construct } from "constructs";
import { DataAwsAmi } from "../platform/aws";

export interface FlatcarAmiProps {
  /** Exact image name, e.g. `Flatcar-stable-4230.2.3-hvm`. */
  readonly imageName: string;
  /** Publishing account. */
  readonly owner: string;
  /** `amd64` or `arm64`. */
  readonly arch: "amd64" | "arm64";
}

/** The one AMI named exactly after a Flatcar release. */
export class FlatcarAmi extends Construct {
  /** The AMI id, resolved at plan time. */
  readonly imageId: string;

  constructor(scope: Construct, id: string, props: FlatcarAmiProps) {
    super(scope, id);
    const ami = new DataAwsAmi(this, "image", {
      owners: [props.owner],
      mostRecent: false,
      // AWS deprecates public AMIs two years after creation by default, and a deprecated image is no longer listed
      // unless asked for. A generation lives on its pinned release until it is replaced, so its plan must keep finding
      // that exact image after the deprecation date.
      includeDeprecated: true,
      filter: [
        { name: "name", values: [props.imageName] },
        { name: "architecture", values: [props.arch === "arm64" ? "arm64" : "x86_64"] },
        { name: "virtualization-type", values: ["hvm"] },
      ],
    });
    this.imageId = ami.id;
  }
}
