import { KestrionError } from './kestrion-error';

/**
 * The model did not do what the agent needs: it sent invalid or unknown tool calls more turns
 * in a row than the repair budget allows. Not retryable as such (the same conversation will
 * likely do the same); code `model_misbehaviour`.
 */
export class ModelMisbehaviourError extends KestrionError {
  constructor(message: string) {
    super('model_misbehaviour', message);
  }
}
