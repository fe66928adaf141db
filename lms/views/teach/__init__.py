"""Educators' pages (the plugin's /teach/): classes and their dashboards, assignments,
learners, messages to families, and the school's record of changes."""
