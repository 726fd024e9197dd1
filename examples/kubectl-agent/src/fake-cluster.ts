import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ClusterState {
  deployments: Record<string, { replicas: number }>;
}

/**
 * A stand-in for a Kubernetes cluster, kept in a JSON file so that every process of the demo
 * sees the same cluster and an applied change stays applied.
 */
export class FakeCluster {
  constructor(private readonly path: string) {}

  read(): ClusterState {
    if (!existsSync(this.path))
      return { deployments: { 'checkout-api': { replicas: 2 }, 'payments-api': { replicas: 4 } } };
    return JSON.parse(readFileSync(this.path, 'utf8')) as ClusterState;
  }

  /** `kubectl apply` of a Deployment manifest: only name and replicas matter here. */
  apply(yaml: string): { deployment: string; replicas: number } {
    const name = /name:\s*([\w-]+)/.exec(yaml)?.[1];
    const replicas = Number(/replicas:\s*(\d+)/.exec(yaml)?.[1]);
    if (!name || !Number.isInteger(replicas))
      throw new Error('manifest must name a Deployment and set replicas');
    const state = this.read();
    state.deployments[name] = { replicas };
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(this.path, JSON.stringify(state, null, 2));
    return { deployment: name, replicas };
  }
}
