import { costOf, DEFAULT_PRICING, priceOf } from '@kestrion/core/provider-kit';

describe('priceOf', () => {
  it('finds a dated snapshot or -latest alias by its base id', () => {
    expect(priceOf('claude-sonnet-4-5-20250929')).toBe(DEFAULT_PRICING['claude-sonnet-4-5']);
    expect(priceOf('gpt-4o-2024-08-06')).toBe(DEFAULT_PRICING['gpt-4o']);
    expect(priceOf('claude-3-5-haiku-latest')).toBe(DEFAULT_PRICING['claude-3-5-haiku']);
  });

  it('does not confuse a model with a longer sibling or an inherited key', () => {
    expect(priceOf('gpt-4o-mini')).toBe(DEFAULT_PRICING['gpt-4o-mini']);
    expect(priceOf('gpt-4o-mini')).not.toBe(DEFAULT_PRICING['gpt-4o']);
    expect(priceOf('toString')).toBeUndefined();
    expect(priceOf('some-future-model')).toBeUndefined();
  });
});

describe('costOf', () => {
  it('prices input, output and cache tokens per million', () => {
    const cost = costOf(
      {
        inputTokens: 1_000_000,
        outputTokens: 100_000,
        cacheReadTokens: 2_000_000,
        cacheWriteTokens: 400_000,
      },
      { inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75 },
    );
    expect(cost.usd).toBeCloseTo(3 + 1.5 + 0.6 + 1.5, 10);
    expect(cost).toMatchObject({
      inputTokens: 1_000_000,
      cacheReadTokens: 2_000_000,
      cacheWriteTokens: 400_000,
    });
  });

  it('returns usd null for an unknown model rather than a guess', () => {
    expect(costOf({ inputTokens: 10, outputTokens: 5 }, undefined)).toEqual({
      usd: null,
      inputTokens: 10,
      outputTokens: 5,
    });
  });

  it('returns usd null when cache tokens were used but their price is unknown', () => {
    const price = { inputPerMTok: 2, outputPerMTok: 8 };
    expect(costOf({ inputTokens: 10, outputTokens: 5, cacheReadTokens: 100 }, price).usd).toBeNull();
    expect(costOf({ inputTokens: 10, outputTokens: 5, cacheReadTokens: 0 }, price).usd).toBeCloseTo(
      60e-6,
      12,
    );
  });
});
