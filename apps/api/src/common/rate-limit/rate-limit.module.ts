import { Module } from '@nestjs/common';
import { ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import type { AppConfig } from '../../config/config';
import { RedisThrottlerStorage } from './redis-throttler.storage';

const SHARED_STORAGE = Symbol('SHARED_THROTTLER_STORAGE');

/**
 * Rate limits (sign-up and sign-in per client address): counted in Redis when REDIS_URL is set, so
 * every API process behind a balancer shares them; in process memory otherwise.
 */
export function rateLimitModule(config: AppConfig) {
  @Module({
    providers: [
      {
        provide: SHARED_STORAGE,
        useFactory: async () => (config.REDIS_URL ? new RedisThrottlerStorage(config.REDIS_URL, config.REDIS_KEY_PREFIX).connect() : null),
      },
    ],
    exports: [SHARED_STORAGE],
  })
  class SharedStorageModule {}

  return ThrottlerModule.forRootAsync({
    imports: [SharedStorageModule],
    inject: [SHARED_STORAGE],
    useFactory: (storage: ThrottlerStorage | null) => ({
      throttlers: [{ name: 'default', ttl: 60_000, limit: config.AUTH_RATE_LIMIT_PER_MINUTE }],
      ...(storage ? { storage } : {}),
    }),
  });
}
