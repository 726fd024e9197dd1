import fc from 'fast-check';
import type { EventType, NewEvent, WaitingReason } from '@kestrion/core';

/**
 * Every core event type, checked by the compiler against `EventPayloads`: a type added to the
 * protocol without being listed here fails the type-check, and the property test fails when the
 * generator stops drawing one of them.
 */
export const CORE_EVENT_TYPES: readonly EventType[] = Object.keys({
  'run.started': true,
  'run.input': true,
  'node.entered': true,
  'state.patched': true,
  'llm.requested': true,
  'llm.completed': true,
  'llm.failed': true,
  'tool.requested': true,
  'approval.requested': true,
  'approval.granted': true,
  'approval.rejected': true,
  'approval.expired': true,
  'tool.started': true,
  'tool.completed': true,
  'tool.failed': true,
  'tool.outcome_unknown': true,
  'tool.retry_approved': true,
  'tool.suspended': true,
  'run.waiting': true,
  'run.throttled': true,
  'run.completed': true,
  'run.failed': true,
  'run.cancel_requested': true,
  'run.cancelled': true,
  'run.forked': true,
} satisfies Record<EventType, true>) as EventType[];

type CallStatus = 'requested' | 'awaiting' | 'approved' | 'started' | 'unknown' | 'suspended' | 'done';

interface SimCall {
  id: string;
  status: CallStatus;
  /** Roles of the chain still to be granted (the chain of the arguments that will run). */
  roles: string[];
  grants: number;
  /** Has a grant or an edit (what `Engine.fork` revokes while the call has no outcome). */
  decided: boolean;
  deadline: boolean;
  attempts: number;
}

/** One random choice; interpreted against the simulated run, so every log is one the engine could write. */
interface Step {
  kind: 'node' | 'patch' | 'llm' | 'tool' | 'input' | 'end' | 'cancel' | 'fork' | 'note';
  pick: number;
  value: NewEvent['data'];
  flag: boolean;
  usd: number | null;
}

/**
 * Random but well-formed run logs, drawing every core event type: node visits and state deltas
 * (both encodings), model calls that complete or fail, tool calls that complete, fail, fail
 * validation, are retried after a crash, end with an unknown outcome (supplied, failed or
 * retried), suspend on another run, or are gated — single approvals, role chains granted step
 * by step, edits (counted or not, with their own chain), rejections, expiries of every outcome,
 * model calls throttled by a full provider quota,
 * deadlines — parks and inputs, cancellation (requested while parked, or while running and
 * honoured at the next boundary), forks that revoke grants without an outcome, extension events,
 * and every way a run ends. A run that ended gets no more events.
 *
 * A fork's log is the copied prefix followed by `run.forked`, appended at once by
 * `Engine.fork`: callers append everything up to the last `run.forked` in one append.
 */
export function arbitraryRunLog(maxLength = 60): fc.Arbitrary<NewEvent[]> {
  const json = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<NewEvent['data']>;
  const step: fc.Arbitrary<Step> = fc.record({
    kind: fc.oneof(
      { weight: 3, arbitrary: fc.constant('node' as const) },
      { weight: 3, arbitrary: fc.constant('patch' as const) },
      { weight: 3, arbitrary: fc.constant('llm' as const) },
      { weight: 10, arbitrary: fc.constant('tool' as const) },
      { weight: 2, arbitrary: fc.constant('input' as const) },
      { weight: 1, arbitrary: fc.constant('end' as const) },
      { weight: 1, arbitrary: fc.constant('cancel' as const) },
      { weight: 2, arbitrary: fc.constant('fork' as const) },
      { weight: 1, arbitrary: fc.constant('note' as const) },
    ),
    pick: fc.nat(1000),
    value: json,
    flag: fc.boolean(),
    usd: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  });
  return fc.array(step, { minLength: 1, maxLength, size: 'max' }).map(buildLog);
}

function buildLog(steps: Step[]): NewEvent[] {
  let t = Date.UTC(2026, 0, 1);
  let n = 0;
  const out: NewEvent[] = [];
  const push = (type: string, data: unknown, extra: Partial<NewEvent> = {}): void => {
    n += 1;
    t += 1000;
    out.push({ id: `e${n}`, type, at: new Date(t).toISOString(), data: data as NewEvent['data'], ...extra });
  };
  const calls: SimCall[] = [];
  let visit = 0;
  let status: 'live' | 'parked' | 'ended' = 'live';
  let reason: WaitingReason = 'approval';
  let cancelRequested = false;
  let suspended: SimCall | undefined;
  let forks = 0;
  /** Unparked by a decision: a driver runs the approved calls when it next resumes the run. */
  let decidedBy: 'grant' | 'rejection' | undefined;

  const enter = (node: string, patch?: unknown): void => {
    visit += 1;
    if (patch) push('node.entered', { node, visit, patch }, { v: 2 });
    else push('node.entered', { node, visit });
  };
  const park = (why: WaitingReason): void => {
    push('run.waiting', { reason: why, node: 'a' });
    status = 'parked';
    reason = why;
  };
  const awaiting = () => calls.filter((c) => c.status === 'awaiting');
  const start = (c: SimCall): void => {
    c.attempts += 1;
    c.status = 'started';
    push('tool.started', {
      callId: c.id,
      attempt: c.attempts,
      idempotencyKey: `run:${c.id}`,
      owner: 'h:1:x',
    });
  };
  const finish = (c: SimCall, ok: boolean, by?: string): void => {
    c.status = 'done';
    if (ok) push('tool.completed', { callId: c.id, result: { ok: true }, ...(by ? { by } : {}) });
    else
      push('tool.failed', {
        callId: c.id,
        error: { code: 'tool_error', message: 'boom' },
        ...(by ? { by } : {}),
      });
  };
  const fail = (code: string): void => {
    push('run.failed', { error: { code, message: code } });
    status = 'ended';
  };
  /** The driver after a decision unparked the run: approved calls run, or the run fails on a rejection. */
  const driveOn = (s: Step, rejected: boolean): void => {
    if (rejected && s.pick % 5 === 0) return fail('approval_rejected');
    for (const c of calls.filter((x) => x.status === 'approved')) {
      start(c);
      finish(c, s.pick % 7 !== 1);
    }
  };
  const newCall = (s: Step, i: number): SimCall => {
    const c: SimCall = {
      id: `c${calls.length}`,
      status: 'requested',
      roles: [],
      grants: 0,
      decided: false,
      deadline: false,
      attempts: 0,
    };
    calls.push(c);
    push('tool.requested', {
      callId: c.id,
      stepKey: `${visit}:${i}`,
      tool: 't',
      args: s.value,
      argsHash: `h${c.id}`,
    });
    return c;
  };
  const gate = (c: SimCall, s: Step): void => {
    c.roles = (['sre', 'lead'] as const).slice(0, s.pick % 3);
    c.deadline = s.flag;
    c.status = 'awaiting';
    push('approval.requested', {
      callId: c.id,
      tool: 't',
      argsHash: `h${c.id}`,
      roles: c.roles,
      ...(c.deadline ? { deadline: new Date(t + 3_600_000 * (1 + (s.pick % 5))).toISOString() } : {}),
    });
  };

  const decideApproval = (s: Step): void => {
    const c = awaiting()[0];
    if (!c) return;
    const choice = s.pick % 9;
    if (choice <= 2 || (choice === 3 && c.grants > 0)) {
      // The chain's next grant.
      const role = c.roles[c.grants];
      const complete = c.grants + 1 >= Math.max(c.roles.length, 1);
      c.grants += 1;
      c.decided = true;
      push('approval.granted', {
        callId: c.id,
        tool: 't',
        by: `p${c.grants}`,
        argsHash: `h${c.id}`,
        ...(role !== undefined ? { role } : {}),
        complete,
      });
      if (complete) c.status = 'approved';
    } else if (choice === 3) {
      // An edit: the edited arguments' chain, counted as its first step or not.
      const roles = (['sre', 'lead'] as const).slice(0, s.pick % 3);
      const counted = roles.length === 0 || s.flag;
      const complete = counted && roles.length <= 1;
      c.roles = [...roles];
      c.grants = counted ? 1 : 0;
      c.decided = true;
      push('approval.granted', {
        callId: c.id,
        tool: 't',
        by: 'editor',
        ...(counted && roles[0] !== undefined ? { role: roles[0] } : {}),
        argsHash: `h${c.id}`,
        editedArgs: { edited: s.value },
        editedArgsHash: `e${c.id}`,
        roles,
        counted,
        complete,
      });
      if (complete) c.status = 'approved';
    } else if (choice >= 5 && choice <= 7 && c.deadline) {
      const outcome = (['reject', 'fail', 'expire'] as const)[choice - 5] ?? 'reject';
      c.status = 'done';
      push('approval.expired', { callId: c.id, outcome });
      if (outcome === 'expire') status = 'ended';
      else if (outcome === 'fail') fail('approval_expired');
      else if (awaiting().length === 0) unpark('rejection');
      return;
    } else {
      // A rejection: the last decision unparks the run (the node gets it, or the run fails).
      c.status = 'done';
      push('approval.rejected', { callId: c.id, by: 'bob', ...(s.flag ? { reason: 'no' } : {}) });
      if (awaiting().length === 0) unpark('rejection');
      return;
    }
    if (awaiting().length === 0) unpark('grant');
    // Forked right after a decision: grants without an outcome are revoked in the fork.
    if ((awaiting().length > 0 ? s.flag : s.pick % 4 === 0) && forks < 2) doFork();
  };
  const unpark = (by: 'grant' | 'rejection'): void => {
    status = 'live';
    decidedBy = by;
  };
  const decideOutcome = (s: Step): void => {
    const c = calls.find((x) => x.status === 'unknown');
    if (!c) return;
    const choice = s.pick % 4;
    status = 'live';
    if (choice === 0) finish(c, true, 'ops');
    else if (choice === 1) finish(c, false, 'ops');
    else {
      push('tool.retry_approved', { callId: c.id, by: 'ops' });
      start(c);
      finish(c, s.flag);
    }
  };

  const doFork = (): void => {
    // The fork's log: this prefix, copied, then run.forked (Engine.fork's one append).
    const revoked = calls.filter(
      (c) => c.decided && ['awaiting', 'approved', 'started', 'unknown', 'suspended'].includes(c.status),
    );
    forks += 1;
    push('run.forked', {
      fromRunId: `src${forks}`,
      atSeq: out.length,
      ...(revoked.length > 0 ? { revokedApprovals: revoked.map((c) => c.id) } : {}),
    });
    for (const c of revoked) {
      c.status = 'requested';
      c.grants = 0;
      c.decided = false;
      c.deadline = false;
      if (suspended === c) suspended = undefined;
    }
    const blocked = calls.some((c) => c.status === 'unknown' || c.status === 'suspended');
    if (
      revoked.length > 0 &&
      status === 'parked' &&
      reason !== 'input' &&
      awaiting().length === 0 &&
      !blocked
    )
      status = 'live';
    // Resumed, the fork's node asks again for the calls whose grants it revoked.
    if (status === 'live' && revoked.length > 0) {
      for (const c of revoked) {
        c.status = 'awaiting';
        c.roles = [];
        push('approval.requested', { callId: c.id, tool: 't', argsHash: `h${c.id}`, roles: [] });
      }
      park('approval');
    }
  };

  push('run.started', { agent: 'prop', input: 'go' });
  steps.forEach((s, i) => {
    if (status === 'ended') return;
    if (cancelRequested) {
      push('run.cancelled', { by: 'ops' });
      status = 'ended';
      return;
    }
    if (s.kind === 'note') return push('acme:note.added', { text: 'note' });
    if (s.kind === 'fork' && forks < 2) return doFork();
    if (decidedBy && s.kind !== 'cancel' && s.kind !== 'fork') {
      const rejected = decidedBy === 'rejection';
      decidedBy = undefined;
      return driveOn(s, rejected);
    }
    if (s.kind === 'cancel') {
      push('run.cancel_requested', { by: 'ops', ...(s.flag ? { reason: 'wrong cluster' } : {}) });
      // Parked: cancelled when a driver next looks (maybe not in this log). Running: at the next boundary.
      if (status === 'parked' && s.pick % 2 === 0) return void (cancelRequested = true);
      if (status === 'live' && s.flag) {
        push('llm.requested', { stepKey: `${visit}:9`, model: 'm', attempt: 1 });
        push('llm.completed', { stepKey: `${visit}:9`, response: { text: 'ok' } }, { cost: { usd: s.usd } });
      }
      push('run.cancelled', { by: 'ops' });
      status = 'ended';
      return;
    }
    if (status === 'parked') {
      if (suspended) {
        // The sub-run moved on: the suspended call runs again.
        const c = suspended;
        suspended = undefined;
        status = 'live';
        start(c);
        return finish(c, s.flag);
      }
      if (reason === 'approval') return decideApproval(s);
      if (reason === 'outcome_unknown') return decideOutcome(s);
      push('run.input', { message: s.value });
      status = 'live';
      return;
    }
    switch (s.kind) {
      case 'node':
        return enter((['a', 'b', 'c'] as const)[s.pick % 3] ?? 'a');
      case 'patch': {
        const patch = s.flag ? { append: { list: [s.value] } } : { set: { [`k${s.pick % 2}`]: s.value } };
        // Both ways a log records a transition's patch: v1's state.patched, v2's node.entered.
        if (s.pick % 2 === 0) return push('state.patched', { node: 'a', patch });
        return enter('b', patch);
      }
      case 'llm': {
        const stepKey = `${visit}:${i}`;
        push('llm.requested', { stepKey, model: 'm', attempt: 1 });
        if (s.pick % 4 === 0)
          return push(
            'llm.failed',
            { stepKey, attempt: 1, error: { code: 'provider', message: 'overloaded' } },
            s.usd === null ? {} : { cost: { usd: s.usd } },
          );
        if (s.pick % 4 === 1 && s.flag) {
          // The provider quota was full: the call failed unsent and the run waits for room.
          push('llm.failed', { stepKey, attempt: 1, error: { code: 'quota_exhausted', message: 'full' } });
          return push('run.throttled', { node: 'a', bucket: 'p:m', reason: 'tokens', untilMs: t + 30_000 });
        }
        return push(
          'llm.completed',
          { stepKey, response: { text: 'ok' } },
          { cost: { usd: s.usd, inputTokens: s.pick, outputTokens: 7 } },
        );
      }
      case 'input':
        if (s.flag) return push('run.input', { message: s.value });
        return park('input');
      case 'end':
        if (s.pick % 3 === 0) return fail('limit_exceeded');
        push('run.completed', { output: s.value });
        status = 'ended';
        return;
      case 'fork':
        return enter('a');
      case 'tool':
        return toolStep(s, i);
    }
  });
  return out;

  function toolStep(s: Step, i: number): void {
    const variant = s.pick % 8;
    const c = newCall(s, i);
    if (variant === 0) {
      // Unknown tool or invalid arguments: failed at once, never started.
      c.status = 'done';
      return push('tool.failed', {
        callId: c.id,
        error: { code: 'invalid_arguments', message: 'bad', errors: [] },
      });
    }
    if (variant <= 2) {
      // Gated, alone or with a second gated call of the same batch.
      gate(c, s);
      if (variant === 2) gate(newCall(s, i + 1000), { ...s, pick: s.pick + 1, flag: !s.flag });
      return park('approval');
    }
    start(c);
    if (variant === 3) return finish(c, s.flag);
    if (variant === 4) {
      // An idempotent call retried after a crash.
      start(c);
      return finish(c, true);
    }
    if (variant === 5) {
      c.status = 'unknown';
      push('tool.outcome_unknown', { callId: c.id, attempt: c.attempts });
      return park('outcome_unknown');
    }
    if (variant === 6) {
      const why = (['approval', 'input', 'outcome_unknown'] as const)[s.pick % 3] ?? 'approval';
      c.status = 'suspended';
      suspended = c;
      push('tool.suspended', { callId: c.id, waitingOn: `child-${c.id}`, reason: why });
      return park(why);
    }
    return finish(c, true);
  }
}
