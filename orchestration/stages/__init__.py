"""The pipeline's stages as plain functions (settings + warehouse connection in, a summary
out); ``orchestration/defs`` wraps each one as Dagster assets."""
