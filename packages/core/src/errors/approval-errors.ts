import type { ErrorCodeOf } from './error-codes';
import { KestrionError } from './kestrion-error';

/** A human decision is missing, late, refused, or does not fit the call it claims to decide. */
export abstract class ApprovalError extends KestrionError {
  constructor(code: ErrorCodeOf<'approval'>, message: string) {
    super(code, message);
  }
}

export class ApprovalNotFoundError extends ApprovalError {
  constructor(runId: string, detail: string) {
    super('approval_not_found', `run ${JSON.stringify(runId)}: ${detail}`);
  }
}

/** The decision does not match the call it claims to decide (tool, arguments, role). */
export class ApprovalMismatchError extends ApprovalError {
  constructor(runId: string, callId: string, detail: string) {
    super('approval_mismatch', `run ${JSON.stringify(runId)} call ${callId}: ${detail}`);
  }
}

export class ApprovalAlreadyDecidedError extends ApprovalError {
  constructor(runId: string, callId: string, status: string) {
    super(
      'approval_already_decided',
      `run ${JSON.stringify(runId)} call ${callId} was already decided (${status})`,
    );
  }
}

export class ApprovalExpiredError extends ApprovalError {
  constructor(runId: string, callId: string, deadline: string) {
    super(
      'approval_expired',
      `run ${JSON.stringify(runId)} call ${callId}: the approval deadline ${deadline} has passed`,
    );
  }
}

/**
 * A person rejected the call. The engine records `approval_rejected` in the result the node
 * receives (and, with `onReject: 'fail'`, in `run.failed`); this class gives the code a type.
 */
export class ApprovalRejectedError extends ApprovalError {
  constructor(
    readonly callId: string,
    message: string,
  ) {
    super('approval_rejected', message);
  }
}

/**
 * An operator recorded a failure for a call whose outcome was unknown (`failTool`); recorded as
 * `failed_by_operator` in `tool.failed`. This class gives the code a type.
 */
export class FailedByOperatorError extends ApprovalError {
  constructor(
    readonly callId: string,
    reason: string,
  ) {
    super('failed_by_operator', reason);
  }
}
