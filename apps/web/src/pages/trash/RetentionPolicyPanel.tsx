import type { RetentionPolicy, RetentionPolicyResponse, RetentionSchedule } from '@trackbase/contracts';
import { paths, RETENTION_SCHEDULES } from '@trackbase/contracts';
import { useState } from 'react';
import { put } from '../../api/client';
import { useResource } from '../../api/hooks';
import { ErrorBox, formatTime } from '../../components/ui';

const SCHEDULE_LABEL: Record<RetentionSchedule, string> = {
  manual: 'manual: applied only when asked',
  daily: 'daily: the server applies it once a day',
};

/** The rules of a policy as a person reads them. */
function rules(policy: RetentionPolicy): string[] {
  const out: string[] = [];
  if (policy.keepLastVersions !== null)
    out.push(`keep the newest ${policy.keepLastVersions} versions of each artifact (aliased ones stay)`);
  if (policy.failedRunFilesDays !== null)
    out.push(`delete files of failed or crashed runs ${policy.failedRunFilesDays} days after they ended`);
  if (policy.runFilter !== null)
    out.push(`move runs matching ${policy.runFilter} to the trash ${policy.runFilterDays} days after creation`);
  return out;
}

/** The project's retention policy with its schedule (which a maintainer may switch) and when it last and next applies. */
export function RetentionPolicyPanel({ org, project }: { org: string; project: string }) {
  const policy = useResource<RetentionPolicyResponse>(paths.retention(org, project));
  const [error, setError] = useState<Error | null>(null);
  const p = policy.data;
  if (!p) return <ErrorBox error={policy.error} />;
  const listed = rules(p);

  async function schedule(value: RetentionSchedule) {
    if (!p) return;
    setError(null);
    const { updatedAt: _u, lastAppliedAt: _l, nextApplyAt: _n, ...current } = p;
    try {
      const saved = await put<RetentionPolicyResponse>(paths.retention(org, project), { ...current, schedule: value });
      policy.setData(() => saved);
    } catch (e) {
      setError(e as Error);
    }
  }

  return (
    <div className="card" aria-label="Retention policy">
      <h2>Retention policy</h2>
      {listed.length ? (
        <ul>
          {listed.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : (
        <p className="muted">No rules: nothing is removed on its own.</p>
      )}
      <label>
        Schedule{' '}
        <select aria-label="Retention schedule" value={p.schedule} onChange={(e) => void schedule(e.target.value as RetentionSchedule)}>
          {RETENTION_SCHEDULES.map((s) => (
            <option key={s} value={s}>
              {SCHEDULE_LABEL[s]}
            </option>
          ))}
        </select>
      </label>
      <p className="muted" data-testid="retention-times">
        Last applied: {p.lastAppliedAt ? formatTime(p.lastAppliedAt) : 'never'}
        {p.schedule === 'daily' && p.nextApplyAt && <> · next: {formatTime(p.nextApplyAt)}</>}
      </p>
      <ErrorBox error={error} />
    </div>
  );
}
