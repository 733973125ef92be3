"""The domain library: reading xxgk annual reports into typed rows. No Dagster imports here."""
