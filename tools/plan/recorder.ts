// Records every resource the program registers (type, name, parent, inputs with secrets still
// marked) and every component's registered outputs, by wrapping the mock monitor.
import { deserializeProperties } from "@pulumi/pulumi/runtime/rpc";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";

export interface RecordedResource {
  type: string;
  name: string;
  /** the parent's resource name, or null at the top */
  parent: string | null;
  custom: boolean;
  inputs: Record<string, unknown>;
  urn?: string;
}

export class Recorder {
  readonly resources: RecordedResource[] = [];
  /** urn -> outputs a component registered */
  readonly componentOutputs = new Map<string, Record<string, unknown>>();
  private readonly urnNames = new Map<string, string>();

  install(): void {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const monitor = getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
      const parentUrn: string = req.getParent();
      const record: RecordedResource = {
        type: req.getType(),
        name: req.getName(),
        parent: parentUrn ? parentUrn.split("::").pop() ?? null : null,
        custom: req.getCustom(),
        inputs: deserializeProperties(req.getObject()),
      };
      this.resources.push(record);
      register(req, (err: unknown, resp: any) => {
        if (resp) {
          record.urn = resp.getUrn();
          this.urnNames.set(record.urn!, record.name);
        }
        callback(err, resp);
      });
    };
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: (err: unknown, resp: any) => void) => {
      const outputs = req.getOutputs();
      if (outputs) this.componentOutputs.set(req.getUrn(), deserializeProperties(outputs));
      registerOutputs(req, callback);
    };
  }

  outputsOf(type: string): Record<string, unknown> | undefined {
    const r = this.resources.find((x) => x.type === type);
    return r?.urn ? this.componentOutputs.get(r.urn) : undefined;
  }
}
