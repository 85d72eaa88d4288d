import { Metrics } from '../metrics/metrics';
import { Inject, Logger, type OnApplicationShutdown } from '@nestjs/common';
import {
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  REALTIME_LIMITS,
  type ClientToServerEvents,
  type FollowAck,
  type FollowRequest,
  type PointsEvent,
  type ServerToClientEvents,
} from '@trackbase/contracts';
import { randomUUID } from 'node:crypto';
import type { Server, Socket } from 'socket.io';
import type { DataSource } from 'typeorm';
import { BearerAuthService } from '../auth/bearer-auth.service';
import { AccessEvents, type KeysRevoked, type AccessChanged, type SessionsRevoked } from '../common/access/access-events';
import { AccessCache } from '../common/access/access-cache';
import { AccessService } from '../common/access/access.service';
import type { Principal } from '../common/context/principal';
import { RequestContext } from '../common/context/request-context';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { inScopedTransaction } from '../database/tenant-scope';
import { ArtifactEvents, type VersionAdded } from '../artifacts/artifact-events';
import { CommentEvents, type CommentChanged } from '../comments/comment-events';
import { NotificationEvents, type NotificationCreated } from '../notifications/notification-events';
import { ReportEvents, type ShareLinksChanged } from '../reports/report-events';
import { ReportsService } from '../reports/reports.service';
import { isShareToken, SharedReportsService, type LiveShareScope } from '../reports/shared-reports.service';
import { RunEvents, type RunChanged } from '../runs/run-events';
import { RunsRepository } from '../runs/runs.repository';
import { StorageEvents, type RunFilesChanged } from '../storage/storage-events';
import { toPointsEvent } from './points-event';
import { Subscriber } from './subscriber';
import { followKey, Subscriptions, type Follow, type Subscription } from './subscriptions';

type TbSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  // A socket opened with a share-link token has no principal, only `share`: the report's live run sets.
  { principal?: Principal; expiresAt: number | null; share?: { token: string; scope: LiveShareScope } }
>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One domain event the gateway relays: `listen` subscribes to it in this
 * process, `deliver` hands it to this process's sockets, and `node` names it
 * between API processes (through the Redis adapter), so each delivers to its
 * own sockets. `fromNode` replaces `deliver` for an event another process sent;
 * `relay` says whether a local event goes on to the others (default: always).
 */
interface Relay<E> {
  node: string;
  listen: (handler: (event: E) => void) => () => void;
  deliver: (event: E) => void;
  fromNode?: (event: E) => void;
  relay?: (event: E) => boolean;
}

const relay = <E>(r: Relay<E>): Relay<unknown> => r as Relay<unknown>;

/**
 * Live updates over socket.io on the API's own port. Credentials are checked
 * in the handshake; a socket follows runs or projects only after the same
 * access checks as REST, and is checked again whenever access may have shrunk.
 */
@WebSocketGateway({ path: '/socket.io', serveClient: false })
export class RealtimeGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnApplicationShutdown {
  @WebSocketServer() private server!: Server<ClientToServerEvents, ServerToClientEvents>;
  private readonly logger = new Logger('RealtimeGateway');
  private readonly subscriptions = new Subscriptions();
  /** Sockets of share links, apart: only points reach them, filtered to what the report's panels show. */
  private readonly shareSubscriptions = new Subscriptions();
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly bearer: BearerAuthService,
    private readonly access: AccessService,
    private readonly runs: RunsRepository,
    private readonly runEvents: RunEvents,
    private readonly accessEvents: AccessEvents,
    private readonly accessCache: AccessCache,
    private readonly commentEvents: CommentEvents,
    private readonly notificationEvents: NotificationEvents,
    private readonly storageEvents: StorageEvents,
    private readonly artifactEvents: ArtifactEvents,
    private readonly reportEvents: ReportEvents,
    private readonly sharedReports: SharedReportsService,
    private readonly reports: ReportsService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  afterInit(server: Server): void {
    this.metrics.onScrape(() => this.metrics.liveSubscribers.set(server.engine?.clientsCount ?? 0));
    server.use((socket, next) => {
      const token = bearerFrom(socket);
      if (!token) return next(handshakeError('unauthenticated', 'send an access token or API key as auth.token'));
      const opened = isShareToken(token)
        ? this.sharedReports.liveScope(randomUUID(), token).then((scope) => {
            socket.data.share = { token, scope };
            return { principal: undefined, expiresAt: scope.expiresAt };
          })
        : this.bearer.authenticate(token);
      opened
        .then(({ principal, expiresAt }) => {
          socket.data.principal = principal;
          socket.data.expiresAt = expiresAt;
          next();
        })
        .catch((error: unknown) =>
          next(
            error instanceof AppError
              ? handshakeError(error.code, error.message)
              : handshakeError('unauthenticated', 'authentication failed'),
          ),
        );
    });
    for (const r of this.relays()) {
      this.unsubscribe.push(
        r.listen((event) => {
          r.deliver(event);
          if (r.relay?.(event) ?? true) this.toOtherNodes(r.node, event);
        }),
      );
      server.on(r.node, (event: unknown) => (r.fromNode ?? r.deliver)(event));
    }
  }

  /** Every event the gateway relays to sockets, each wired in one place. */
  private relays(): Array<Relay<unknown>> {
    return [
      relay<PointsEvent>({
        node: 'tb:points',
        listen: (handler) =>
          this.runEvents.on('points', (event) => {
            const points = toPointsEvent(event);
            if (points) handler(points);
          }),
        deliver: (event) => this.deliverPoints(event),
      }),
      relay<RunChanged>({ node: 'tb:run', listen: (h) => this.runEvents.on('run', h), deliver: (e) => this.deliverRunChanged(e) }),
      relay<AccessChanged>({
        node: 'tb:access',
        listen: (h) => this.accessEvents.on('changed', h),
        deliver: (event) => void this.recheck(event),
        fromNode: (event) => {
          this.accessCache.invalidate(event);
          void this.recheck(event);
        },
      }),
      relay<KeysRevoked>({
        node: 'tb:keys-revoked',
        listen: (h) => this.accessEvents.on('keysRevoked', h),
        deliver: (event) => this.disconnectRevoked(event),
        // Another process's revocation goes through this process's listeners too (its own caches), and no further.
        fromNode: (event) => this.accessEvents.emit('keysRevoked', { ...event, origin: 'remote' }),
        relay: (event) => event.origin === 'local',
      }),
      relay<CommentChanged>({
        node: 'tb:comment',
        listen: (h) => this.commentEvents.on('comment', h),
        deliver: (e) => this.deliverComment(e),
      }),
      relay<SessionsRevoked>({
        node: 'tb:sessions-revoked',
        listen: (h) => this.accessEvents.on('sessionsRevoked', h),
        deliver: (event) => this.disconnectEndedSessions(event),
        fromNode: (event) => this.accessEvents.emit('sessionsRevoked', { ...event, origin: 'remote' }),
        relay: (event) => event.origin === 'local',
      }),
      relay<NotificationCreated>({
        node: 'tb:notification',
        listen: (h) => this.notificationEvents.on('notification', h),
        deliver: (e) => this.deliverNotification(e),
      }),
      relay<RunFilesChanged>({
        node: 'tb:files',
        listen: (h) => this.storageEvents.on('runFiles', h),
        deliver: (e) => this.deliverFilesChanged(e),
      }),
      relay<VersionAdded>({
        node: 'tb:version',
        listen: (h) => this.artifactEvents.on('version', h),
        deliver: (e) => this.deliverVersionAdded(e),
      }),
      relay<ShareLinksChanged>({
        node: 'tb:share-links',
        listen: (h) => this.reportEvents.on('links', h),
        deliver: (e) => void this.shareLinksChanged(e),
      }),
    ];
  }

  handleConnection(socket: TbSocket): void {
    if (socket.data.share) return this.connectShared(socket);
    const { principal: maybePrincipal, expiresAt } = socket.data;
    const principal = maybePrincipal!;
    const subscription: Subscription = {
      socketId: socket.id,
      userId: principal.userId,
      follows: new Map(),
      subscriber: new Subscriber({
        // Engine.io's write buffer grows while a client does not read; hold our own (bounded) outbox instead.
        ready: () => socket.connected && (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length < 16,
        send: (event) => socket.emit('points', event),
      }),
      emitRunChanged: (event) => socket.emit('run.changed', event as never),
    };
    this.subscriptions.add(subscription);
    void socket.join(`user:${principal.userId}`);
    if (expiresAt) {
      const timer = setTimeout(
        () => {
          socket.emit('auth.error', { code: 'token_expired', message: 'access token expired; reconnect with a fresh one' });
          socket.disconnect(true);
        },
        Math.max(0, expiresAt - Date.now()),
      );
      timer.unref();
      this.expiryTimers.set(socket.id, timer);
    }
    socket.on('follow', (request, ack) => void this.follow(socket, subscription, request).then((r) => typeof ack === 'function' && ack(r)));
    socket.on('unfollow', (request, ack) => {
      const match = [...subscription.follows.values()].find((f) =>
        request?.report
          ? f.orgSlug === request.org && f.reportId === request.report
          : f.orgSlug === request?.org && f.projectSlug === request?.project && !f.reportId,
      );
      if (match) this.subscriptions.unfollow(subscription, match);
      if (typeof ack === 'function') ack({ ok: !!match });
    });
  }

  /**
   * A share-link socket: it may follow runs of the report's live panels only (by id), receives their points
   * limited to the panels' metrics (no times, no text), and nothing else. It ends when the link expires, is
   * revoked or the report is deleted, on every node.
   */
  private connectShared(socket: TbSocket): void {
    const share = socket.data.share!;
    const subscription: Subscription = {
      socketId: socket.id,
      userId: `share:${share.scope.linkId}`,
      follows: new Map(),
      subscriber: new Subscriber({
        ready: () => socket.connected && (socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length < 16,
        // No wall-clock times: the shared panels plot steps and values only.
        send: (event) => socket.emit('points', { ...event, series: event.series.map((x) => ({ ...x, times: [] })) }),
      }),
      emitRunChanged: () => undefined,
    };
    this.shareSubscriptions.add(subscription);
    if (share.scope.expiresAt) {
      const timer = setTimeout(
        () => this.endShared(socket, 'this share link has expired'),
        Math.max(0, share.scope.expiresAt - Date.now()),
      );
      timer.unref();
      this.expiryTimers.set(socket.id, timer);
    }
    socket.on(
      'follow',
      (request, ack) => void this.followShared(socket, subscription, request).then((r) => typeof ack === 'function' && ack(r)),
    );
    socket.on('unfollow', (request, ack) => {
      const key = Array.isArray(request?.runs) ? followKey({ projectId: `report:${share.scope.reportId}`, runIds: request.runs }) : null;
      const match = key ? subscription.follows.get(key) : undefined;
      if (match) this.shareSubscriptions.unfollow(subscription, match);
      if (typeof ack === 'function') ack({ ok: !!match });
    });
  }

  /** `follow {runs}` on a share socket: run ids of the report's live panels; anything else answers as a missing run. */
  private async followShared(socket: TbSocket, sub: Subscription, request: FollowRequest): Promise<FollowAck> {
    try {
      const runs = request?.runs;
      if (!Array.isArray(runs) || !runs.length || runs.length > 100 || runs.some((r) => typeof r !== 'string'))
        return refuse('validation_failed', 'a share link follows runs: give 1 to 100 run ids of the report');
      if (sub.follows.size >= REALTIME_LIMITS.followsPerSocket)
        return refuse('too_many_follows', 'this connection follows too much already');
      const share = socket.data.share!;
      // Checked again now, as every request of the link is: revoked or expired since the handshake ends the socket.
      const scope = await this.sharedReports.liveScope(randomUUID(), share.token).catch((error: unknown) => {
        if (error instanceof AppError && error.status < 500) return null;
        throw error;
      });
      if (!scope) {
        this.endShared(socket, 'this share link was revoked or has expired');
        return refuse('share_link_gone', 'this share link was revoked or has expired');
      }
      share.scope = scope;
      const ids = [...new Set(runs.map((r) => r.toLowerCase()))];
      if (ids.some((id) => !UUID.test(id) || !scope.runs.has(id))) return refuse('not_found', 'project or run not found');
      if (!socket.connected) return refuse('disconnected', 'socket closed');
      this.shareSubscriptions.follow(sub, {
        orgId: scope.organizationId,
        orgSlug: '',
        projectId: `report:${scope.reportId}`,
        projectSlug: '',
        runIds: ids,
      });
      return { ok: true, runs: ids, project: `report:${scope.reportId}` };
    } catch (error) {
      this.logger.error({ err: error }, 'share follow failed');
      return refuse('internal_error', 'could not follow');
    }
  }

  private endShared(socket: TbSocket, message: string): void {
    socket.emit('auth.error', { code: 'share_link_gone', message });
    socket.disconnect(true);
  }

  /** A link revoked or its report deleted ends its sockets; a new version narrows (or widens) what they may follow. */
  private async shareLinksChanged(event: ShareLinksChanged): Promise<void> {
    for (const socket of [...this.server.sockets.sockets.values()] as TbSocket[]) {
      const share = socket.data.share;
      if (!share || share.scope.reportId !== event.reportId || share.scope.organizationId !== event.organizationId) continue;
      if (event.linkIds && !event.linkIds.includes(share.scope.linkId)) continue;
      if (event.change !== 'published') {
        this.endShared(socket, 'this share link was revoked');
        continue;
      }
      const scope = await this.sharedReports.liveScope(randomUUID(), share.token).catch(() => null);
      if (!scope) {
        this.endShared(socket, 'this share link was revoked or has expired');
        continue;
      }
      share.scope = scope;
      const sub = this.shareSubscriptions.get(socket.id);
      for (const follow of sub ? [...sub.follows.values()] : [])
        if (follow.runIds.some((id) => !scope.runs.has(id))) this.shareSubscriptions.unfollow(sub!, follow);
    }
  }

  handleDisconnect(socket: TbSocket): void {
    this.subscriptions.remove(socket.id);
    this.shareSubscriptions.remove(socket.id);
    clearTimeout(this.expiryTimers.get(socket.id));
    this.expiryTimers.delete(socket.id);
  }

  onApplicationShutdown(): void {
    for (const off of this.unsubscribe) off();
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
  }

  private async follow(socket: TbSocket, sub: Subscription, request: FollowRequest): Promise<FollowAck> {
    try {
      if (!request || typeof request.org !== 'string' || (typeof request.project !== 'string' && typeof request.report !== 'string'))
        return refuse('validation_failed', 'follow needs org and project (or report)');
      if (request.report !== undefined && (typeof request.report !== 'string' || request.report.length > 100))
        return refuse('validation_failed', 'report must be a report id');
      if (
        request.runs !== undefined &&
        (!Array.isArray(request.runs) || request.runs.length > 100 || request.runs.some((r) => typeof r !== 'string'))
      ) {
        return refuse('validation_failed', 'runs must be a list of at most 100 run ids or keys');
      }
      if (sub.follows.size >= REALTIME_LIMITS.followsPerSocket)
        return refuse('too_many_follows', 'this connection follows too much already');
      const follow = await this.resolveFollow(socket.data.principal!, request);
      if (!follow) return refuse('not_found', 'project or run not found');
      if (!socket.connected) return refuse('disconnected', 'socket closed');
      this.subscriptions.follow(sub, follow);
      return { ok: true, runs: follow.runIds, project: follow.projectId };
    } catch (error) {
      this.logger.error({ err: error }, 'follow failed');
      return refuse('internal_error', 'could not follow');
    }
  }

  /** The same checks as REST: org membership, project visibility and role; runs must belong to the project. */
  private async resolveFollow(principal: Principal, request: FollowRequest): Promise<Follow | null> {
    const org = await this.access.resolveOrg(principal, request.org);
    if (!org) return null;
    if (request.report !== undefined) {
      // A report's comments: whoever can read the report (as REST decides it), 404 otherwise.
      const reportId = await inScopedTransaction(this.dataSource, { kind: 'tenant', organizationId: org.id }, async (em) => {
        const ctx = new RequestContext(randomUUID(), principal, org);
        ctx.bindTransaction(em);
        return (await this.reports.readable(ctx, request.report!)).report.id;
      }).catch((error: unknown) => (error instanceof AppError && error.status === 404 ? null : Promise.reject(error)));
      if (!reportId) return null;
      return { orgId: org.id, orgSlug: org.slug, projectId: `report:${reportId}`, projectSlug: '', reportId, runIds: [] };
    }
    const project = await this.access.resolveProject(principal, org, request.project);
    if (!project) return null;
    const runIds: string[] = [];
    if (request.runs?.length) {
      const found = await inScopedTransaction(this.dataSource, { kind: 'tenant', organizationId: org.id }, async (em) => {
        const ctx = new RequestContext(randomUUID(), principal, org, project);
        ctx.bindTransaction(em);
        const ids: string[] = [];
        for (const ref of request.runs ?? []) ids.push((await this.runs.find(ctx, ref)).id);
        return ids;
      }).catch((error: unknown) => (error instanceof AppError && error.status === 404 ? null : Promise.reject(error)));
      if (!found) return null;
      runIds.push(...new Set(found));
    }
    return { orgId: org.id, orgSlug: org.slug, projectId: project.id, projectSlug: project.slug, runIds };
  }

  private deliverPoints(event: PointsEvent): void {
    for (const sub of this.subscriptions.followersOfRun(event.runId)) sub.subscriber.enqueue(event);
    for (const sub of this.shareSubscriptions.followersOfRun(event.runId)) {
      const socket = this.server.sockets.sockets.get(sub.socketId) as TbSocket | undefined;
      const shown = socket?.data.share?.scope.runs.get(event.runId);
      if (!shown) continue;
      // Only what the report's panels show of the run: their metrics, steps and values.
      const series = event.series
        .filter((s) => s.kind !== 'text' && shown.has(s.name))
        .map(({ kind, name, steps, values, times }) => ({ kind, name, steps, values, times }));
      if (series.length) sub.subscriber.enqueue({ ...event, series });
    }
  }

  private deliverRunChanged({ event }: RunChanged): void {
    const targets = new Set<Subscription>([
      ...this.subscriptions.followersOfProject(event.projectId),
      ...this.subscriptions.followersOfRun(event.runId),
    ]);
    for (const sub of targets) sub.emitRunChanged(event);
  }

  private deliverComment(event: CommentChanged): void {
    if (event.reportId) {
      const payload = { projectId: null, runId: null, reportId: event.reportId, change: event.change, comment: event.comment };
      for (const sub of this.subscriptions.followersOfProject(`report:${event.reportId}`))
        this.server.sockets.sockets.get(sub.socketId)?.emit('comment.changed', payload);
      return;
    }
    const targets = new Set<Subscription>([
      ...(event.projectId ? this.subscriptions.followersOfProject(event.projectId) : []),
      ...(event.runId ? this.subscriptions.followersOfRun(event.runId) : []),
    ]);
    const payload = { projectId: event.projectId, runId: event.runId, reportId: null, change: event.change, comment: event.comment };
    for (const sub of targets) this.server.sockets.sockets.get(sub.socketId)?.emit('comment.changed', payload);
  }

  private deliverFilesChanged(event: RunFilesChanged): void {
    const targets = new Set<Subscription>([
      ...this.subscriptions.followersOfProject(event.projectId),
      ...this.subscriptions.followersOfRun(event.runId),
    ]);
    for (const sub of targets)
      this.server.sockets.sockets.get(sub.socketId)?.emit('files.changed', { projectId: event.projectId, runId: event.runId });
  }

  private deliverVersionAdded(event: VersionAdded): void {
    const { organizationId: _organizationId, ...payload } = event;
    for (const sub of this.subscriptions.followersOfProject(event.projectId))
      this.server.sockets.sockets.get(sub.socketId)?.emit('artifact.version_added', payload);
  }

  /** Each person's own room: every socket they have open, on this process. */
  private deliverNotification(event: NotificationCreated): void {
    this.server.local.to(`user:${event.userId}`).emit('notification', { notification: event.notification });
  }

  /** A socket opened with a key that was just revoked (or whose service account is gone) ends now. */
  private disconnectRevoked(event: KeysRevoked): void {
    for (const socket of this.server.sockets.sockets.values()) {
      const principal = (socket as TbSocket).data.principal;
      if (!principal?.apiKeyId) continue;
      const matches = 'keyId' in event ? principal.apiKeyId === event.keyId : principal.userId === event.userId;
      if (!matches) continue;
      (socket as TbSocket).emit('auth.error', { code: 'unauthenticated', message: 'the API key of this connection was revoked' });
      socket.disconnect(true);
    }
  }

  /** A socket opened with an access token of a session that ended (logout, reused refresh token) ends now. */
  private disconnectEndedSessions(event: SessionsRevoked): void {
    for (const socket of this.server.sockets.sockets.values()) {
      const principal = (socket as TbSocket).data.principal;
      if (!principal?.sessionId) continue;
      const matches = 'sessionId' in event ? principal.sessionId === event.sessionId : principal.userId === event.userId;
      if (!matches) continue;
      (socket as TbSocket).emit('auth.error', { code: 'unauthenticated', message: 'the session of this connection has ended' });
      socket.disconnect(true);
    }
  }

  /**
   * Drops every follow that the principal would no longer be allowed to make. A socket whose principal is no
   * longer in the organization at all (left, removed, or a deleted service account) is disconnected: everything
   * it followed there relied on that membership.
   */
  private async recheck(event: AccessChanged): Promise<void> {
    for (const sub of this.subscriptions.inOrganization(event.organizationId, event.userId)) {
      const socket = this.server.sockets.sockets.get(sub.socketId) as TbSocket | undefined;
      if (!socket?.data.principal) continue;
      const orgFollow = [...sub.follows.values()].find((f) => f.orgId === event.organizationId);
      if (orgFollow && (await this.access.resolveOrg(socket.data.principal, orgFollow.orgSlug).catch(() => undefined)) === null) {
        socket.emit('auth.error', { code: 'access_revoked', message: 'you are no longer a member of this organization' });
        socket.disconnect(true);
        continue;
      }
      for (const follow of [...sub.follows.values()]) {
        if (follow.orgId !== event.organizationId) continue;
        const still = await this.resolveFollow(socket.data.principal, {
          org: follow.orgSlug,
          project: follow.projectSlug,
          runs: follow.runIds,
          ...(follow.reportId ? { report: follow.reportId } : {}),
        }).catch(() => null);
        if (!still || followKey(still) !== followKey(follow)) this.subscriptions.unfollow(sub, follow);
      }
    }
  }

  private toOtherNodes(event: string, payload: unknown): void {
    if (!this.config.REDIS_URL) return;
    // serverSideEmit reaches the other API processes only; this one delivered already.
    (this.server as unknown as { serverSideEmit(e: string, p: unknown): void }).serverSideEmit(event, payload);
  }
}

function bearerFrom(socket: Socket): string | null {
  const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth) return fromAuth.replace(/^Bearer\s+/i, '');
  const header = socket.handshake.headers.authorization;
  return typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '') : null;
}

function handshakeError(code: string, message: string): Error & { data: { code: string; message: string } } {
  return Object.assign(new Error(message), { data: { code, message } });
}

function refuse(code: string, message: string): FollowAck {
  return { ok: false, error: { code, message } };
}
