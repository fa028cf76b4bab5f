// Test support: the Pod part of a fake Kubernetes API server, answering as the real API does (core/v1 REST: POST
// creates and returns 201 with the stored object, GET returns it with the phase the scenario has reached, GET .../log
// returns the container's log as text, DELETE returns 200 with the object and removes it, 404/409/403 as Status
// objects). A scenario scripts the pod's life: each GET of the pod advances it one step (Pending -> Running ->
// Succeeded or Failed), or keeps it Pending (never scheduled).
import type { IncomingMessage, ServerResponse } from "node:http";

export type PodScenario = "succeeds" | "dns-fails" | "never-scheduled" | "forbidden";

type PodObject = { metadata: { name: string; namespace: string; [k: string]: unknown }; spec?: Record<string, unknown>; status?: unknown };

const PODS = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/?]+))?(\/log)?(?:\?.*)?$/;

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message });

/** The status of the pod after `step` GETs. */
function podStatus(scenario: PodScenario, step: number): Record<string, unknown> {
  const pending = {
    phase: "Pending",
    conditions: [{ type: "PodScheduled", status: "True" }],
    containerStatuses: [{ state: { waiting: { reason: "ContainerCreating" } } }],
  };
  if (scenario === "never-scheduled")
    return {
      phase: "Pending",
      conditions: [
        {
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message: "0/5 nodes are available: 5 node(s) had untolerated taint {dedicated: batch}.",
        },
      ],
    };
  if (step <= 1) return pending;
  if (step === 2) return { phase: "Running", containerStatuses: [{ state: { running: { startedAt: "2026-12-01T17:00:00Z" } } }] };
  const exitCode = scenario === "succeeds" ? 0 : 1;
  return {
    phase: exitCode === 0 ? "Succeeded" : "Failed",
    containerStatuses: [{ state: { terminated: { exitCode, reason: exitCode === 0 ? "Completed" : "Error" } } }],
  };
}

const LOGS: Record<PodScenario, string> = {
  succeeds: "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n",
  "dns-fails": "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find kubernetes.default.svc.cluster.local: NXDOMAIN\n\n",
  "never-scheduled": "",
  forbidden: "",
};

export class FakePodApi {
  scenario: PodScenario = "succeeds";
  /** Every pod created, as the client sent it. */
  readonly created: PodObject[] = [];
  /** Names of the pods deleted. */
  readonly deleted: string[] = [];
  private readonly pods = new Map<string, { object: PodObject; gets: number }>();

  /** The pods that exist now. */
  existing(): string[] {
    return [...this.pods.keys()];
  }

  reset(scenario: PodScenario = "succeeds"): void {
    this.scenario = scenario;
    this.created.length = 0;
    this.deleted.length = 0;
    this.pods.clear();
  }

  /** Handles a pods request; false when `req` is not one. */
  handle(req: IncomingMessage, body: string, res: ServerResponse): boolean {
    const match = PODS.exec(req.url ?? "");
    if (!match) return false;
    const [, namespace, name, log] = match;
    const json = (code: number, payload: string): true => {
      res.writeHead(code, { "content-type": "application/json" }).end(payload);
      return true;
    };
    const key = `${namespace}/${name}`;
    if (req.method === "POST" && !name) {
      if (this.scenario === "forbidden")
        return json(
          403,
          status(
            403,
            "Forbidden",
            `pods is forbidden: User "iam:support:alice" cannot create resource "pods" in API group "" in the namespace "${namespace}"`,
          ),
        );
      const sent = JSON.parse(body) as PodObject;
      this.created.push(sent);
      const podKey = `${namespace}/${sent.metadata.name}`;
      if (this.pods.has(podKey)) return json(409, status(409, "AlreadyExists", `pods "${sent.metadata.name}" already exists`));
      const object: PodObject = {
        ...sent,
        metadata: {
          ...sent.metadata,
          namespace,
          uid: `uid-${this.created.length}`,
          resourceVersion: "1",
          creationTimestamp: "2026-12-01T17:00:00Z",
        },
        status: { phase: "Pending", qosClass: "Burstable" },
      };
      this.pods.set(podKey, { object, gets: 0 });
      return json(201, JSON.stringify(object));
    }
    const entry = name ? this.pods.get(key) : undefined;
    if (!entry) return json(404, status(404, "NotFound", `pods "${name}" not found`));
    if (req.method === "GET" && log) {
      res.writeHead(200, { "content-type": "text/plain" }).end(LOGS[this.scenario]);
      return true;
    }
    if (req.method === "GET") {
      entry.gets++;
      const scheduled = this.scenario !== "never-scheduled";
      const object = {
        ...entry.object,
        spec: { ...entry.object.spec, ...(scheduled ? { nodeName: "general-0" } : {}) },
        status: podStatus(this.scenario, entry.gets),
      };
      return json(200, JSON.stringify(object));
    }
    if (req.method === "DELETE") {
      this.pods.delete(key);
      this.deleted.push(name);
      return json(
        200,
        JSON.stringify({ ...entry.object, metadata: { ...entry.object.metadata, deletionTimestamp: "2026-12-01T17:01:00Z" } }),
      );
    }
    return json(405, status(405, "MethodNotAllowed", `${req.method} is not supported`));
  }
}
