"""Writing: batches recorded, accepted records staged with COPY and upserted in one statement."""
