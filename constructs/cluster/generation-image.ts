// Owns the generation's own copy of its Flatcar AMI: copied into the account once, encrypted with the generation's KMS
// key, and what every node launches from, so the generation keeps planning, scaling and replacing nodes after Flatcar
// unpublishes the public image.
import { Construct } from "constructs";
import { AmiCopy } from "../platform/aws";
import { FlatcarAmi, type FlatcarAmiProps } from "./flatcar-ami";

export interface GenerationImageProps extends FlatcarAmiProps {
  /** `<cluster>-<generation>`; the copy is named `<name>-<imageName>`. */
  readonly name: string;
  /** Region of the public image (the generation's region). */
  readonly region: string;
  /** The generation's KMS key: it encrypts the copy's snapshots. */
  readonly kmsKeyArn: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The AMI a generation's nodes launch from. */
export class GenerationImage extends Construct {
  /** The id of the generation's encrypted copy. */
  readonly imageId: string;

  constructor(scope: Construct, id: string, props: GenerationImageProps) {
    super(scope, id);
    const source = new FlatcarAmi(this, "flatcar", { imageName: props.imageName, owner: props.owner, arch: props.arch });
    const copy = new AmiCopy(this, "copy", {
      name: `${props.name}-${props.imageName}`,
      description: `${props.imageName} copied for ${props.name}: nodes launch from this copy, not from the public image`,
      sourceAmiId: source.imageId,
      sourceAmiRegion: props.region,
      // https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/ami_copy: `encrypted` and
      // `kms_key_id` encrypt the copy's EBS snapshots with the given key.
      encrypted: true,
      kmsKeyId: props.kmsKeyArn,
      tags: { ...props.tags, Name: `${props.name}-${props.imageName}`, "immutable-clusters/source-image": props.imageName },
      // The source is needed only to create the copy. After Flatcar unpublishes it, the lookup yields a placeholder;
      // ignoring the source keeps the copy (and every plan) unchanged.
      lifecycle: { ignoreChanges: ["source_ami_id"] },
    });
    this.imageId = copy.id;
  }
}
