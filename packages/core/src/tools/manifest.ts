import type { JsonObject } from '../util/json';

/** A JSON Schema document, as plain JSON. */
export type JsonSchema = JsonObject | boolean;

/** One tool as the schema compiler describes it. */
export interface ToolManifestEntry {
  /** The tool's name as models see it. */
  name: string;
  description: string;
  /** JSON Schema of the arguments object: one property per parameter. */
  parameters: JsonObject;
  returns: JsonSchema;
  /** Hash of the method's parameter and return types; a mismatch at runtime means "recompile". */
  signatureHash: string;
  /** `file:line` of the method, relative to the project root. */
  source: string;
}

/** What `kestrion compile` writes: tools keyed by `Class.method`. */
export interface ToolManifest {
  version: 1;
  tools: Record<string, ToolManifestEntry>;
}
