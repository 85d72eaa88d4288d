import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Server, ServerOptions } from 'socket.io';

/** socket.io across API processes: rooms and server-side events travel through Redis pub/sub. */
export class RedisIoAdapter extends IoAdapter {
  private adapter?: ReturnType<typeof createAdapter>;
  private clients: Array<ReturnType<typeof createClient>> = [];

  constructor(
    app: INestApplicationContext,
    private readonly url: string,
    private readonly keyPrefix: string,
  ) {
    super(app);
  }

  async connect(): Promise<void> {
    const pub = createClient({ url: this.url });
    const sub = pub.duplicate();
    this.clients = [pub, sub];
    await Promise.all([pub.connect(), sub.connect()]);
    this.adapter = createAdapter(pub, sub, { key: `${this.keyPrefix}:socket.io` });
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    if (this.adapter) server.adapter(this.adapter);
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    await Promise.all(this.clients.map((c) => c.quit().catch(() => undefined)));
  }
}
