"""SQL lineage scanning: SQL files to OpenLineage RunEvents (no Airflow import).

``statements`` splits a file into statements with their lines, ``scan`` parses them with
``openlineage-sql`` (the parser Airflow's OpenLineage provider uses) and builds the events,
``events`` holds the event and facet shapes and the result enrichment.
"""
