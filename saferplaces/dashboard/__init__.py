"""The dashboard: the partnership's measures at a glance, by area and group."""
