export { KestrionError, ConfigurationError, InvalidInputError } from './kestrion-error';
export {
  ConcurrencyError,
  RunBusyError,
  LeaseLostError,
  RunNotFoundError,
  CorruptLogError,
  UnsupportedVersionError,
  StoreError,
  PayloadTooLargeError,
  InvalidRunIdError,
} from './errors';
export { RunEndedError, RunIdTakenError } from './store-refusals';
