"""Users, agencies, teams, roles, tokens and login."""
