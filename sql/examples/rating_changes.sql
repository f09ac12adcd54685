-- Overall rating changes between snapshots, newest first: one row per
-- location and snapshot whose overall rating differs from the location's
-- previous snapshot (cqc_locations_history has one row per location and
-- snapshot_date). Empty until the warehouse holds two snapshots (two nightly
-- runs on different days).
WITH s AS (
    SELECT location_id, name, region, snapshot_date, overall_rating, overall_rating_date,
           lag(overall_rating) OVER w AS previous_rating,
           lag(snapshot_date) OVER w AS previous_snapshot_date
    FROM cqc_locations_history
    WINDOW w AS (PARTITION BY location_id ORDER BY snapshot_date)
)
SELECT location_id, name, region, previous_snapshot_date, snapshot_date,
       previous_rating, overall_rating AS rating, overall_rating_date
FROM s
WHERE previous_snapshot_date IS NOT NULL
  AND overall_rating IS DISTINCT FROM previous_rating
ORDER BY snapshot_date DESC, location_id;
