import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as core from '@kestrion/core';
import * as agent from '@kestrion/agent';
import * as compiler from '@kestrion/compiler';
import * as mcp from '@kestrion/mcp';
import * as providerKit from '@kestrion/core/provider-kit';
import { ERROR_CODES, EVENT_ERROR_CODES, KestrionError, exitCodeOf, httpStatusOf } from '@kestrion/core';
import { isInfrastructureError, toErrorInfo } from '../../src/engine/error-info';

const root = join(__dirname, '..', '..', '..', '..');

/** One instance of every KestrionError class of every package, built with throwaway arguments. */
function everyError(): KestrionError[] {
  const c = core;
  const lease = { kind: 'ended' } as const;
  return [
    new c.KestrionError('store', 'plain'),
    new c.ConfigurationError('x'),
    new c.UnknownNodeError('n', ['a']),
    new c.UsageError('x'),
    new c.ScriptUnconsumedError(1),
    new c.InvalidInputError('invalid_run_id', 'x'),
    new c.InvalidRunIdError('x'),
    new c.AgentMismatchError('r', 'a', 'b'),
    new c.RunNotFoundError('r'),
    new c.InvalidEventError('r', 't', 'type', 'x'),
    new c.InvalidEventDataError('r', 't', 'data', 'x'),
    new c.PayloadTooDeepError('r', 't', 'data', 64),
    new c.PayloadTooLargeError('r', 't', 2, 1),
    new c.DuplicateEventIdError('r', 'e'),
    new c.InvalidListQueryError('x'),
    new c.InvalidRunMetadataError('r', 'x'),
    new c.InvalidRunOptionsError('priority', 'x'),
    new c.InvalidDecisionError('x'),
    new c.InvalidArgumentsError('tool', 'x'),
    new c.ConcurrencyError('r', 1, 2),
    new c.RunIdTakenError('r', 3),
    new c.RunBusyError('r', 'o', 0),
    new c.LeaseLostError('r', 'x'),
    new c.RunEndedError('r', 'completed'),
    new c.RunStateError('r', 'x'),
    new c.StoreError('x'),
    new c.ProviderError('p', 'x'),
    new c.ProviderError('p', 'x', { status: 401 }),
    new c.ProviderTimeoutError('p', 1),
    new c.ProviderCancelledError('p'),
    new c.IncompleteResponseError('p', 'x'),
    new c.ProviderConnectionError('p', 'x'),
    new c.ProviderClientError('p', 'x'),
    new c.QuotaExhaustedError('p:m', 'requests', 0),
    new c.ModelMisbehaviourError('x'),
    new c.UnknownToolError('t', []),
    new c.RecordedToolError({ code: 'tool_timeout', message: 'x' }),
    new c.ToolNotRunError('call', 'rejected'),
    new c.SubRunEndedError('a', 'r', 'failed'),
    new c.ApprovalNotFoundError('r', 'x'),
    new c.ApprovalMismatchError('r', 'c', 'x'),
    new c.ApprovalAlreadyDecidedError('r', 'c', 'approved'),
    new c.ApprovalExpiredError('r', 'c', 'd'),
    new c.ApprovalRejectedError('c', 'x'),
    new c.FailedByOperatorError('c', 'x'),
    new c.CorruptLogError('r', 1, 'x'),
    new c.UnsupportedVersionError('r', 1, 't', 9, 2),
    new c.CorruptSnapshotError('r', 1, 'x'),
    new c.StepMismatchError('r', '1:0', 'a', 'b'),
    new c.ReplayDivergedError('x'),
    new c.RunInterrupted('r', lease),
    new c.ToolTimeoutError('t', 1),
    new c.LimitExceededError('x'),
    new c.UnexpectedError(new Error('x')),
    new c.RecoveryFailedError('r', new Error('x')),
    new providerKit.ScriptExhaustedError(2, 'm'),
    new agent.ManifestVersionError('m', 1, 2),
    new agent.ManifestIntegrityError('m', ['A.b'], 'x'),
    new agent.InvalidManifestSchemaError('m', 'A.b', 'parameters', 'x'),
    new agent.ManifestNotFoundError('m', 'the manifest option'),
    new agent.AgentNotInManifestError('m', 'a', false, [], undefined),
    new agent.StaleManifestError('m', 'a', 'b', 'x'),
    new agent.DecoratorUsageError('@tool', 'A.b', 'x'),
    new agent.AgentLimitError('limit_exceeded', 'x'),
    new agent.AgentLimitError('model_misbehaviour', 'x'),
    new compiler.ManifestCompileError([]),
    new compiler.CompilerConfigError('p', 'f'),
    new mcp.McpServerUnavailableError('s', 'x'),
    new mcp.McpToolError('s', 't', 'x'),
  ];
}

/** Every class exported by a package that extends KestrionError (abstract bases excluded). */
function exportedErrorClasses(...modules: object[]): Set<abstract new (...args: never[]) => unknown> {
  const abstract = new Set<unknown>([core.InfrastructureError, core.RunStatusError, core.ApprovalError]);
  return new Set(
    modules
      .flatMap((m) => Object.values(m))
      .filter(
        (v): v is abstract new (...args: never[]) => unknown =>
          typeof v === 'function' &&
          (v === KestrionError || v.prototype instanceof KestrionError) &&
          !abstract.has(v),
      ),
  );
}

describe('the closed error-code table', () => {
  const errors = everyError();

  it('has every class of every package carry a code from the table', () => {
    const outside = errors.filter((e) => !(e.code in ERROR_CODES)).map((e) => `${e.name}: ${e.code}`);
    expect(outside).toEqual([]);
  });

  it('has every code in the table used by at least one class', () => {
    const used = new Set(errors.map((e) => e.code));
    expect(Object.keys(ERROR_CODES).filter((code) => !used.has(code as core.ErrorCode))).toEqual([]);
  });

  it('samples every exported error class (a new class must be added above, with its code)', () => {
    const sampled = new Set(errors.map((e) => e.constructor));
    const missing = [...exportedErrorClasses(core, providerKit, agent, compiler, mcp)]
      .filter((cls) => !sampled.has(cls))
      .map((cls) => cls.name);
    expect(missing).toEqual([]);
  });

  it("gives each error the table's retryable default unless its class decides per failure", () => {
    const perFailure = (e: KestrionError): boolean =>
      e instanceof core.ProviderError || e instanceof core.StoreError;
    const wrong = errors
      .filter((e) => !perFailure(e) && e.retryable !== ERROR_CODES[e.code].retryable)
      .map((e) => `${e.name} (${e.code}): ${e.retryable}`);
    expect(wrong).toEqual([]);
    expect(new core.ProviderError('p', 'x', { status: 401 }).retryable).toBe(false);
    expect(new core.StoreError('x', { retryable: true }).retryable).toBe(true);
  });

  it('documents every code: meaning, fault, an HTTP status, and exit code 1 or 2 (never a run outcome)', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect([code, spec.meaning.length > 10]).toEqual([code, true]);
      expect([code, spec.httpStatus >= 400 && spec.httpStatus < 600]).toEqual([code, true]);
      expect([code, [1, 2].includes(spec.exitCode)]).toEqual([code, true]);
    }
  });

  it('keeps the event error codes in the table, byte for byte', () => {
    expect([...EVENT_ERROR_CODES].sort()).toEqual(
      [
        'approval_expired',
        'approval_mismatch',
        'approval_rejected',
        'error',
        'failed_by_operator',
        'invalid_arguments',
        'limit_exceeded',
        'tool_not_run',
        'unknown_tool',
      ].sort(),
    );
    for (const code of EVENT_ERROR_CODES) expect(ERROR_CODES).toHaveProperty([code]);
  });

  it('has every code literal the engine writes into an event in the event sub-union', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = join(dir, n);
        return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
      });
    const literals = ['packages/core/src', 'packages/agent/src'].flatMap((d) =>
      files(join(root, d))
        .filter((f) => !relative(root, f).startsWith('packages/core/src/errors/')) // the classes' own declarations
        .flatMap((f) =>
          [...readFileSync(f, 'utf8').matchAll(/\bcode: '([a-z_]+)'/g)].map((m) => ({
            file: relative(root, f),
            code: m[1] as string,
          })),
        ),
    );
    expect(literals.length).toBeGreaterThan(5);
    const stray = literals.filter((l) => !(EVENT_ERROR_CODES as readonly string[]).includes(l.code));
    expect(stray).toEqual([]);
  });

  it('maps errors to HTTP statuses and CLI exit codes', () => {
    expect(httpStatusOf(new core.RunNotFoundError('r'))).toBe(404);
    expect(httpStatusOf(new core.ConcurrencyError('r', 1, 2))).toBe(409);
    expect(httpStatusOf(new core.PayloadTooLargeError('r', 't', 2, 1))).toBe(413);
    expect(httpStatusOf(new core.StoreError('x'))).toBe(503);
    expect(httpStatusOf(new core.ProviderTimeoutError('p', 1))).toBe(504);
    expect(httpStatusOf(new Error('bug'))).toBe(500);
    expect(httpStatusOf('thrown string')).toBe(500);
    expect(exitCodeOf(new core.ConfigurationError('x'))).toBe(2);
    expect(exitCodeOf(new compiler.CompilerConfigError('p', 'f'))).toBe(2);
    expect(exitCodeOf(new core.UsageError('x'))).toBe(2);
    expect(exitCodeOf(new core.InvalidDecisionError('x'))).toBe(2);
    expect(exitCodeOf(new compiler.ManifestCompileError([]))).toBe(1);
    expect(exitCodeOf(new core.StepMismatchError('r', '1:0', 'a', 'b'))).toBe(1);
    expect(exitCodeOf(new Error('bug'))).toBe(1);
  });

  it('makes errors of other packages instances of the core classes', () => {
    expect(new agent.ManifestIntegrityError('m', ['A.b'], 'x')).toBeInstanceOf(core.ConfigurationError);
    expect(new agent.DecoratorUsageError('@tool', 'A.b', 'x')).toBeInstanceOf(core.ConfigurationError);
    expect(new compiler.CompilerConfigError('p', 'f')).toBeInstanceOf(core.ConfigurationError);
    expect(new compiler.CompilerConfigError('p', 'f').name).toBe('CompilerConfigError');
    expect(new compiler.ManifestCompileError([])).toBeInstanceOf(KestrionError);
    expect(new compiler.ManifestCompileError([]).name).toBe('ManifestCompileError');
  });
});

describe('deciding by class, not by code', () => {
  it('treats the InfrastructureError family as "this driver must stop", except a taken run id', () => {
    expect(isInfrastructureError(new core.ConcurrencyError('r', 1, 2))).toBe(true);
    expect(isInfrastructureError(new core.RunBusyError('r', 'o', 0))).toBe(true);
    expect(isInfrastructureError(new core.LeaseLostError('r', 'x'))).toBe(true);
    expect(isInfrastructureError(new core.StoreError('x'))).toBe(true);
    expect(isInfrastructureError(new core.RunIdTakenError('r', 3))).toBe(false);
    expect(isInfrastructureError(new core.RunEndedError('r', 'failed'))).toBe(false);
    expect(isInfrastructureError(new core.ProviderError('p', 'x'))).toBe(false);
  });

  it('decides by the class even when a code is reused or spoofed', () => {
    // A KestrionError that merely carries the code `store` is not a store failure.
    expect(isInfrastructureError(new core.KestrionError('store', 'x'))).toBe(false);
    class CustomStoreError extends core.StoreError {}
    expect(isInfrastructureError(new CustomStoreError('x'))).toBe(true);
  });

  it('tells which recorded tool failures the model can repair from the table', () => {
    expect(core.isModelRepairable('invalid_arguments')).toBe(true);
    expect(core.isModelRepairable('unknown_tool')).toBe(true);
    expect(core.isModelRepairable('tool_timeout')).toBe(false);
    expect(core.isModelRepairable('error')).toBe(false);
    expect(core.isModelRepairable('some_code_of_an_old_log')).toBe(false);
    expect(core.isModelRepairable('constructor')).toBe(false);
  });

  it('records a replayed tool failure exactly as the log had it, and anything else by code', () => {
    const recorded = { code: 'legacy_code', message: 'Error: boom', errors: ['a'] };
    expect(toErrorInfo(new core.RecordedToolError(recorded))).toEqual(recorded);
    expect(toErrorInfo(new core.UnexpectedError(new TypeError('bad')))).toEqual(
      toErrorInfo(new TypeError('bad')),
    );
    expect(toErrorInfo(new core.LeaseLostError('r', 'x')).code).toBe('lease_lost');
  });
});
