import type { RunState, SeriesKind, WireFloat } from './schemas/runs';

/**
 * Socket.io events, shared by the API gateway, the SDK and the web app.
 * Connect to the API origin (path `/socket.io`) with `auth: { token }`, an
 * access token or API key. Then ask to follow runs or a project.
 */
export interface FollowRequest {
  org: string;
  project: string;
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

export interface FilesChangedEvent {
  projectId: string;
  runId: string;
}

export interface ServerToClientEvents {
  points: (event: PointsEvent) => void;
  'run.changed': (event: RunChangedEvent) => void;
  'comment.changed': (event: {
    projectId: string;
    runId: string | null;
    change: 'created' | 'updated' | 'deleted';
    comment: unknown;
  }) => void;
  /** To followers of the project: a version was committed. */
  'artifact.version_added': (event: ArtifactVersionAddedEvent) => void;
  /** To followers of the run: files were declared or finished uploading; re-read the listing. */
  'files.changed': (event: FilesChangedEvent) => void;
  notification: (event: { notification: unknown }) => void;
  /** Sent before the server disconnects a socket (bad or expired credentials). */
  'auth.error': (event: { code: string; message: string }) => void;
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
