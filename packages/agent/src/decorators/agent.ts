import 'reflect-metadata';
import { DecoratorUsageError } from './decorator-usage-error';
import { AGENT_METADATA_KEY, type AgentMetadata } from './tool-metadata';
import type { AgentOptions } from './tool-options';

/** A class decorator usable under `experimentalDecorators` and under standard decorators. */
export type AgentDecorator = <T extends abstract new (...args: never[]) => unknown>(
  target: T,
  context?: ClassDecoratorContext<T>,
) => void;

/**
 * Declares a class as an agent: its `instructions` become the system prompt and its `@tool`
 * methods its tools. Throws {@link DecoratorUsageError} when put on anything but a class, or
 * when `instructions` is missing.
 */
export function agent(options: AgentOptions): AgentDecorator {
  return ((target: unknown, context?: unknown): void => {
    const isClassContext =
      typeof context === 'object' && context !== null && (context as { kind?: unknown }).kind === 'class';
    if (typeof target !== 'function' || (context !== undefined && !isClassContext)) {
      const name =
        typeof context === 'object' && context !== null
          ? String((context as { name?: unknown }).name)
          : String(context);
      throw new DecoratorUsageError('@agent', name, 'only classes can be agents');
    }
    const where = (target as { name: string }).name;
    if (typeof options?.instructions !== 'string' || options.instructions.trim() === '')
      throw new DecoratorUsageError(
        '@agent',
        where,
        'instructions (the system prompt) must be a non-empty string',
      );
    const meta: AgentMetadata = { options };
    Reflect.defineMetadata(AGENT_METADATA_KEY, meta, target);
  }) as AgentDecorator;
}
