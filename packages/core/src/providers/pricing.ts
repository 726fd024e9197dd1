import type { EventCost } from '../events/envelope';
import type { ModelUsage } from './provider';

/** A model's list price in USD per million tokens. A missing cache price means "unknown". */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok?: number;
  cacheWritePerMTok?: number;
}

/** Prices by model id; a dated snapshot (`-20250929`, `-2024-08-06`) or `-latest` finds its base id. */
export type PricingTable = Readonly<Record<string, ModelPrice>>;

/**
 * List prices (USD per million tokens, standard tier, no batch discount, Anthropic's 5-minute
 * cache writes, prompts under any long-context surcharge) as published by Anthropic and OpenAI
 * in late 2025. Models whose price we could not confirm (newer ones included, such as those the
 * Anthropic SDK 1.x lists after `claude-opus-4-5`) are left out, so their cost is `null` rather
 * than a guess; pass your own price (`pricing` option of each adapter) for them or when your
 * contract differs.
 */
export const DEFAULT_PRICING: PricingTable = {
  'claude-opus-4-5': { inputPerMTok: 5, outputPerMTok: 25, cacheReadPerMTok: 0.5, cacheWritePerMTok: 6.25 },
  'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75, cacheReadPerMTok: 1.5, cacheWritePerMTok: 18.75 },
  'claude-opus-4': { inputPerMTok: 15, outputPerMTok: 75, cacheReadPerMTok: 1.5, cacheWritePerMTok: 18.75 },
  'claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75 },
  'claude-sonnet-4': { inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75 },
  'claude-3-7-sonnet': { inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75 },
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5, cacheReadPerMTok: 0.1, cacheWritePerMTok: 1.25 },
  'claude-3-5-haiku': { inputPerMTok: 0.8, outputPerMTok: 4, cacheReadPerMTok: 0.08, cacheWritePerMTok: 1 },
  'claude-3-haiku': {
    inputPerMTok: 0.25,
    outputPerMTok: 1.25,
    cacheReadPerMTok: 0.03,
    cacheWritePerMTok: 0.3,
  },
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10, cacheReadPerMTok: 0.125 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2, cacheReadPerMTok: 0.025 },
  'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4, cacheReadPerMTok: 0.005 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8, cacheReadPerMTok: 0.5 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6, cacheReadPerMTok: 0.1 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4, cacheReadPerMTok: 0.025 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10, cacheReadPerMTok: 1.25 },
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6, cacheReadPerMTok: 0.075 },
  o3: { inputPerMTok: 2, outputPerMTok: 8, cacheReadPerMTok: 0.5 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4, cacheReadPerMTok: 0.275 },
};

const SNAPSHOT_SUFFIX = /-(?:\d{8}|\d{4}-\d{2}-\d{2}|latest)$/;

/** The price of `model` in `table`: its exact id, else its id without a snapshot suffix. */
export function priceOf(model: string, table: PricingTable = DEFAULT_PRICING): ModelPrice | undefined {
  const own = (id: string): ModelPrice | undefined =>
    Object.prototype.hasOwnProperty.call(table, id) ? table[id] : undefined;
  return own(model) ?? own(model.replace(SNAPSHOT_SUFFIX, ''));
}

/**
 * Usage and price of one call. `usd` is null when the price is unknown, including when cache
 * tokens were used and their price is not known: a partial sum would understate the cost.
 */
export function costOf(usage: ModelUsage, price: ModelPrice | undefined): EventCost {
  const cost: EventCost = { usd: null, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
  if (usage.cacheReadTokens !== undefined) cost.cacheReadTokens = usage.cacheReadTokens;
  if (usage.cacheWriteTokens !== undefined) cost.cacheWriteTokens = usage.cacheWriteTokens;
  if (price === undefined) return cost;
  const parts: [number, number | undefined][] = [
    [usage.inputTokens, price.inputPerMTok],
    [usage.outputTokens, price.outputPerMTok],
    [usage.cacheReadTokens ?? 0, price.cacheReadPerMTok],
    [usage.cacheWriteTokens ?? 0, price.cacheWritePerMTok],
  ];
  let usd = 0;
  for (const [tokens, perMTok] of parts) {
    if (tokens === 0) continue;
    if (perMTok === undefined) return cost;
    usd += (tokens * perMTok) / 1_000_000;
  }
  cost.usd = usd;
  return cost;
}
