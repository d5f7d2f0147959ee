"""Home page, health check, language switch, API root and the navigation."""
