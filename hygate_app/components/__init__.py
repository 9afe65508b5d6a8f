"""Shared pieces drawn on several pages, as plain functions and small wrapped React components."""
