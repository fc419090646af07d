"""Awards: nominations for commendation, the scored shortlist, decisions and the commendation list."""
