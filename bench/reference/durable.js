// The reference handler (server.js) made durable the way FlexyPe's page tells its readers to go to production ("use a
// database in production"): what a user would otherwise build. Express with express.json(), the secret compared with
// !==, then one `INSERT … ON CONFLICT (event_id) DO NOTHING` per request through node-postgres (a pool of 32, as many
// as wrk's connections) and 200 {"received": true} only once it has committed. A repeat of an event id changes
// nothing and is answered 200 as well. Binds 127.0.0.1; PORT (default 3001), DATABASE_URL (node-postgres' own
// PG* variables work too).
const express = require('express');
const { Pool } = require('pg');

const secret = process.env.FLEXYPE_WEBHOOK_SECRET;
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE || 32) });

const app = express();
app.use(express.json({ limit: '1mb' }));

app.post('/webhook', async (req, res) => {
  const incoming = req.headers['x-flexype-authorization'];
  if (incoming !== secret) {
    return res.status(401).send('Unauthorized');
  }
  const eventId = req.headers['x-event-id'] || (req.body && req.body.event_id);
  if (!eventId) {
    return res.status(400).json({ error: 'missing event id' });
  }
  try {
    await pool.query(
      'INSERT INTO webhook_events (event_id, event_type, received_at, payload) VALUES ($1, $2, now(), $3) ON CONFLICT (event_id) DO NOTHING',
      [eventId, (req.body && req.body.event_type) || null, req.body],
    );
  } catch (err) {
    console.error('insert failed:', err.code || err.message);
    return res.status(500).json({ error: 'not stored' });
  }
  res.status(200).json({ received: true });
});

async function main() {
  await pool.query(`CREATE TABLE IF NOT EXISTS webhook_events (
    event_id text PRIMARY KEY,
    event_type text,
    received_at timestamptz NOT NULL,
    payload jsonb NOT NULL)`);
  const port = Number(process.env.PORT || 3001);
  app.listen(port, '127.0.0.1', () => {
    console.log(`durable reference handler listening on http://127.0.0.1:${port}/webhook`);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
