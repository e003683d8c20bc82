import { describe, expect, it } from 'vitest';
import { ConfigError, parseStoreEnv } from '../../../../server/store/env';

describe('store environment', () => {
  it('defaults to the local .atlas directory and treats empty variables as unset', () => {
    expect(parseStoreEnv({})).toEqual({ ATLAS_DATA_DIR: '.atlas', ATLAS_BLOB_ACCESS: 'private' });
    expect(parseStoreEnv({ ATLAS_DATA_DIR: '/data', BLOB_READ_WRITE_TOKEN: '' })).toEqual({
      ATLAS_DATA_DIR: '/data',
      ATLAS_BLOB_ACCESS: 'private',
    });
    expect(() => parseStoreEnv({ ATLAS_BLOB_ACCESS: 'secret' })).toThrow(/ATLAS_BLOB_ACCESS/);
  });

  it('accepts a Vercel token and API URL, and names bad variables', () => {
    const env = parseStoreEnv({
      BLOB_READ_WRITE_TOKEN: 'vercel_blob_rw_abc123_s3cr3t',
      VERCEL_BLOB_API_URL: 'http://127.0.0.1:9/api',
      VERCEL_BLOB_RETRIES: '0',
    });
    expect(env).toMatchObject({ BLOB_READ_WRITE_TOKEN: 'vercel_blob_rw_abc123_s3cr3t', VERCEL_BLOB_RETRIES: 0 });
    expect(() => parseStoreEnv({ BLOB_READ_WRITE_TOKEN: 'abc' })).toThrow(ConfigError);
    expect(() => parseStoreEnv({ BLOB_READ_WRITE_TOKEN: 'abc' })).toThrow(
      /BLOB_READ_WRITE_TOKEN: a token shaped vercel_blob_rw_<storeId>_<secret>/,
    );
    expect(() => parseStoreEnv({ VERCEL_BLOB_API_URL: 'not a url' })).toThrow(/VERCEL_BLOB_API_URL/);
    expect(() => parseStoreEnv({ VERCEL_BLOB_RETRIES: '-1' })).toThrow(/VERCEL_BLOB_RETRIES/);
  });
});
