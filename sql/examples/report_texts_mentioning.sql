-- The inspection reports of one clinic's locations (its current location
-- and every predecessor) whose text mentions a phrase, newest first, with
-- an excerpt around the first mention. The texts come from
-- `carelake extract --reports text` (cqc_report_texts). Change the clinic and
-- the phrase below (clinic_a's location inherited its report from its
-- predecessor).
SET VARIABLE clinic_id = 'clinic_a';
SET VARIABLE phrase = 'medicines';

SELECT c.clinic_id, g.ancestor_location_id AS location_id, g.depth, t.link_id, t.document_type, t.report_date,
       trim(replace(substr(t.text, greatest(1, strpos(lower(t.text), lower(getvariable('phrase'))) - 60), 160), chr(10), ' ')) AS excerpt
FROM clinic_locations c
JOIN cqc_location_lineage g ON g.location_id = c.current_location_id
JOIN cqc_report_texts t ON t.location_id = g.ancestor_location_id
WHERE c.clinic_id = getvariable('clinic_id')
  AND strpos(lower(t.text), lower(getvariable('phrase'))) > 0
ORDER BY t.report_date DESC, t.link_id;
