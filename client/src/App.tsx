import { useEffect, useState } from 'react';
import { layerGroups } from '../../core/layers.ts';
import type { HealthResponse } from '../../core/contracts/health.ts';
import type { LayerInfo } from '../../core/contracts/layers.ts';
import { formatArea } from '../../core/units.ts';
import { api } from './api.ts';

/** The workspace shell: service status and the layer catalog, grouped as the layer panel groups them. */
export function App() {
  const [health, setHealth] = useState<HealthResponse | null>(null);
  const [layers, setLayers] = useState<LayerInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([api.health(), api.layers()])
      .then(([h, l]) => {
        setHealth(h);
        setLayers(l);
      })
      .catch((e: Error) => setError(e.message));
  }, []);

  return (
    <div className="app">
      <header className="app-header">
        <h1>一张图</h1>
        <span className="subtitle">开封市国土空间控制线与存量土地</span>
        {health && (
          <span className="status" data-testid="health">
            数据库：{health.database === 'embedded' ? '内置（PGlite + PostGIS）' : 'PostGIS'} · 数据版本 {health.dataVersion}
          </span>
        )}
      </header>
      <main className="catalog">
        {error && <p className="error" role="alert">加载失败：{error}</p>}
        {!layers && !error && <p>正在加载图层目录…</p>}
        {layers &&
          layerGroups.map((g) => {
            const items = layers.filter((l) => l.group === g.id);
            if (!items.length) return null;
            return (
              <section key={g.id}>
                <h2>{g.nameZh}</h2>
                <ul>
                  {items.map((l) => (
                    <li key={l.id} data-layer={l.id}>
                      <span
                        className="swatch"
                        style={{ background: l.style.fillColor, borderColor: l.style.lineColor }}
                      />
                      <span className="name">{l.nameZh}</span>
                      <span className="count">{l.featureCount.toLocaleString('zh-CN')} 个要素</span>
                      {l.sensitivity === 'restricted' && <span className="badge">受控</span>}
                    </li>
                  ))}
                </ul>
              </section>
            );
          })}
        <p className="hint">面积单位：{formatArea(666.6667 * 15)} = 1 公顷</p>
      </main>
    </div>
  );
}
