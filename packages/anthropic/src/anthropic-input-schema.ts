import { ConfigurationError, type JsonObject } from '@kestrion/core';
import { isSchemaObject } from '@kestrion/core/provider-kit';

/**
 * The parameter schema as Anthropic's `input_schema`: a JSON Schema whose root is
 * `type: "object"` with `properties` (and `required`), with no `oneOf`/`anyOf`/`allOf` at the
 * top level. Nested unions, `$defs`/`$ref` and constraints pass through unchanged. Throws
 * {@link ConfigurationError} when the root is not an object schema.
 */
export function toAnthropicInputSchema(parameters: JsonObject): JsonObject {
  for (const keyword of ['oneOf', 'anyOf', 'allOf'])
    if (keyword in parameters)
      throw new ConfigurationError(
        `Anthropic input_schema cannot have a top-level ${keyword}; wrap the union in a parameter`,
      );
  if (parameters.type !== undefined && parameters.type !== 'object')
    throw new ConfigurationError(
      `Anthropic input_schema must be an object schema, not ${JSON.stringify(parameters.type)}`,
    );
  const { $schema: _schema, ...rest } = parameters;
  return {
    ...rest,
    type: 'object',
    properties: isSchemaObject(parameters.properties) ? parameters.properties : {},
  };
}
