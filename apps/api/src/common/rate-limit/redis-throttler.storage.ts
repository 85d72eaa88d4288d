import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { createClient } from 'redis';

interface ThrottlerStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * One hit, atomically: count it in a window that starts with the first hit, and block the key for
 * `blockDuration` once the count passes the limit. Returns hits, window ms left, block ms left.
 */
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
local blocked = redis.call('PTTL', KEYS[2])
if blocked <= 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blocked = tonumber(ARGV[3])
end
return { hits, ttl, blocked }
`;

/**
 * Rate-limit counters shared by every API process through Redis (with REDIS_URL), so a client
 * cannot multiply its allowance by the number of nodes behind the balancer. While Redis cannot be
 * reached, each process counts on its own (logged once per outage) rather than refusing sign-ins.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimits');
  private readonly client: ReturnType<typeof createClient>;
  private readonly fallback = new ThrottlerStorageService();
  private degraded = false;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    this.client = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(retries * 100, 2_000) } });
    this.client.on('error', () => undefined); // reported through the fallback below
  }

  async connect(): Promise<this> {
    await this.client.connect();
    return this;
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      const name = `${this.prefix}:throttle:${throttlerName}:${key}`;
      const [hits, windowMs, blockMs] = (await this.client.eval(INCREMENT, {
        keys: [name, `${name}:blocked`],
        arguments: [String(ttl), String(limit), String(blockDuration)],
      })) as [number, number, number];
      if (this.degraded) this.logger.log('Redis is back: rate limits are shared across nodes again');
      this.degraded = false;
      return {
        totalHits: hits,
        timeToExpire: Math.max(0, Math.ceil(windowMs / 1000)),
        isBlocked: blockMs > 0,
        timeToBlockExpire: Math.max(0, Math.ceil(blockMs / 1000)),
      };
    } catch (error) {
      if (!this.degraded) this.logger.warn({ err: String(error) }, 'Redis unreachable: rate limits are counted per process meanwhile');
      this.degraded = true;
      return this.fallback.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.fallback.onApplicationShutdown();
    if (this.client.isOpen) await this.client.quit().catch(() => undefined);
  }
}
