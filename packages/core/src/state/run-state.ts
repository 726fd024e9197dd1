import type { ErrorInfo, WaitingReason } from '../events/event-types';
import type { Json, JsonObject } from '../util/json';

export type RunStatus =
  'pending' | 'running' | 'waiting_on_human' | 'completed' | 'failed' | 'cancelled' | 'expired';

export const TERMINAL_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'expired'];

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export type ToolCallStatus =
  | 'requested'
  | 'awaiting_approval'
  | 'approved'
  | 'rejected'
  | 'expired'
  | 'started'
  | 'completed'
  | 'failed'
  | 'outcome_unknown'
  | 'suspended';

export interface ApprovalDecision {
  by: string;
  role?: string;
  at: string;
  reason?: string;
}

/** A grant, with what it approved: the tool and the hash of the arguments that will run. */
export interface ApprovalGrant extends ApprovalDecision {
  tool: string;
  argsHash: string;
}

export interface ToolCallState {
  callId: string;
  stepKey: string;
  tool: string;
  /** The arguments the tool will run with (edited arguments replace the model's). */
  args: Json;
  argsHash: string;
  /** Set when an approver edited the arguments: the hash the node originally requested. */
  requestedArgsHash?: string;
  /**
   * Who edited the arguments while approving. `counted`: the edit also counts as the first
   * grant of the chain the edited arguments need (the editor carries its first role).
   */
  edit?: { by: string; role?: string; at: string; counted: boolean };
  status: ToolCallStatus;
  requiredRoles: string[];
  grants: ApprovalGrant[];
  rejection?: ApprovalDecision;
  approvalRequestedAt?: string;
  deadline?: string;
  attempts: number;
  idempotencyKey?: string;
  /** The lease owner (process) that started the latest attempt. */
  startedBy?: string;
  /** A person allowed one more attempt after an unknown outcome. */
  retryApproved?: boolean;
  /** The run this call waits on while `suspended` (a sub-agent's run). */
  waitingOn?: string;
  /** The identity of the tool this call runs (as requested, or as last approved again). */
  toolIdentity?: { [part: string]: string };
  /** Why the call was asked about again (its tool changed): shown with the pending approval. */
  approvalReason?: string;
  /** Why the tool itself could not tell whether its effect happened (`ToolOutcomeUnknown`). */
  outcomeReason?: string;
  result?: Json;
  error?: ErrorInfo;
}

export interface LlmStepState {
  stepKey: string;
  model: string;
  attempts: number;
  response?: Json;
  error?: ErrorInfo;
}

/** What a deterministic step key was used for; a different use at the same key is a code change. */
export interface StepIdentity {
  kind: 'tool' | 'llm';
  name: string;
  /** The tool call recorded at this step. */
  callId?: string;
}

export interface RunTotals {
  usd: number;
  /** Model calls whose price was unknown (their usd is not guessed). */
  unpricedCalls: number;
  inputTokens: number;
  outputTokens: number;
  llmCalls: number;
  toolCalls: number;
}

/** A run's whole state, derived only by folding its events. */
export interface RunState {
  runId: string;
  agent: string;
  status: RunStatus;
  waitingReason?: WaitingReason;
  input: Json;
  parentRunId?: string;
  forkedFrom?: { runId: string; atSeq: number };
  limits: JsonObject;
  currentNode?: string;
  /** Node visits so far (the engine's step counter). */
  visits: number;
  /** The user's graph state, built from `state.patched` deltas. */
  data: JsonObject;
  /** Messages sent with `run.input` after the start. */
  inbox: Json[];
  calls: Record<string, ToolCallState>;
  callOrder: string[];
  llmSteps: Record<string, LlmStepState>;
  steps: Record<string, StepIdentity>;
  totals: RunTotals;
  cancelRequested?: { by: string; reason?: string };
  /** Set by `run.throttled` until the next event: the run is due again at `untilMs`. */
  throttled?: { bucket: string; untilMs: number };
  output?: Json;
  error?: ErrorInfo;
  seq: number;
  createdAt: string;
  updatedAt: string;
}
