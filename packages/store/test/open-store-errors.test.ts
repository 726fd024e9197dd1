import { ConfigurationError } from '@kestrion/core';
import { openStore } from '@kestrion/store';

describe('openStore: bad input is refused with the fix named', () => {
  it.each([
    [
      'mysql://root@localhost/db',
      /unsupported store URL "mysql:\/\/root@localhost\/db": use sqlite:\/\/path\.db/,
    ],
    ['sqlite://', /has no file path; use sqlite:\/\/\.\/kestrion\.db/],
    ['sqlite://./k.db?synchronous=OFF', /synchronous=OFF is not supported; use FULL \(default\) or NORMAL/],
    [
      'sqlite:///no-such-dir-kestrion/k.db',
      /cannot open the SQLite database "\/no-such-dir-kestrion\/k\.db": .*directory does not exist.*check the path in the store URL/,
    ],
  ])('%s', async (url, message) => {
    const opened = openStore(url);
    await expect(opened).rejects.toBeInstanceOf(ConfigurationError);
    await expect(opened).rejects.toThrow(message);
  });
});
