"""Jinja prompt templates (package data): system, instance, observation and format error."""
