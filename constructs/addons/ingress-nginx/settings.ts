// Owns the settings of the ingress-nginx addon: the typed interface a definition writes under `addons.ingressNginx`,
// with documented defaults, and its zod schema.
import { z } from "zod";
import { type ContainerResources, enabledSchema, pinnedImageSchema, resourcesSchema } from "../common/workload";

/** Settings of the ingress-nginx addon, under `addons.ingressNginx` of a generation. */
export interface IngressNginxSettings {
  /** @default true */
  readonly enabled?: boolean;
  /** @default "registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:594ceea7…" (supports Kubernetes 1.31–1.35) */
  readonly image?: string;
  /** Make `nginx` the cluster's default IngressClass (Ingresses without a class use it). @default true */
  readonly defaultClass?: boolean;
  /**
   * Extra keys of the controller ConfigMap (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/).
   * `allow-snippet-annotations` stays "false" unless set here.
   * @default {}
   */
  readonly config?: Readonly<Record<string, string>>;
  /** @default { requests: { cpu: "100m", memory: "90Mi" }, limits: { cpu: "2", memory: "1Gi" } } */
  readonly resources?: ContainerResources;
}

export const INGRESS_NGINX_IMAGE =
  "registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1";

/** Validates `addons.ingressNginx` and fills in every default. */
export const ingressNginxSettingsSchema = z
  .object({
    enabled: enabledSchema,
    image: pinnedImageSchema.default(INGRESS_NGINX_IMAGE),
    defaultClass: z.boolean().default(true),
    config: z
      .record(z.string().regex(/^[a-z0-9-]+$/, { error: 'must be an ingress-nginx ConfigMap key such as "proxy-body-size"' }), z.string())
      .default({}),
    resources: resourcesSchema({ requests: { cpu: "100m", memory: "90Mi" }, limits: { cpu: "2", memory: "1Gi" } }),
  })
  .strict()
  .prefault({});

/** ingress-nginx settings with every default applied. */
export type ResolvedIngressNginxSettings = z.output<typeof ingressNginxSettingsSchema>;
