"""Reflex states: thin holders of what a page shows; they call services and turn errors into messages."""
