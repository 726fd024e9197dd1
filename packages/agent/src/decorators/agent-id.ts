import { ownAgentMetadataOf } from './tool-metadata';

/** The id under which the manifest lists a class's tools, and where it came from. */
export interface AgentId {
  /** The manifest keys this class's tools `<id>.<method>`. */
  id: string;
  /** True when the id is the class's own `@agent({ name })`; false when it is the class name. */
  named: boolean;
}

/**
 * The id of a class in the manifest: the `name` of its own `@agent({ name })`, else its class
 * name. kestrion-compile applies the same rule to the source, so the two agree until a
 * minifier renames the class, which a name survives. An inherited `@agent` does not count: a
 * subclass is an agent of its own, with its own entries.
 */
export function agentIdOf(ctor: { readonly name: string }): AgentId {
  const name = ownAgentMetadataOf(ctor)?.options.name;
  return name !== undefined && name !== '' ? { id: name, named: true } : { id: ctor.name, named: false };
}
