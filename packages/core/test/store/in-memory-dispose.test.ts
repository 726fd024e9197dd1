import { InMemoryStore } from '@kestrion/core';

describe('InMemoryStore and await using', () => {
  it('closes the store when the block ends, as close() does', async () => {
    const closed: string[] = [];
    {
      await using store = new InMemoryStore();
      const close = store.close.bind(store);
      store.close = async () => {
        closed.push('close');
        await close();
      };
      expect(closed).toEqual([]);
    }
    expect(closed).toEqual(['close']);
  });
});
