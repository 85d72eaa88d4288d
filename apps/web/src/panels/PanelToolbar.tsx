import { useState } from 'react';
import type { Band } from '../charts/stats';
import type { Panel, PanelLayout, XAxisChoice } from './layout';
import { AddPanelForm } from './AddPanelForm';

/** Search, shared chart settings (x axis, smoothing, log scale, robust range, band) and the add-panel form. */
export function PanelToolbar(props: {
  layout: PanelLayout;
  setLayout: (l: PanelLayout) => void;
  search: string;
  setSearch: (s: string) => void;
  metricNames: string[];
  paramNames: string[];
  sections: string[];
  onAdd: (section: string, panel: Panel) => void;
  grouped: boolean;
}) {
  const { layout, setLayout } = props;
  const settings = layout.settings;
  const set = (change: Partial<PanelLayout['settings']>) => setLayout({ ...layout, settings: { ...settings, ...change } });
  const [adding, setAdding] = useState(false);
  return (
    <div className="panel-toolbar">
      <div className="toolbar">
        <label>
          Search panels <input value={props.search} onChange={(e) => props.setSearch(e.target.value)} placeholder="loss or /^val\// " />
        </label>
        <label>
          X axis
          <select value={settings.x} onChange={(e) => set({ x: e.target.value as XAxisChoice })}>
            <option value="step">step</option>
            <option value="time">wall time</option>
            <option value="relative">relative time</option>
          </select>
        </label>
        <label>
          Smoothing
          <select
            value={settings.smoothing.kind}
            onChange={(e) =>
              set({
                smoothing: {
                  kind: e.target.value as 'none' | 'ema' | 'mean',
                  amount: e.target.value === 'ema' ? 0.6 : e.target.value === 'mean' ? 5 : 0,
                },
              })
            }
          >
            <option value="none">none</option>
            <option value="ema">exponential</option>
            <option value="mean">running average</option>
          </select>
        </label>
        {settings.smoothing.kind !== 'none' && (
          <input
            type="range"
            aria-label="Smoothing amount"
            min={settings.smoothing.kind === 'ema' ? 0 : 2}
            max={settings.smoothing.kind === 'ema' ? 0.99 : 51}
            step={settings.smoothing.kind === 'ema' ? 0.01 : 1}
            value={settings.smoothing.amount}
            onChange={(e) => set({ smoothing: { ...settings.smoothing, amount: Number(e.target.value) } })}
          />
        )}
        <label>
          <input type="checkbox" checked={settings.log} onChange={(e) => set({ log: e.target.checked })} /> Log scale
        </label>
        <label>
          <input type="checkbox" checked={settings.robust} onChange={(e) => set({ robust: e.target.checked })} /> Ignore outliers
        </label>
        {props.grouped && (
          <label>
            Band
            <select value={settings.band} onChange={(e) => set({ band: e.target.value as Band })}>
              <option value="std">std</option>
              <option value="stderr">standard error</option>
              <option value="minmax">min–max</option>
            </select>
          </label>
        )}
        <button type="button" className="secondary" onClick={() => setAdding((a) => !a)} aria-expanded={adding}>
          Add panel
        </button>
      </div>
      {adding && (
        <AddPanelForm
          metricNames={props.metricNames}
          paramNames={props.paramNames}
          sections={props.sections}
          onAdd={(section, panel) => {
            props.onAdd(section, panel);
            setAdding(false);
          }}
        />
      )}
    </div>
  );
}
