import { ConfigurationError, StoreError } from '@kestrion/core';
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

describe('openStore: no error names the password of the URL', () => {
  it.each([
    ['mysql://root:s3cret-pw@localhost/db', ConfigurationError, 'mysql://root:[REDACTED]@localhost/db'],
    ['postgres://app:s3cret-pw@127.0.0.1:1/db', StoreError, 'ECONNREFUSED'],
  ])('%s', async (url, type, shown) => {
    const error = await openStore(url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(type);
    let texts = '';
    for (let e = error; e instanceof Error; e = e.cause) texts += `${String(e)}\n${e.stack ?? ''}\n`;
    expect(texts).toContain(shown);
    expect(texts).not.toContain('s3cret-pw');
  });
});
