"""Quick replies for the Discord layer, without Discord: fill state, personal templates, suggestions.

``bot/replies`` (the library and fill API) and ``bot/sandbox`` stay storage-free; this package joins
them to SQLite (``bot/storage``) so the cog only turns interactions into plain values and back.
"""
