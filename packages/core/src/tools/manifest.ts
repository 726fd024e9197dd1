import type { JsonObject } from '../util/json';

/** A JSON Schema document, as plain JSON. */
export type JsonSchema = JsonObject | boolean;

/** One tool as the schema compiler describes it. */
export interface ToolManifestEntry {
  /** The tool's name as models see it (`^[a-zA-Z0-9_-]{1,64}$`, what Anthropic and OpenAI accept). */
  name: string;
  description: string;
  /** JSON Schema of the arguments object: one property per parameter. */
  parameters: JsonObject;
  returns: JsonSchema;
  /** Hash of the method's parameter and return types; a mismatch at runtime means "recompile". */
  signatureHash: string;
  /**
   * Integrity of the entry: `sha256:` + the hex sha256 of the canonical JSON (keys sorted, see
   * `canonicalJson`) of this entry without its `entryHash` field. Written by the compiler and
   * checked when the runtime loads the manifest, so a hand-edited entry (a loosened `maximum`,
   * a changed name) is refused instead of run.
   */
  entryHash: string;
  /** `file:line` of the method, relative to the project root. */
  source: string;
}

/** What `kestrion-compile` writes: tools keyed by `Class.method`. */
export interface ToolManifest {
  /**
   * The format version. 2 added `entryHash` to every entry; the runtime refuses version 1 (no
   * hashes) with a "recompile" message.
   */
  version: 2;
  tools: Record<string, ToolManifestEntry>;
}
