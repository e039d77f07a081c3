/** How the map tools write lengths: metres to two decimals below 1 km, else kilometres to three. */
import { formatNumber } from '../../format.ts';

export const formatLength = (m: number) => (m < 1000 ? `${formatNumber(m, 2)} m` : `${formatNumber(m / 1000, 3)} km`);
