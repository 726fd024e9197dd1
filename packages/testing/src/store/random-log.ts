import fc from 'fast-check';
import type { NewEvent } from '@kestrion/core';

/**
 * Random but well-formed run logs: a start, then node visits, state deltas, tool calls with
 * approvals and outcomes, model calls with cost, parks and inputs, in any interleaving.
 */
export function arbitraryRunLog(maxLength = 60): fc.Arbitrary<NewEvent[]> {
  const json = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<NewEvent['data']>;
  const step = fc.oneof(
    fc.record({ kind: fc.constant('node' as const), node: fc.constantFrom('a', 'b', 'c') }),
    fc.record({
      kind: fc.constant('patch' as const),
      key: fc.constantFrom('k1', 'k2', 'list'),
      value: json,
      append: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('tool' as const),
      args: json,
      gated: fc.boolean(),
      outcome: fc.constantFrom('ok', 'fail', 'unknown', 'reject'),
    }),
    fc.record({
      kind: fc.constant('llm' as const),
      usd: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
      tokens: fc.nat(5000),
    }),
    fc.record({ kind: fc.constant('input' as const), message: json }),
  );
  return fc.array(step, { maxLength }).map((steps) => {
    let t = Date.UTC(2026, 0, 1);
    let n = 0;
    const out: NewEvent[] = [];
    const push = (type: string, data: unknown, extra: Partial<NewEvent> = {}) => {
      n += 1;
      t += 1000;
      out.push({
        id: `e${n}`,
        type,
        at: new Date(t).toISOString(),
        data: data as NewEvent['data'],
        ...extra,
      });
    };
    push('run.started', { agent: 'prop', input: 'go' });
    steps.forEach((s, i) => {
      if (s.kind === 'node') push('node.entered', { node: s.node, visit: i + 1 });
      if (s.kind === 'patch') {
        const patch = s.append ? { append: { [s.key]: [s.value] } } : { set: { [s.key]: s.value } };
        // Both ways a log records a transition's patch: v1's state.patched, v2's node.entered.
        if (i % 2 === 0) push('state.patched', { node: 'a', patch });
        else push('node.entered', { node: 'b', visit: i + 1, patch }, { v: 2 });
      }
      if (s.kind === 'input') push('run.input', { message: s.message });
      if (s.kind === 'llm') {
        push('llm.requested', { stepKey: `v${i}:0`, model: 'm', attempt: 1 });
        push(
          'llm.completed',
          { stepKey: `v${i}:0`, response: { text: 'ok' } },
          { cost: { usd: s.usd, inputTokens: s.tokens, outputTokens: 7 } },
        );
      }
      if (s.kind === 'tool') {
        const callId = `c${i}`;
        push('tool.requested', { callId, stepKey: `v${i}:1`, tool: 't', args: s.args, argsHash: `h${i}` });
        if (s.gated) {
          push('approval.requested', { callId, tool: 't', argsHash: `h${i}`, roles: [] });
          push('run.waiting', { reason: 'approval', node: 'a' });
          if (s.outcome === 'reject') return push('approval.rejected', { callId, by: 'bob', reason: 'no' });
          push('approval.granted', { callId, tool: 't', by: 'alice', argsHash: `h${i}`, complete: true });
        }
        push('tool.started', { callId, attempt: 1, idempotencyKey: `${callId}:1` });
        if (s.outcome === 'ok' || s.outcome === 'reject')
          push('tool.completed', { callId, result: { ok: true } });
        if (s.outcome === 'fail') push('tool.failed', { callId, error: { code: 'x', message: 'boom' } });
        if (s.outcome === 'unknown') {
          push('tool.outcome_unknown', { callId, attempt: 1 });
          push('run.waiting', { reason: 'outcome_unknown' });
          push('tool.completed', { callId, result: 'supplied', by: 'ops' });
        }
      }
    });
    return out;
  });
}
