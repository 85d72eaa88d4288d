import type { ClientToServerEvents, FollowRequest, PointsEvent, RunChangedEvent, ServerToClientEvents } from '@trackbase/contracts';
import { useEffect, useRef } from 'react';
import { io, type Socket } from 'socket.io-client';
import { loadSession, onSessionChange } from '../api/client';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
let socket: LiveSocket | null = null;
let token: string | null = null;

/** One socket per signed-in session, reconnected with the new token when the session changes. */
function liveSocket(): LiveSocket | null {
  const session = loadSession();
  if (!session) return null;
  if (socket && token === session.accessToken) return socket;
  socket?.disconnect();
  token = session.accessToken;
  socket = io({ path: '/socket.io', auth: { token }, transports: ['websocket'] });
  return socket;
}

onSessionChange(() => {
  if (socket && token !== loadSession()?.accessToken) {
    socket.disconnect();
    socket = null;
  }
});

export interface LiveHandlers {
  onPoints?: (event: PointsEvent) => void;
  onRunChanged?: (event: RunChangedEvent) => void;
}

/** Follows runs or a project while the component is mounted; re-follows after reconnects. */
export function useFollow(request: FollowRequest | null, handlers: LiveHandlers): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  const key = request ? JSON.stringify(request) : null;
  useEffect(() => {
    if (!key) return;
    const s = liveSocket();
    if (!s) return;
    const follow = JSON.parse(key) as FollowRequest;
    const doFollow = () => s.emit('follow', follow, () => undefined);
    const points = (e: PointsEvent) => latest.current.onPoints?.(e);
    const changed = (e: RunChangedEvent) => latest.current.onRunChanged?.(e);
    s.on('connect', doFollow);
    s.on('points', points);
    s.on('run.changed', changed);
    if (s.connected) doFollow();
    return () => {
      s.off('connect', doFollow);
      s.off('points', points);
      s.off('run.changed', changed);
      s.emit('unfollow', follow, () => undefined);
    };
  }, [key]);
}

/** Calls `onPush` whenever the server pushes a notification to this person. */
export function useNotificationPushes(onPush: () => void): void {
  const latest = useRef(onPush);
  latest.current = onPush;
  useEffect(() => {
    const s = liveSocket();
    if (!s) return;
    const handler = () => latest.current();
    s.on('notification', handler);
    return () => {
      s.off('notification', handler);
    };
  }, []);
}

const shareSockets = new Map<string, { socket: LiveSocket; users: number }>();

/**
 * Follows runs of a shared report with its share-link token (no session): the server allows exactly the runs of
 * the report's live panels and sends their points. `onEnded` runs when the server ends the socket (the link was
 * revoked or expired), so the page can read again and show why.
 */
export function useShareFollow(
  token: string | undefined,
  runs: string[] | null,
  handlers: { onPoints: (event: PointsEvent) => void; onEnded: () => void },
): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  const key = token && runs?.length ? JSON.stringify([token, [...runs].sort()]) : null;
  useEffect(() => {
    if (!key) return;
    const [shareToken, runIds] = JSON.parse(key) as [string, string[]];
    let entry = shareSockets.get(shareToken);
    if (!entry) {
      const s: LiveSocket = io({ path: '/socket.io', auth: { token: shareToken }, transports: ['websocket'] });
      entry = { socket: s, users: 0 };
      shareSockets.set(shareToken, entry);
    }
    entry.users += 1;
    const s = entry.socket;
    const follow: FollowRequest = { org: '', project: '', runs: runIds };
    const doFollow = () => s.emit('follow', follow, () => undefined);
    const points = (e: PointsEvent) => runIds.includes(e.runId) && latest.current.onPoints(e);
    const ended = () => latest.current.onEnded();
    s.on('connect', doFollow);
    s.on('points', points);
    s.on('auth.error', ended);
    if (s.connected) doFollow();
    return () => {
      s.off('connect', doFollow);
      s.off('points', points);
      s.off('auth.error', ended);
      s.emit('unfollow', follow, () => undefined);
      const current = shareSockets.get(shareToken);
      if (current && --current.users <= 0) {
        current.socket.disconnect();
        shareSockets.delete(shareToken);
      }
    };
  }, [key]);
}

/** Calls `onChange` when a comment of the report is written, edited or deleted (the signed-in session's socket). */
export function useReportCommentPushes(org: string, report: string, onChange: () => void): void {
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    const s = liveSocket();
    if (!s || !org || !report) return;
    const follow: FollowRequest = { org, project: '', report };
    const doFollow = () => s.emit('follow', follow, () => undefined);
    const changed = (e: { reportId: string | null }) => e.reportId === report && latest.current();
    s.on('connect', doFollow);
    s.on('comment.changed', changed);
    if (s.connected) doFollow();
    return () => {
      s.off('connect', doFollow);
      s.off('comment.changed', changed);
      s.emit('unfollow', follow, () => undefined);
    };
  }, [org, report]);
}
