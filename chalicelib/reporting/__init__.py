"""The reporting cycle: reports, deadlines and exceptions, review, completeness, reminders."""
