/** Tile-address templates and the offset providers (core/basemaps.ts). */
import { describe, expect, it } from 'vitest';
import { fillTemplate, offsetProviderOf, templateProblem, tiandituTileUrl, tileOf } from '../../core/basemaps.ts';

describe('tile-address templates', () => {
  it('fill XYZ, TMS (rows from the bottom) and WMTS REST and KVP templates', () => {
    expect(fillTemplate('https://a.example/{z}/{x}/{y}.png', 'xyz', 12, 3349, 1631)).toBe('https://a.example/12/3349/1631.png');
    expect(fillTemplate('https://a.example/{z}/{x}/{y}.png', 'tms', 12, 3349, 1631)).toBe('https://a.example/12/3349/2464.png');
    expect(fillTemplate('https://a.example/{z}/{x}/{-y}.png', 'xyz', 12, 3349, 1631)).toBe('https://a.example/12/3349/2464.png');
    expect(fillTemplate('https://gis.example/wmts/img/default/w/{TileMatrix}/{TileRow}/{TileCol}.jpg', 'wmts', 10, 837, 407)).toBe('https://gis.example/wmts/img/default/w/10/407/837.jpg');
    expect(fillTemplate('https://gis.example/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=a&TILEMATRIXSET=w&TILEMATRIX={TileMatrix}&TILEROW={TileRow}&TILECOL={TileCol}', 'wmts', 10, 837, 407)).toBe(
      'https://gis.example/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=a&TILEMATRIXSET=w&TILEMATRIX=10&TILEROW=407&TILECOL=837',
    );
    expect(fillTemplate('https://{s}.example/{z}/{x}/{y}.png', 'xyz', 1, 1, 0)).toBe('https://b.example/1/1/0.png');
  });

  it('say what is wrong with a template', () => {
    expect(templateProblem('https://a.example/{z}/{x}/{y}.png')).toBeNull();
    expect(templateProblem('https://a.example/{TileMatrix}/{TileRow}/{TileCol}')).toBeNull();
    expect(templateProblem('https://a.example/tile.png')?.en).toMatch(/placeholders/);
    expect(templateProblem('https://a.example/{z}/{x}/{y}/{style}')?.zh).toBe('未知的占位符 {style}');
    expect(templateProblem('file:///etc/{z}/{x}/{y}')?.zh).toBe('只接受 http 或 https 网址');
    expect(templateProblem('not a url {z}{x}{y}')?.en).toBe('not a valid address');
  });

  it('write Tianditu’s GetTile on the tile set w, a subdomain per tile', () => {
    const u = new URL(tiandituTileUrl('https://t{s}.tianditu.gov.cn', 'cva', 10, 837, 407, 'KEY'));
    expect(u.host).toBe('t4.tianditu.gov.cn');
    expect(u.pathname).toBe('/cva_w/wmts');
    expect(u.searchParams.get('TILEMATRIXSET')).toBe('w');
    expect(u.searchParams.get('tk')).toBe('KEY');
    // the tile over Kaifeng at zoom 10
    expect(tileOf(114.35, 34.79, 10)).toEqual({ x: 837, y: 406 }); // y = (1 − asinh(tan 34.79°)/π)/2 · 1024 = 406.6
  });
});

describe('offset providers', () => {
  it('recognise 高德, 腾讯 and 百度 by host, and nothing else', () => {
    expect(offsetProviderOf('https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}')).toMatchObject({ zh: '高德', datum: 'GCJ-02' });
    expect(offsetProviderOf('https://webst02.is.amap.com/appmaptile?x={x}')).toMatchObject({ zh: '高德' });
    expect(offsetProviderOf('https://rt0.map.gtimg.com/tile?z={z}')).toMatchObject({ zh: '腾讯', datum: 'GCJ-02' });
    expect(offsetProviderOf('https://maponline1.bdimg.com/tile/?x={x}')).toMatchObject({ zh: '百度', datum: 'BD-09' });
    expect(offsetProviderOf('https://t0.tianditu.gov.cn/img_w/wmts?x={x}')).toBeNull();
    expect(offsetProviderOf('https://amap.com.example.org/{z}/{x}/{y}')).toBeNull();
    expect(offsetProviderOf('https://notautonavi.com/{z}/{x}/{y}')).toBeNull();
  });
});
