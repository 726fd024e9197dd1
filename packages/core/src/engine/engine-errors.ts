// The engine's error classes live with every other Kestrion error, in errors/ (grouped by whose
// fault they are); re-exported here for the modules that import them from the engine.
export {
  StepMismatchError,
  ApprovalNotFoundError,
  ApprovalMismatchError,
  ApprovalAlreadyDecidedError,
  ApprovalExpiredError,
  RunStateError,
  ToolTimeoutError,
  UnknownToolError,
  UnknownNodeError,
} from '../errors';
