import type { Comment, Notification } from './schemas/comments';
import type { RunState, SeriesKind, WireFloat } from './schemas/runs';

/**
 * Socket.io events, shared by the API gateway, the SDK and the web app.
 * Connect to the API origin (path `/socket.io`) with `auth: { token }`, an
 * access token or API key. Then ask to follow runs or a project.
 */
export interface FollowRequest {
  /** Not read on a socket opened with a share-link token (it follows run ids of its report). */
  org: string;
  /** Empty with `report`. */
  project: string;
  /** A report id: follow its comments (`comment.changed`); `project` and `runs` are not read. */
  report?: string;
  /** Run ids or short keys; omit to follow the whole project (run lifecycle events, not points). */
  runs?: string[];
}

export type FollowAck = { ok: true; runs: string[]; project: string } | { ok: false; error: { code: string; message: string } };

export interface PointsEvent {
  runId: string;
  series: Array<{ kind: SeriesKind; name: string; steps: number[]; values: WireFloat[]; times: number[]; lines?: string[] }>;
  /** True when the server dropped points for this subscriber to keep up; re-read the series over REST. */
  coalesced: boolean;
}

export interface RunChangedEvent {
  runId: string;
  projectId: string;
  key: string;
  name: string;
  state: RunState;
  tags: string[];
  change: 'created' | 'updated' | 'deleted';
}

export interface ArtifactVersionAddedEvent {
  projectId: string;
  artifact: string;
  kind: string;
  version: string;
  producerRunId: string | null;
}

/**
 * A comment on a run (runId set), on the project (runId null), or on a report (reportId set, projectId null) was
 * written, edited or deleted; `comment` is as REST answers it.
 */
export interface CommentChangedEvent {
  projectId: string | null;
  runId: string | null;
  reportId: string | null;
  change: 'created' | 'updated' | 'deleted';
  comment: Comment;
}

/** A notification for the connected person (a mention or a reply), as the notifications list answers it. */
export interface NotificationEvent {
  notification: Notification;
}

/**
 * Sent before the server disconnects a socket: `token_expired` (its access token ran out), `unauthenticated`
 * (its API key was revoked or its session ended), `access_revoked` (removed from, or left, an organization it followed),
 * `share_link_gone` (the share link it was opened with was revoked, expired, or its report deleted).
 */
export interface AuthErrorEvent {
  code: 'token_expired' | 'unauthenticated' | 'access_revoked' | 'share_link_gone';
  message: string;
}

export interface FilesChangedEvent {
  projectId: string;
  runId: string;
}

export interface ServerToClientEvents {
  points: (event: PointsEvent) => void;
  'run.changed': (event: RunChangedEvent) => void;
  /** To followers of the project, and of the run for a run's comment; to followers of the report for a report's. */
  'comment.changed': (event: CommentChangedEvent) => void;
  /** To followers of the project: a version was committed. */
  'artifact.version_added': (event: ArtifactVersionAddedEvent) => void;
  /** To followers of the run and of its project: files were declared or finished uploading; re-read the listing. */
  'files.changed': (event: FilesChangedEvent) => void;
  /** To every socket of the notified person, followed or not. */
  notification: (event: NotificationEvent) => void;
  /** Sent before the server disconnects a socket (expired or revoked credentials, removal from the organization). */
  'auth.error': (event: AuthErrorEvent) => void;
}

export interface ClientToServerEvents {
  follow: (request: FollowRequest, ack: (result: FollowAck) => void) => void;
  unfollow: (request: FollowRequest, ack: (result: { ok: boolean }) => void) => void;
}

/** Delivery policy for points, per subscriber: flushed at most this often, at most this many points per series per flush. */
export const REALTIME_LIMITS = {
  flushIntervalMs: 100,
  pointsPerSeriesPerFlush: 1_000,
  seriesPerSubscriber: 2_000,
  followsPerSocket: 200,
} as const;
