"""Composition root: settings, the ASGI app, its lifespan, authentication and the CLI."""
