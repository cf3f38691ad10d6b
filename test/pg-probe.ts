// Whether the test PostgreSQL (ARS_TEST_PG_URL) answers; tests skip their PostgreSQL cases, saying why, when not.
import pg from 'pg';

export const PG_URL = process.env.ARS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function postgresReachable(who: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    console.warn(
      `${who}: PostgreSQL skipped, ${PG_URL} unreachable (${(error as Error).message}); set ARS_TEST_PG_URL`,
    );
    return false;
  }
}

/** Drops test schemas (at the end of a file). */
export async function dropSchemas(schemas: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}
