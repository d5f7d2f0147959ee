"""On-site inspections: checklists, violations found, GPS proof, photos, minutes."""
