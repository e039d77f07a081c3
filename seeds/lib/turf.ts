/**
 * The Turf functions the generator uses, from their own packages rather than the whole
 * @turf/turf bundle (generate.ts reads them as `turf.*`).
 */
export { centroid } from '@turf/centroid';
export { difference } from '@turf/difference';
export { featureCollection, multiPolygon, polygon } from '@turf/helpers';
export { intersect } from '@turf/intersect';
export { union } from '@turf/union';
