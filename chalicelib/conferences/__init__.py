"""Conferences: what leadership meets about, which periods and units it covers, who receives its documents."""
