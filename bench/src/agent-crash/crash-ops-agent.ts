import { agent, tool, type ToolContext } from '@kestrion/agent';
import type { EffectLedger } from '@kestrion/testing';

export interface ReplicaCount {
  deployment: string;
  replicas: number;
}

/**
 * The agent of the agent crash matrix: one idempotent read and one gated, non-idempotent
 * change, both recording their effect in the crash harness's {@link EffectLedger} (a file,
 * so what a tool did survives the SIGKILL of its process). The read honours its idempotency
 * key (a second attempt changes nothing); `scale` applies blindly, as most real systems do.
 */
@agent({ name: 'crash-ops', instructions: 'You keep the web deployment at 3 replicas.' })
export class CrashOpsAgent {
  constructor(
    private readonly ledger: EffectLedger,
    /** SIGKILL this process inside the named tool, after its effect, before its result is recorded. */
    private readonly killInsideTool?: string,
  ) {}

  /**
   * Read how many replicas a deployment runs.
   * @param deployment The deployment.
   */
  @tool({ idempotent: true })
  async readReplicas(deployment: string, ctx?: ToolContext): Promise<ReplicaCount> {
    const key = ctx?.idempotencyKey ?? '';
    const done = this.ledger.applied(key);
    const result = (done?.result as ReplicaCount | undefined) ?? { deployment, replicas: 2 };
    return this.effect('readReplicas', ctx, key, !done, result);
  }

  /**
   * Scale a deployment to a replica count.
   * @param deployment The deployment.
   * @param replicas The replica count it should run.
   */
  @tool({ requiresApproval: true })
  async scale(deployment: string, replicas: number, ctx?: ToolContext): Promise<ReplicaCount> {
    return this.effect('scale', ctx, ctx?.idempotencyKey ?? '', true, { deployment, replicas });
  }

  private effect(
    name: string,
    ctx: ToolContext | undefined,
    key: string,
    applied: boolean,
    result: ReplicaCount,
  ): ReplicaCount {
    this.ledger.record({ kind: 'tool', name, runId: ctx?.runId ?? '?', key, applied, result: { ...result } });
    if (this.killInsideTool === name) process.kill(process.pid, 'SIGKILL');
    return result;
  }
}
