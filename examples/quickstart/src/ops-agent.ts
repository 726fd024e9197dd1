import { agent, tool } from '@kestrion/agent';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface ClusterState {
  /** Replica counts by deployment name. */
  deployments: Record<string, number>;
}

const CLUSTER_FILE = process.env.QUICKSTART_CLUSTER ?? '.kestrion/quickstart-cluster.json';

// `name` is the agent's stable id: its runs and its manifest entries (`ops.getClusterState`)
// go by it, so a bundler renaming the class changes nothing.
@agent({ name: 'ops', instructions: 'You are a careful SRE. Inspect before you change anything.' })
export class OpsAgent {
  /** Read current deployment replica counts. */
  @tool({ idempotent: true })
  async getClusterState(): Promise<ClusterState> {
    if (!existsSync(CLUSTER_FILE)) return { deployments: { 'checkout-api': 2 } };
    return JSON.parse(readFileSync(CLUSTER_FILE, 'utf8')) as ClusterState;
  }

  /**
   * kubectl apply a manifest.
   * @param yaml The manifest to apply.
   */
  @tool({ requiresApproval: true })
  async applyManifest(yaml: string): Promise<string> {
    const name = /name:\s*([\w-]+)/.exec(yaml)?.[1] ?? 'unknown';
    const replicas = Number(/replicas:\s*(\d+)/.exec(yaml)?.[1] ?? 0);
    const state = await this.getClusterState();
    state.deployments[name] = replicas;
    writeFileSync(CLUSTER_FILE, JSON.stringify(state));
    return `deployment.apps/${name} configured (replicas=${replicas})`;
  }
}
