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
export {
  InvalidEventError,
  InvalidEventDataError,
  PayloadTooDeepError,
  CorruptSnapshotError,
  RecoveryFailedError,
} from './event-errors';
export { RunEndedError, RunIdTakenError } from './store-refusals';
