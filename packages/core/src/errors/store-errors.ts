import { InfrastructureError } from './concurrency-errors';

/**
 * Infrastructure failure of a store (connection lost, disk full, a failed migration). The
 * store's translator decides `retryable` per failure (default false). An `InfrastructureError`:
 * a driver that meets one stops and leaves the run to be resumed.
 */
export class StoreError extends InfrastructureError {
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super('store', message, options);
  }
}
