-- Registered locations whose overall rating in effect is inherited from a
-- predecessor (a re-registration: new provider, legal entity change, ...)
-- rather than from an inspection of the location itself, by region.
SELECT l.region,
       count(*) AS rated_locations,
       count(*) FILTER (WHERE r.inherited) AS inherited,
       round(100.0 * count(*) FILTER (WHERE r.inherited) / count(*), 1) AS inherited_pct,
       count(*) FILTER (WHERE r.inherited AND NOT r.source_resolved) AS inherited_source_not_found
FROM cqc_location_ratings r
JOIN cqc_locations l ON l.location_id = r.location_id
WHERE r.name = 'Overall' AND r.parent_name IS NULL AND r.in_effect
  AND l.registration_status = 'Registered'
GROUP BY l.region
ORDER BY inherited DESC, l.region;
