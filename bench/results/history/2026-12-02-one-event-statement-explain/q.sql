-- A record of what ran at 11:28 on 2026-12-02 (bench/README.md, issue 16): psql -f on workflowsdb after a drain of
-- 60,000 events. batchread is BatchReads' statement as 1cb0ec7 ran it for one event; history and purchased are the
-- per-event queries of cce248b (EnrollmentFeatures.HistoryAsync, PurchaseExit.PurchasedSinceAsync): copies by design, so
-- the plans can be read outside the app. The EXPLAIN blocks at the end were written out by a loop over shopper and plan
-- mode, one block each.
\timing off
select store_id, shopper_email as email, count(*) as n from received_events where shopper_email is not null group by 1,2 order by 3 desc limit 1 \gset heavy_
select store_id, shopper_email as email, count(*) as n from received_events where shopper_email is not null group by 1,2 order by 3 limit 1 offset (select count(distinct shopper_email)/2 from received_events) \gset mid_
\echo heavy :heavy_n mid :mid_n
select count(*) as events, count(distinct shopper_email) as shoppers from received_events;
PREPARE batchread(int[], text[], text[], text[], timestamptz[], bool[], bool[], text, text, text, text) AS
SELECT k.turn,
  CASE WHEN NOT k.purchase_check THEN 0
    WHEN k.email IS NOT NULL THEN (SELECT count(*)::int FROM received_events r
      WHERE r.store_id = k.store_id AND r.shopper_email = k.email AND r.type = $8
        AND r.occurred_at >= k.happened_at AND r.payload -> 'checkout' ->> 'session_state' = $9)
    ELSE (SELECT count(*)::int FROM received_events r
      WHERE r.store_id = k.store_id AND (r.payload -> 'checkout') ->> 'key' = k.checkout_key
        AND r.type = 'abandoned_checkout' AND ((r.payload -> 'checkout') ->> 'session_state') = 'COMPLETED'
        AND r.shopper_email IS NULL AND r.occurred_at >= k.happened_at)
  END AS purchases_since,
  CASE WHEN k.history THEN (SELECT count(*)::int FROM received_events r
    WHERE r.store_id = k.store_id AND r.shopper_email = k.email AND r.type = $8
      AND r.occurred_at < k.happened_at AND r.payload -> 'checkout' ->> 'session_state' = $9) ELSE 0 END AS purchases,
  CASE WHEN k.history THEN (SELECT count(*)::int FROM recoveries c JOIN enrollments e ON e.id = c.enrollment_id
    WHERE e.store_id = k.store_id AND e.shopper_email = k.email AND c.recovered_at < k.happened_at) ELSE 0 END AS recoveries,
  CASE WHEN k.history THEN (SELECT count(*)::int FROM scheduled_steps s JOIN enrollments e ON e.id = s.enrollment_id
    WHERE e.store_id = k.store_id AND e.shopper_email = k.email AND s.discount_offered AND s.fired_at < k.happened_at) ELSE 0 END AS discounts,
  CASE WHEN k.history THEN (SELECT count(*)::int FROM received_events r
    WHERE r.store_id = k.store_id AND r.shopper_email = k.email
      AND r.type IN ($10, $11) AND r.occurred_at <= k.happened_at) ELSE 0 END AS views
FROM unnest($1, $2, $3, $4, $5, $6, $7) AS k(turn, store_id, email, checkout_key, happened_at, purchase_check, history);
PREPARE history(text, text, text, timestamptz, text, text[], text, text) AS
SELECT
  (SELECT count(*)::int FROM received_events r
    WHERE r.store_id = $1 AND r.shopper_email = $2 AND r.type = $3
      AND r.occurred_at < $4 AND r.payload -> 'checkout' ->> 'session_state' = $5
      AND r.event_id <> ALL($6)) AS purchases,
  (SELECT count(*)::int FROM recoveries c JOIN enrollments e ON e.id = c.enrollment_id
    WHERE e.store_id = $1 AND e.shopper_email = $2 AND c.recovered_at < $4) AS recoveries,
  (SELECT count(*)::int FROM scheduled_steps s JOIN enrollments e ON e.id = s.enrollment_id
    WHERE e.store_id = $1 AND e.shopper_email = $2 AND s.discount_offered AND s.fired_at < $4) AS discounts,
  (SELECT count(*)::int FROM received_events r
    WHERE r.store_id = $1 AND r.shopper_email = $2
      AND r.type IN ($7, $8) AND r.occurred_at <= $4
      AND r.event_id <> ALL($6)) AS views;
PREPARE purchased(text, text, text, timestamptz, text, text[]) AS
SELECT EXISTS (SELECT 1 FROM received_events
    WHERE store_id = $1 AND shopper_email = $2 AND type = $3
      AND occurred_at >= $4 AND payload -> 'checkout' ->> 'session_state' = $5
      AND event_id <> ALL($6)) AS "Value";
SET plan_cache_mode = force_generic_plan;
\echo === heavy force_generic_plan: one-event statement, history
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE batchread(ARRAY[0], ARRAY[:'heavy_store_id'], ARRAY[:'heavy_email'], ARRAY[NULL::text], ARRAY[now()], ARRAY[false], ARRAY[true], 'abandoned_checkout', 'COMPLETED', 'product_viewed', 'collection_viewed');
\echo === heavy force_generic_plan: one-event statement, purchase check
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE batchread(ARRAY[0], ARRAY[:'heavy_store_id'], ARRAY[:'heavy_email'], ARRAY[NULL::text], ARRAY[now() - interval '30 days'], ARRAY[true], ARRAY[false], 'abandoned_checkout', 'COMPLETED', 'product_viewed', 'collection_viewed');
\echo === heavy force_generic_plan: old history
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE history(:'heavy_store_id', :'heavy_email', 'abandoned_checkout', now(), 'COMPLETED', ARRAY[]::text[], 'product_viewed', 'collection_viewed');
\echo === heavy force_generic_plan: old purchase check
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE purchased(:'heavy_store_id', :'heavy_email', 'abandoned_checkout', now() - interval '30 days', 'COMPLETED', ARRAY[]::text[]);
SET plan_cache_mode = auto;
\echo === heavy auto: one-event statement, history
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE batchread(ARRAY[0], ARRAY[:'heavy_store_id'], ARRAY[:'heavy_email'], ARRAY[NULL::text], ARRAY[now()], ARRAY[false], ARRAY[true], 'abandoned_checkout', 'COMPLETED', 'product_viewed', 'collection_viewed');
\echo === heavy auto: one-event statement, purchase check
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE batchread(ARRAY[0], ARRAY[:'heavy_store_id'], ARRAY[:'heavy_email'], ARRAY[NULL::text], ARRAY[now() - interval '30 days'], ARRAY[true], ARRAY[false], 'abandoned_checkout', 'COMPLETED', 'product_viewed', 'collection_viewed');
\echo === heavy auto: old history
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE history(:'heavy_store_id', :'heavy_email', 'abandoned_checkout', now(), 'COMPLETED', ARRAY[]::text[], 'product_viewed', 'collection_viewed');
\echo === heavy auto: old purchase check
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE purchased(:'heavy_store_id', :'heavy_email', 'abandoned_checkout', now() - interval '30 days', 'COMPLETED', ARRAY[]::text[]);
SET plan_cache_mode = force_generic_plan;
\echo === mid force_generic_plan: one-event statement, history
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE batchread(ARRAY[0], ARRAY[:'mid_store_id'], ARRAY[:'mid_email'], ARRAY[NULL::text], ARRAY[now()], ARRAY[false], ARRAY[true], 'abandoned_checkout', 'COMPLETED', 'product_viewed', 'collection_viewed');
\echo === mid force_generic_plan: one-event statement, purchase check
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE batchread(ARRAY[0], ARRAY[:'mid_store_id'], ARRAY[:'mid_email'], ARRAY[NULL::text], ARRAY[now() - interval '30 days'], ARRAY[true], ARRAY[false], 'abandoned_checkout', 'COMPLETED', 'product_viewed', 'collection_viewed');
\echo === mid force_generic_plan: old history
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE history(:'mid_store_id', :'mid_email', 'abandoned_checkout', now(), 'COMPLETED', ARRAY[]::text[], 'product_viewed', 'collection_viewed');
\echo === mid force_generic_plan: old purchase check
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE purchased(:'mid_store_id', :'mid_email', 'abandoned_checkout', now() - interval '30 days', 'COMPLETED', ARRAY[]::text[]);
SET plan_cache_mode = auto;
\echo === mid auto: one-event statement, history
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE batchread(ARRAY[0], ARRAY[:'mid_store_id'], ARRAY[:'mid_email'], ARRAY[NULL::text], ARRAY[now()], ARRAY[false], ARRAY[true], 'abandoned_checkout', 'COMPLETED', 'product_viewed', 'collection_viewed');
\echo === mid auto: one-event statement, purchase check
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE batchread(ARRAY[0], ARRAY[:'mid_store_id'], ARRAY[:'mid_email'], ARRAY[NULL::text], ARRAY[now() - interval '30 days'], ARRAY[true], ARRAY[false], 'abandoned_checkout', 'COMPLETED', 'product_viewed', 'collection_viewed');
\echo === mid auto: old history
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE history(:'mid_store_id', :'mid_email', 'abandoned_checkout', now(), 'COMPLETED', ARRAY[]::text[], 'product_viewed', 'collection_viewed');
\echo === mid auto: old purchase check
EXPLAIN (ANALYZE, SUMMARY, COSTS OFF, TIMING OFF) EXECUTE purchased(:'mid_store_id', :'mid_email', 'abandoned_checkout', now() - interval '30 days', 'COMPLETED', ARRAY[]::text[]);
