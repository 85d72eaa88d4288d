import type { Subscriber } from './subscriber';

export interface Follow {
  orgId: string;
  orgSlug: string;
  projectId: string;
  projectSlug: string;
  /** Set when a report's comments are followed (projectId is then `report:<id>`, not a project). */
  reportId?: string;
  /** Followed run ids; empty when the whole project is followed. */
  runIds: string[];
}

export interface Subscription {
  socketId: string;
  userId: string;
  subscriber: Subscriber;
  follows: Map<string, Follow>;
  emitRunChanged(event: unknown): void;
}

/** Which local sockets follow which runs and projects: the fan-out index of this process. */
export class Subscriptions {
  private readonly byRun = new Map<string, Set<Subscription>>();
  private readonly byProject = new Map<string, Set<Subscription>>();
  private readonly all = new Map<string, Subscription>();

  add(sub: Subscription): void {
    this.all.set(sub.socketId, sub);
  }

  get(socketId: string): Subscription | undefined {
    return this.all.get(socketId);
  }

  remove(socketId: string): void {
    const sub = this.all.get(socketId);
    if (!sub) return;
    for (const follow of [...sub.follows.values()]) this.unfollow(sub, follow);
    sub.subscriber.close();
    this.all.delete(socketId);
  }

  follow(sub: Subscription, follow: Follow): void {
    sub.follows.set(followKey(follow), follow);
    if (follow.runIds.length) for (const runId of follow.runIds) index(this.byRun, runId).add(sub);
    else index(this.byProject, follow.projectId).add(sub);
  }

  unfollow(sub: Subscription, follow: Follow): void {
    sub.follows.delete(followKey(follow));
    for (const runId of follow.runIds) this.byRun.get(runId)?.delete(sub);
    if (!follow.runIds.length) this.byProject.get(follow.projectId)?.delete(sub);
    // Another follow may still cover the same run or project.
    for (const other of sub.follows.values()) {
      for (const runId of other.runIds) index(this.byRun, runId).add(sub);
      if (!other.runIds.length) index(this.byProject, other.projectId).add(sub);
    }
  }

  followersOfRun(runId: string): Iterable<Subscription> {
    return this.byRun.get(runId) ?? [];
  }

  followersOfProject(projectId: string): Iterable<Subscription> {
    return this.byProject.get(projectId) ?? [];
  }

  inOrganization(organizationId: string, userId?: string): Subscription[] {
    return [...this.all.values()].filter(
      (sub) => (!userId || sub.userId === userId) && [...sub.follows.values()].some((f) => f.orgId === organizationId),
    );
  }
}

export function followKey(follow: Pick<Follow, 'projectId' | 'runIds'>): string {
  return `${follow.projectId}:${[...follow.runIds].sort().join(',')}`;
}

function index(map: Map<string, Set<Subscription>>, key: string): Set<Subscription> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}
