import { ConfigurationError } from '@kestrion/core';

/**
 * A Kestrion decorator was put somewhere it cannot work (a field, a getter, a static method)
 * or given invalid options. Thrown while the class is being defined, so the mistake surfaces
 * at import time rather than in the middle of a run.
 */
export class DecoratorUsageError extends ConfigurationError {
  constructor(
    readonly decorator: '@tool' | '@agent',
    readonly target: string,
    detail: string,
  ) {
    super(`${decorator} on ${target}: ${detail}`);
  }
}
