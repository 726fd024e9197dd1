import type { ArgsValidator, JsonObject } from '@kestrion/core';
import { validateArgs } from '../tools/validate-args';

/** The engine's argument validator on ajv: every model-supplied argument object is checked before the gate. */
export const ajvValidator: ArgsValidator = (tool, args) =>
  tool.parameters ? validateArgs({ parameters: tool.parameters as JsonObject }, args) : { ok: true };
