import { useState, type FormEvent } from 'react';
import { DEFAULT_PANEL, panelId, type Panel, type PanelType, type XAxisChoice } from './layout';

/** The form to add a panel: type, the metric(s), and the params it needs. */
export function AddPanelForm({
  metricNames,
  paramNames,
  sections,
  onAdd,
}: {
  metricNames: string[];
  paramNames: string[];
  sections: string[];
  onAdd: (section: string, panel: Panel) => void;
}) {
  const [type, setType] = useState<PanelType>('line');
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const metrics = String(form.get('metrics') ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    const params = form.getAll('params').map(String).filter(Boolean);
    const section = String(form.get('section') ?? '').trim() || 'Custom';
    const base = { id: panelId(), ...DEFAULT_PANEL };
    const metric = metrics[0] ?? metricNames[0] ?? '';
    let panel: Panel;
    if (type === 'line') {
      const x = String(form.get('x') ?? 'step') as XAxisChoice;
      panel = { ...base, type, metrics: metrics.length ? metrics : [metric], x, xMetric: String(form.get('xMetric') ?? '') || undefined };
    } else if (type === 'scatter') panel = { ...base, type, metric, param: params[0] ?? paramNames[0] ?? '' };
    else if (type === 'parallel') panel = { ...base, type, metric, params: params.length ? params : paramNames.slice(0, 4), w: 8 };
    else panel = { ...base, type, metric };
    onAdd(section, panel);
  };
  return (
    <form className="add-panel" onSubmit={submit} aria-label="Add panel">
      <label>
        Panel
        <select name="type" value={type} onChange={(e) => setType(e.target.value as PanelType)}>
          <option value="line">line</option>
          <option value="scatter">scatter</option>
          <option value="bar">bar</option>
          <option value="parallel">parallel coordinates</option>
          <option value="importance">parameter importance</option>
        </select>
      </label>
      <label>
        {type === 'line' ? 'Metrics (comma-separated)' : 'Metric'}
        <input name="metrics" list="panel-metric-names" placeholder={metricNames[0] ?? 'loss'} />
        <datalist id="panel-metric-names">
          {metricNames.slice(0, 500).map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
      </label>
      {type === 'line' && (
        <>
          <label>
            X
            <select name="x" defaultValue="step">
              <option value="step">step</option>
              <option value="time">wall time</option>
              <option value="relative">relative time</option>
              <option value="metric">another metric</option>
            </select>
          </label>
          <label>
            X metric
            <input name="xMetric" list="panel-metric-names" />
          </label>
        </>
      )}
      {(type === 'scatter' || type === 'parallel') && (
        <label>
          Params
          <select name="params" multiple={type === 'parallel'} size={type === 'parallel' ? Math.min(5, paramNames.length || 1) : undefined}>
            {paramNames.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        Section
        <input name="section" list="panel-section-names" placeholder="Custom" />
        <datalist id="panel-section-names">
          {sections.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      </label>
      <button type="submit">Add panel</button>
    </form>
  );
}
