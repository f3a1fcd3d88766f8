"""The JSON API: measures, series and comparisons, with an OpenAPI schema."""
