import 'reflect-metadata';
import type { AgentOptions, ToolOptions } from './tool-options';

/** The reflect-metadata key under which `@tool` records its methods (on the class prototype). */
export const TOOLS_METADATA_KEY = 'kestrion:tools';
/** The reflect-metadata key under which `@agent` records its options (on the class). */
export const AGENT_METADATA_KEY = 'kestrion:agent';

/** What `@tool` records about one method. */
export interface ToolMetadata {
  /** The method's property name. */
  method: string;
  options: ToolOptions;
}

/** What `@agent` records about a class. */
export interface AgentMetadata {
  options: AgentOptions;
}

/** A decorated method as found on a class or one of its ancestors. */
export interface ResolvedToolMetadata extends ToolMetadata {
  /**
   * The name of the class that declares the method, for messages. Not the manifest key: that
   * is the agent id of the instance's class (see `agentIdOf`), which minification cannot change.
   */
  className: string;
}

// Standard (TC39) decorators hand metadata through `Symbol.metadata`, which Node 20 lacks.
// TypeScript only emits the metadata object when the symbol exists, so define it once.
const symbolCtor = Symbol as unknown as { metadata?: symbol };
symbolCtor.metadata ??= Symbol.for('Symbol.metadata');
const METADATA_SYMBOL: symbol = symbolCtor.metadata;

/** Records a tool on a prototype (legacy decorators) or on a standard decorator metadata object. */
export function recordTool(holder: object, meta: ToolMetadata, standard: boolean): void {
  const list = ownTools(holder, standard).filter((m) => m.method !== meta.method);
  list.push(meta);
  if (standard) (holder as Record<string, unknown>)[TOOLS_METADATA_KEY] = list;
  else Reflect.defineMetadata(TOOLS_METADATA_KEY, list, holder);
}

function ownTools(holder: object, standard: boolean): ToolMetadata[] {
  const found: unknown = standard
    ? Object.prototype.hasOwnProperty.call(holder, TOOLS_METADATA_KEY)
      ? (holder as Record<string, unknown>)[TOOLS_METADATA_KEY]
      : undefined
    : Reflect.getOwnMetadata(TOOLS_METADATA_KEY, holder);
  return Array.isArray(found) ? [...(found as ToolMetadata[])] : [];
}

/** The standard-decorator metadata object of a class, if it has its own. */
export function standardMetadataOf(ctor: object): object | undefined {
  const desc = Object.getOwnPropertyDescriptor(ctor, METADATA_SYMBOL);
  return desc !== undefined && typeof desc.value === 'object' && desc.value !== null
    ? (desc.value as object)
    : undefined;
}

/**
 * Every `@tool` method of a class and its ancestors, whichever decorator mode compiled them.
 * A subclass that re-decorates a method wins over its ancestor.
 */
export function toolMetadataOf(ctor: abstract new (...args: never[]) => unknown): ResolvedToolMetadata[] {
  const byMethod = new Map<string, ResolvedToolMetadata>();
  let current: unknown = ctor;
  while (typeof current === 'function' && current !== Function.prototype) {
    const cls = current as { name: string; prototype?: object };
    const own = [
      ...(cls.prototype ? ownTools(cls.prototype, false) : []),
      ...ownToolsStandard(cls as unknown as object),
    ];
    for (const meta of own)
      if (!byMethod.has(meta.method)) byMethod.set(meta.method, { ...meta, className: cls.name });
    current = Object.getPrototypeOf(current);
  }
  return [...byMethod.values()];
}

function ownToolsStandard(ctor: object): ToolMetadata[] {
  const metadata = standardMetadataOf(ctor);
  return metadata === undefined ? [] : ownTools(metadata, true);
}

/** The `@agent` options of a class, or of its nearest decorated ancestor; undefined when none has any. */
export function agentMetadataOf(ctor: object): AgentMetadata | undefined {
  return Reflect.getMetadata(AGENT_METADATA_KEY, ctor) as AgentMetadata | undefined;
}

/** The `@agent` options of the class itself (not inherited), or undefined. */
export function ownAgentMetadataOf(ctor: object): AgentMetadata | undefined {
  return Reflect.getOwnMetadata(AGENT_METADATA_KEY, ctor) as AgentMetadata | undefined;
}
