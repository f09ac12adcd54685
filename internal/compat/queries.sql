-- Value checks run.sh adds to the row count of every view: each is one
-- query on one line, every value cast to text so the DuckDB versions
-- compare exactly.
SELECT clinic_id, careq_id::VARCHAR, appointment_local_date::VARCHAR, clinic_timezone, coalesce(rated_location_id, '-'), coalesce(overall_rating_at_appointment, '-'), coalesce(overall_rating_at_appointment_inherited::VARCHAR, '-'), coalesce(current_overall_rating, '-') FROM clinic_appointment_ratings ORDER BY clinic_id, careq_id
SELECT location_id, name, coalesce(rating, '-'), coalesce(source_location_id, '-'), coalesce(source_report_date::VARCHAR, '-'), inherited_inferred::VARCHAR FROM cqc_location_ratings WHERE inherited ORDER BY location_id, name
SELECT clinic_id, coalesce(current_location_id, '-'), mapping_status, coalesce(overall_rating, '-'), timezone FROM clinic_locations ORDER BY clinic_id
SELECT ancestor_location_id, depth::VARCHAR FROM cqc_location_lineage WHERE location_id = '1-1500001003' ORDER BY depth
SELECT outcome, command FROM pipeline_runs ORDER BY started_at
SELECT table_name, column_name, comment FROM duckdb_columns() WHERE database_name = current_database() AND table_name IN ('clinic_appointment_ratings', 'cqc_location_ratings') ORDER BY table_name, column_index
