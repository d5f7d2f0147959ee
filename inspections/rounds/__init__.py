"""Inspection rounds: a team's monthly (or campaign) list of venues, on the inspectors' phones."""
