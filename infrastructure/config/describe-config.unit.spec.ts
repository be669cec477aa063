import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from './config.js';

describe('describeConfig', () => {
  const config = loadConfig({
    NODE_ENV: 'production',
    JWT_SECRET: 'j'.repeat(40),
    DATABASE_URL: 'postgres://derbel:db-password@db:5432/derbel?sslmode=require',
    REDIS_URL: 'redis://:redis-password@redis:6379',
    EVENTSTORE_URL: 'esdb://admin:es-password@a:2113,b:2113?tls=true',
    TURN_URLS: 'turn:turn.example.com',
    TURN_SECRET: 'turn-secret-value',
    S3_BUCKET: 'derbel-files',
    S3_ACCESS_KEY_ID: 'access-key',
    S3_SECRET_ACCESS_KEY: 's3-secret-value',
  });
  const description = describeConfig(config);
  const logged = JSON.stringify(description);

  it('redacts the secrets', () => {
    expect(description.jwtSecret).toBe('[redacted]');
    expect(description.turnSecret).toBe('[redacted]');
    expect(logged).not.toContain('j'.repeat(40));
    expect(logged).not.toContain('turn-secret-value');
    expect(description.attachments.s3?.secretAccessKey).toBe('[redacted]');
    expect(logged).not.toContain('s3-secret-value');
  });

  it('masks passwords in URLs and keeps the rest readable', () => {
    expect(description.databaseUrl).toBe('postgres://derbel:***@db:5432/derbel?sslmode=require');
    expect(description.redisUrl).toBe('redis://:***@redis:6379');
    expect(description.eventStoreUrl).toBe('esdb://admin:***@a:2113,b:2113?tls=true');
    expect(logged).not.toMatch(/db-password|redis-password|es-password/);
  });

  it('masks a password passed as a query parameter', () => {
    const described = describeConfig(loadConfig({ DATABASE_URL: 'postgres://db/derbel?user=derbel&password=qp-secret' }));
    expect(described.databaseUrl).toBe('postgres://db/derbel?user=derbel&password=***');
  });

  it('says which optional parts are absent and keeps the other settings', () => {
    const described = describeConfig(loadConfig({}));
    expect(described.databaseUrl).toBeUndefined();
    expect(described.jwtSecret).toBeUndefined();
    expect(described.port).toBe(3000);
    expect(described.corsOrigins).toEqual([]);
  });
});
