/** wkt-parser (proj4js's WKT reader) ships no types: it returns a loose object of the WKT's nodes and proj4 parameters. */
declare module 'wkt-parser' {
  export default function parseWkt(wkt: string): Record<string, unknown>;
}
