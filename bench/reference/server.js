// The webhook handler FlexyPe's documentation gives (docs.flexype.io/webhooks/overview, "implementation example"),
// rebuilt from its described behaviour as the baseline for bench/: Express with express.json(), one POST route,
// the secret compared with !==, 200 {"received": true} at once, processed event ids in an in-memory Set, the body
// handled in setImmediate. Nothing is durable: a restart forgets every id, and events are acknowledged before
// anything is stored. Differences from the page: it binds 127.0.0.1 (benchmarks stay on this machine) and the port
// and path can be set (PORT, default 3000; the route is /webhook as on the page).
const express = require('express');

const app = express();
app.use(express.json());

const secret = process.env.FLEXYPE_WEBHOOK_SECRET;
const processed = new Set(); // the page: "use a database in production"

app.post('/webhook', (req, res) => {
  const incoming = req.headers['x-flexype-authorization'];
  if (incoming !== secret) {
    return res.status(401).send('Unauthorized');
  }

  res.status(200).json({ received: true });

  setImmediate(() => {
    const eventId = req.headers['x-event-id'] || (req.body && req.body.event_id);
    if (processed.has(eventId)) {
      return;
    }
    processed.add(eventId);
    const { event_type, event_time } = req.body || {};
    void event_type;
    void event_time;
  });
});

const port = Number(process.env.PORT || 3000);
app.listen(port, '127.0.0.1', () => {
  console.log(`reference handler listening on http://127.0.0.1:${port}/webhook`);
});
