/**
 * Export of the current view (导出当前视图) as PNG and PDF, made in the browser: the map's own
 * canvas as drawn (base map, the visible layers, any measurement or highlight), at its size, with
 * a legend of the visible layers, a scale bar, a north arrow, the time (Beijing) and the data
 * version drawn onto it. The PDF (jsPDF, loaded when first asked for) holds that image and, as
 * text, the time, data version, scale and coordinate system — in Latin script, since the PDF's
 * standard fonts have no Chinese glyphs (the image carries the page's own words).
 *
 * Why in the browser: the view is what the user's MapLibre drew (their layers, opacity, base
 * map, measurement); the server has no renderer of its own, and the site-check report prints its
 * maps through the browser as well.
 */
import type { Map as MapLibreMap } from 'maplibre-gl';
import { beijingTime } from '../../../../core/beijing-time.ts';
import { geodesicDistance } from '../../../../core/measure.ts';

export interface LegendEntry {
  name: string;
  fill: string;
  fillOpacity: number;
  line: string;
  dashed: boolean;
}

export interface ExportWords {
  title: string;
  legend: string;
  north: string;
  date: string;
  version: string;
  crs: string;
}

export interface ViewExport {
  canvas: HTMLCanvasElement;
  /** Beijing time of the export, "2026-12-02 11:35:08". */
  time: string;
  dataVersion: string;
  /** Metres per pixel of the image at its centre. */
  metresPerPixel: number;
}

const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';

/** The map's canvas as drawn in its next frame (WebGL keeps no buffer between frames: read it in the render event). */
function captureMap(map: MapLibreMap): Promise<HTMLCanvasElement> {
  return new Promise((resolve) => {
    map.once('render', () => {
      const src = map.getCanvas();
      const out = document.createElement('canvas');
      out.width = src.width;
      out.height = src.height;
      out.getContext('2d')!.drawImage(src, 0, 0);
      resolve(out);
    });
    map.triggerRepaint();
  });
}

/** A round length for a scale bar at most `max` metres: 1, 2 or 5 × 10ⁿ. */
function roundLength(max: number): number {
  const p = 10 ** Math.floor(Math.log10(max));
  for (const k of [5, 2, 1]) if (k * p <= max) return k * p;
  return p;
}

const lengthText = (m: number) => (m >= 1000 ? `${m / 1000} km` : `${m} m`);

/** The view as an image with its legend, scale bar, north arrow, time and data version. */
export async function renderView(map: MapLibreMap, legend: LegendEntry[], words: ExportWords, dataVersion: string): Promise<ViewExport> {
  const canvas = await captureMap(map);
  const g = canvas.getContext('2d')!;
  const W = canvas.width;
  const H = canvas.height;
  const css = map.getCanvas().clientWidth || W;
  const k = W / css; // device pixels per CSS pixel
  const time = beijingTime(new Date().toISOString());
  // metres per CSS pixel at the centre, along the screen's horizontal
  const c = map.getCanvas();
  const cx = c.clientWidth / 2;
  const cy = c.clientHeight / 2;
  const a = map.unproject([cx - 50, cy]);
  const b = map.unproject([cx + 50, cy]);
  const mPerCss = geodesicDistance([a.lng, a.lat], [b.lng, b.lat]) / 100;
  const metresPerPixel = mPerCss / k;

  const pad = 10 * k;
  const box = (x: number, y: number, w: number, h: number) => {
    g.fillStyle = 'rgba(255,255,255,0.9)';
    g.strokeStyle = 'rgba(0,0,0,0.25)';
    g.lineWidth = 1 * k;
    g.fillRect(x, y, w, h);
    g.strokeRect(x, y, w, h);
  };
  const font = (px: number, bold = false) => `${bold ? 'bold ' : ''}${px * k}px ${FONT}`;

  // title and time, top left
  g.font = font(15, true);
  const lines = [words.title, words.date.replace('{time}', time), words.version.replace('{version}', dataVersion), words.crs];
  g.font = font(12);
  const textW = Math.max(...lines.map((l) => g.measureText(l).width)) + 16 * k;
  box(pad, pad, textW, (20 + 16 * 3 + 8) * k);
  g.fillStyle = '#1c3d5a';
  g.font = font(15, true);
  g.textBaseline = 'top';
  g.fillText(lines[0]!, pad + 8 * k, pad + 6 * k);
  g.font = font(12);
  g.fillStyle = '#343a40';
  lines.slice(1).forEach((l, i) => g.fillText(l, pad + 8 * k, pad + (26 + 16 * i) * k));

  // north arrow, top right: rotated with the map's bearing
  const nx = W - pad - 24 * k;
  const ny = pad + 34 * k;
  g.save();
  g.translate(nx, ny);
  g.rotate((-map.getBearing() * Math.PI) / 180);
  g.beginPath();
  g.moveTo(0, -22 * k);
  g.lineTo(9 * k, 10 * k);
  g.lineTo(0, 4 * k);
  g.lineTo(-9 * k, 10 * k);
  g.closePath();
  g.fillStyle = '#212529';
  g.fill();
  g.restore();
  g.font = font(13, true);
  g.textAlign = 'center';
  g.fillStyle = '#212529';
  g.fillText(words.north, nx, ny + 14 * k);
  g.textAlign = 'left';

  // scale bar, bottom right
  const barM = roundLength(mPerCss * 150);
  const barPx = (barM / mPerCss) * k;
  const sx = W - pad - barPx - 12 * k;
  const sy = H - pad - 30 * k;
  box(sx - 8 * k, sy - 4 * k, barPx + 28 * k, 30 * k);
  g.fillStyle = '#212529';
  g.fillRect(sx, sy + 16 * k, barPx, 4 * k);
  g.fillRect(sx, sy + 10 * k, 2 * k, 10 * k);
  g.fillRect(sx + barPx - 2 * k, sy + 10 * k, 2 * k, 10 * k);
  g.font = font(12);
  g.textBaseline = 'top';
  g.fillText(lengthText(barM), sx, sy - 1 * k);

  // legend, bottom left
  if (legend.length) {
    g.font = font(12);
    const rowH = 18 * k;
    const w = Math.max(g.measureText(words.legend).width, ...legend.map((l) => g.measureText(l.name).width)) + 44 * k;
    const h = (legend.length + 1) * rowH + 10 * k;
    const lx = pad;
    const ly = H - pad - h;
    box(lx, ly, w, h);
    g.fillStyle = '#1c3d5a';
    g.font = font(12, true);
    g.fillText(words.legend, lx + 8 * k, ly + 6 * k);
    g.font = font(12);
    legend.forEach((l, i) => {
      const y = ly + 6 * k + (i + 1) * rowH;
      g.globalAlpha = Math.max(0.15, l.fillOpacity);
      g.fillStyle = l.fill;
      g.fillRect(lx + 8 * k, y + 1 * k, 22 * k, 12 * k);
      g.globalAlpha = 1;
      g.strokeStyle = l.line;
      g.lineWidth = 1.5 * k;
      g.setLineDash(l.dashed ? [4 * k, 2 * k] : []);
      g.strokeRect(lx + 8 * k, y + 1 * k, 22 * k, 12 * k);
      g.setLineDash([]);
      g.fillStyle = '#343a40';
      g.fillText(l.name, lx + 36 * k, y);
    });
  }
  return { canvas, time, dataVersion, metresPerPixel };
}

const stamp = (time: string) => time.replace(/[-:]/g, '').replace(' ', '-').slice(0, 13);

function download(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export async function exportPng(view: ViewExport): Promise<void> {
  const blob = await new Promise<Blob>((resolve, reject) => view.canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG'))), 'image/png'));
  download(blob, `yizhangtu-${stamp(view.time)}.png`);
}

export async function exportPdf(view: ViewExport): Promise<void> {
  const { jsPDF } = await import('jspdf');
  const { width: W, height: H } = view.canvas;
  const pdf = new jsPDF({ orientation: W >= H ? 'landscape' : 'portrait', unit: 'pt', format: 'a4' });
  const pw = pdf.internal.pageSize.getWidth();
  const ph = pdf.internal.pageSize.getHeight();
  const margin = 28;
  const textH = 54;
  const scale = Math.min((pw - 2 * margin) / W, (ph - 2 * margin - textH) / H);
  const w = W * scale;
  const h = H * scale;
  pdf.addImage(view.canvas.toDataURL('image/png'), 'PNG', margin, margin, w, h);
  // the scale of the image as placed on the page: metres on the ground per metre of paper
  const ratio = Math.round(view.metresPerPixel / (scale * (0.0254 / 72)));
  pdf.setFont('helvetica', 'normal');
  pdf.setFontSize(10);
  const y = margin + h + 16;
  pdf.text(`Yizhangtu map view - exported ${view.time} (Beijing time, UTC+8)`, margin, y);
  pdf.text(`Data version ${view.dataVersion}`, margin, y + 14);
  pdf.text(`Scale about 1:${ratio.toLocaleString('en')} at the centre - CGCS2000 (EPSG:4490), shown in Web Mercator`, margin, y + 28);
  download(pdf.output('blob'), `yizhangtu-${stamp(view.time)}.pdf`);
}
