"""Chalice Blueprints registered by app.py."""
