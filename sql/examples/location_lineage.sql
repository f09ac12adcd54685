-- The re-registration lineage of one location: itself (depth 0) and every
-- predecessor, with its name, registration and overall rating where the
-- predecessor is in the archive, and the current location at the end of the
-- successor chain. Change the location ID below (1-1500001003 ends the demo
-- data's chain of three re-registrations).
SET VARIABLE location_id = '1-1500001003';

SELECT g.depth, g.ancestor_location_id, a.name, a.registration_status,
       a.registration_date, a.deregistration_date, a.overall_rating, a.overall_rating_date,
       g.current_location_id, g.in_cycle
FROM cqc_location_lineage g
LEFT JOIN cqc_locations a ON a.location_id = g.ancestor_location_id
WHERE g.location_id = getvariable('location_id')
ORDER BY g.depth;
