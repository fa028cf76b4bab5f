// Owns the lookup of the pinned Flatcar AMI: exact channel, version and architecture, from the configured owner,
// so a re-synth or re-plan never silently changes the OS image. The public image is only the source of the
// generation's own encrypted copy (generation-image.ts); the lookup keeps planning after Flatcar unpublishes it.
import { Construct } from "constructs";
import { DataAwsAmiIds } from "../platform/aws";
import { Fn } from "../platform/terraform";

export interface FlatcarAmiProps {
  /** Exact image name, e.g. `Flatcar-stable-4230.2.3-hvm`. */
  readonly imageName: string;
  /** Publishing account. */
  readonly owner: string;
  /** `amd64` or `arm64`. */
  readonly arch: "amd64" | "arm64";
}

/** The one AMI named exactly after a Flatcar release, while it is published. */
export class FlatcarAmi extends Construct {
  /**
   * The public AMI id, resolved at plan time; once the image is no longer published, a placeholder that names it
   * (`unpublished:<image name>`). Use it only as the source of a copy that ignores later changes of its source.
   */
  readonly imageId: string;

  constructor(scope: Construct, id: string, props: FlatcarAmiProps) {
    super(scope, id);
    // `aws_ami_ids`, not `aws_ami`: the plural data source returns an empty list when nothing matches, where `aws_ami`
    // fails the plan ("Your query returned no results", terraform-provider-aws internal/service/ec2/ec2_ami_data_source.go
    // vs ec2_ami_ids_data_source.go). Flatcar removes old AMIs, so a generation must keep planning after that.
    const image = new DataAwsAmiIds(this, "image", {
      owners: [props.owner],
      // AWS deprecates public AMIs two years after creation by default, and a deprecated image is no longer listed
      // unless asked for (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ami-deprecate.html).
      includeDeprecated: true,
      filter: [
        { name: "name", values: [props.imageName] },
        // EC2's names, as Flatcar registers them (flatcar/mantle platform/api/aws/images.go AmiArchForBoard).
        { name: "architecture", values: [props.arch === "arm64" ? "arm64" : "x86_64"] },
        { name: "virtualization-type", values: ["hvm"] },
      ],
    });
    this.imageId = Fn.element(Fn.concat([image.ids, [`unpublished:${props.imageName}`]]), 0);
  }
}
