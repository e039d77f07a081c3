/**
 * Which database the suite runs against: a real PostGIS when TEST_DATABASE_URL
 * or DATABASE_URL is set (CI sets it), otherwise the embedded PGlite.
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
export const backend: 'postgis' | 'embedded' = testDatabaseUrl ? 'postgis' : 'embedded';

/** The seed every test dataset is generated with. */
export const TEST_SEED = 20261122;
