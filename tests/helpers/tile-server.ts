/**
 * A local stand-in for the tile servers a bureau's base maps come from, since Tianditu cannot be
 * reached from here: it answers Tianditu's WMTS KVP GetTile (`/{layer}_w/wmts?SERVICE=WMTS&…&tk=`)
 * with real PNG tiles made by sharp — one colour per layer — and refuses a wrong key as
 * Tianditu does (403 with a page of text); `/xyz/{z}/{x}/{y}.png` is an XYZ/TMS service, `/html/…`
 * answers a web page instead of a tile, `/fail/…` a 500, `/hang/…` never answers.
 * Every request is recorded, so a test can read what the app asked for.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export const LAYER_COLOURS: Record<string, [number, number, number]> = {
  vec: [236, 232, 220],
  img: [30, 90, 40],
  ter: [200, 180, 140],
  xyz: [60, 60, 200],
};

export interface TileServer {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: URL[];
  /** PNG bytes answered for a layer (annotation layers: transparent). */
  png: (layer: string) => Promise<Buffer>;
  close: () => Promise<void>;
}

export async function startTileServer(opts: { key: string }): Promise<TileServer> {
  const pngs = new Map<string, Buffer>();
  const png = async (layer: string) => {
    let b = pngs.get(layer);
    if (!b) {
      const c = LAYER_COLOURS[layer];
      b = await sharp({ create: { width: 256, height: 256, channels: 4, background: c ? { r: c[0], g: c[1], b: c[2], alpha: 1 } : { r: 0, g: 0, b: 0, alpha: 0 } } })
        .png()
        .toBuffer();
      pngs.set(layer, b);
    }
    return b;
  };
  const requests: URL[] = [];
  const hanging = new Set<ServerResponse>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url!, 'http://local');
    requests.push(u);
    const wmts = /^\/(vec|cva|img|cia|ter|cta)_w\/wmts$/.exec(u.pathname);
    if (wmts) {
      const q = u.searchParams;
      const ok = q.get('SERVICE') === 'WMTS' && q.get('REQUEST') === 'GetTile' && q.get('LAYER') === wmts[1] && q.get('TILEMATRIXSET') === 'w' && /^\d+$/.test(q.get('TILEMATRIX') ?? '');
      if (!ok) return void res.writeHead(400, { 'content-type': 'text/xml' }).end('<ExceptionReport>bad request</ExceptionReport>');
      if (q.get('tk') !== opts.key) return void res.writeHead(403, { 'content-type': 'text/html' }).end('<html>权限验证失败</html>');
      return void res.writeHead(200, { 'content-type': 'image/png' }).end(await png(wmts[1]!));
    }
    if (/^\/xyz\/\d+\/\d+\/\d+\.png$/.test(u.pathname)) return void res.writeHead(200, { 'content-type': 'image/png' }).end(await png('xyz'));
    if (u.pathname.startsWith('/html/')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>登录</body></html>');
    if (u.pathname.startsWith('/fail/')) return void res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
    if (u.pathname.startsWith('/hang/')) return void hanging.add(res);
    res.writeHead(404).end();
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    png,
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
