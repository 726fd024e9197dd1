import { DecoratorUsageError } from './decorator-usage-error';
import { recordTool } from './tool-metadata';
import type { ToolOptions } from './tool-options';

/** A method decorator usable under `experimentalDecorators` and under TypeScript 5 standard decorators. */
export type ToolDecorator = {
  // Standard (TC39) decorators.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the shape ClassMethodDecoratorContext requires
  <This, Value extends (this: This, ...args: any) => any>(
    value: Value,
    context: ClassMethodDecoratorContext<This, Value>,
  ): void;
  // Legacy `experimentalDecorators`.
  (target: object, propertyKey: string | symbol, descriptor?: PropertyDescriptor): void;
};

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Marks a method as a tool the model may call. The schema compiler (`kestrion-compile`) turns
 * its parameter types and JSDoc into JSON Schema; `toolsOf` pairs the two at runtime.
 *
 * Works with both `experimentalDecorators` (+ `emitDecoratorMetadata`) and standard decorators.
 * Put anywhere but on an instance method (a field, an accessor, a static method) it throws
 * {@link DecoratorUsageError} while the class is being defined.
 *
 * @example
 * ```ts
 * class Ops {
 *   /** Apply a manifest. @param yaml The manifest. *\/
 *   @tool({ requiresApproval: 'sre' }) async apply(yaml: string) {}
 * }
 * ```
 */
export function tool(options: ToolOptions = {}): ToolDecorator {
  return ((...args: unknown[]): void => {
    if (isStandardContext(args[1])) {
      const context = args[1];
      const where = `${context.static ? 'static ' : ''}${context.kind} ${String(context.name)}`;
      if (context.kind !== 'method')
        throw new DecoratorUsageError('@tool', where, 'only methods can be tools');
      if (context.static)
        throw new DecoratorUsageError('@tool', where, 'tools are instance methods; remove `static`');
      if (typeof context.name !== 'string')
        throw new DecoratorUsageError('@tool', where, 'symbol-named methods cannot be tools');
      checkOptions(options, where);
      if (context.metadata === undefined)
        throw new DecoratorUsageError(
          '@tool',
          where,
          'decorator metadata is unavailable (Symbol.metadata is missing)',
        );
      recordTool(context.metadata, { method: context.name, options }, true);
      return;
    }
    const [target, key, descriptor] = args as [unknown, string | symbol, PropertyDescriptor | undefined];
    const isStatic = typeof target === 'function';
    const owner = isStatic
      ? (target as { name: string }).name
      : ((target as object).constructor?.name ?? '?');
    const where = `${owner}.${String(key)}`;
    if (descriptor === undefined)
      throw new DecoratorUsageError('@tool', where, 'only methods can be tools, not fields');
    if (descriptor.get !== undefined || descriptor.set !== undefined)
      throw new DecoratorUsageError('@tool', where, 'only methods can be tools, not getters or setters');
    if (typeof descriptor.value !== 'function')
      throw new DecoratorUsageError('@tool', where, 'only methods can be tools');
    if (isStatic)
      throw new DecoratorUsageError('@tool', where, 'tools are instance methods; remove `static`');
    if (typeof key !== 'string')
      throw new DecoratorUsageError('@tool', where, 'symbol-named methods cannot be tools');
    checkOptions(options, where);
    recordTool(target as object, { method: key, options }, false);
  }) as ToolDecorator;
}

function isStandardContext(value: unknown): value is DecoratorContext & {
  name: string | symbol;
  static?: boolean;
  metadata?: object;
} {
  return typeof value === 'object' && value !== null && 'kind' in value && 'name' in value;
}

function checkOptions(options: ToolOptions, where: string): void {
  if (options.name !== undefined && !TOOL_NAME.test(options.name))
    throw new DecoratorUsageError(
      '@tool',
      where,
      `name ${JSON.stringify(options.name)} must match ${TOOL_NAME}`,
    );
  if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0))
    throw new DecoratorUsageError(
      '@tool',
      where,
      `timeoutMs must be a positive number, got ${options.timeoutMs}`,
    );
  if (
    options.approvalTimeoutMs !== undefined &&
    !(Number.isFinite(options.approvalTimeoutMs) && options.approvalTimeoutMs > 0)
  )
    throw new DecoratorUsageError(
      '@tool',
      where,
      `approvalTimeoutMs must be a positive number of milliseconds, got ${String(options.approvalTimeoutMs)}`,
    );
  const gated = options.requiresApproval !== undefined && options.requiresApproval !== false;
  for (const key of ['approvalTimeoutMs', 'onApprovalTimeout', 'onReject', 'allowSameApprover'] as const)
    if (options[key] !== undefined && !gated)
      throw new DecoratorUsageError(
        '@tool',
        where,
        `${key} applies to approvals only; set requiresApproval too (or remove ${key})`,
      );
  if (
    options.onApprovalTimeout !== undefined &&
    !['reject', 'fail', 'expire'].includes(options.onApprovalTimeout)
  )
    throw new DecoratorUsageError(
      '@tool',
      where,
      `onApprovalTimeout must be 'reject', 'fail' or 'expire', got ${JSON.stringify(options.onApprovalTimeout)}`,
    );
  if (options.onApprovalTimeout !== undefined && options.approvalTimeoutMs === undefined)
    throw new DecoratorUsageError(
      '@tool',
      where,
      'onApprovalTimeout needs approvalTimeoutMs: without a deadline nothing ever times out',
    );
  if (options.onReject !== undefined && !['return', 'fail'].includes(options.onReject))
    throw new DecoratorUsageError(
      '@tool',
      where,
      `onReject must be 'return' or 'fail', got ${JSON.stringify(options.onReject)}`,
    );
  if (options.allowSameApprover !== undefined && typeof options.allowSameApprover !== 'boolean')
    throw new DecoratorUsageError(
      '@tool',
      where,
      `allowSameApprover must be a boolean, got ${JSON.stringify(options.allowSameApprover)}`,
    );
  const approval = options.requiresApproval;
  const validApproval =
    approval === undefined ||
    typeof approval === 'boolean' ||
    typeof approval === 'function' ||
    (typeof approval === 'string' && approval.length > 0) ||
    (Array.isArray(approval) &&
      approval.length > 0 &&
      approval.every((r) => typeof r === 'string' && r.length > 0));
  if (!validApproval)
    throw new DecoratorUsageError(
      '@tool',
      where,
      'requiresApproval must be a boolean, a role, a non-empty list of roles, or a function of the arguments',
    );
}
