import type { JsonSchema, ToolManifest, ToolManifestEntry } from '@kestrion/core';

// The manifest format is owned by @kestrion/core (the compiler also imports core's error classes at run time).
export type { JsonSchema, ToolManifest, ToolManifestEntry };

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object, the shape of every schema node the compiler builds. */
export type JsonObject = { [key: string]: Json };
