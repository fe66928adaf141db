"""Puente's learning-management plugin: a reusable Django app for any Wagtail site.

It never imports the course server (`courses`); it sees course content through Wagtail's Page API
and the activity interface in `lms.activities`.
"""
