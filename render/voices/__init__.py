"""Stage 3, synthesis: turns in spoken form in, each turn's audio out.

``voice`` is a voice's settings and fingerprint, ``cast`` reads ``voices/*.toml``
and ``cast.toml`` into who speaks with which voice, ``engines/`` are the TTS
engines behind one small interface (Kokoro, Piper, Festival, Coqui), ``jobs``
synthesizes one turn, ``synthesize`` runs all turns on all cores (or on Ray, in
``ray_executor``) and ``cache`` keeps every turn's conditioned audio on disk,
keyed by its text and its voice's fingerprint.
"""
