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
  /**
   * The names of the arguments the model gives, in the method's declaration order, the
   * `ToolContext` left out. The runtime passes `args[parameterNames[i]]` as the i-th of them:
   * the manifest, not the method's source text (which a minifier rewrites), says which
   * argument goes where.
   */
  parameterNames: string[];
  /**
   * The 0-based position of the method's `ToolContext` parameter among all its parameters, or
   * `null` when it takes none. The method declares `parameterNames.length` parameters, plus one
   * when this is set.
   */
  contextIndex: number | null;
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

/**
 * What `kestrion-compile` writes: tools keyed by `<agent id>.<method>`, where the agent id is
 * the literal `name` of the class's own `@agent({ name })`, else the class name. A class's
 * inherited tools are listed under its own id too, so every entry an agent needs carries its id.
 */
export interface ToolManifest {
  /**
   * The format version. 2 added `entryHash`; 3 added `parameterNames` and `contextIndex` and
   * keys tools by agent id instead of class name. The runtime refuses older versions with a
   * "recompile" message.
   */
  version: 3;
  tools: Record<string, ToolManifestEntry>;
}
