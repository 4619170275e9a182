"""Stage 7, proof-listening: the rendered episode in, the turns a listener would mishear out.

``recognize`` runs Whisper, ``hear`` cuts turns from the MP3, packs them into
windows and caches what was heard, ``proofread`` aligns the heard words with the
spoken text and judges each mismatch, ``view`` prints the table, and
``respell`` re-checks flagged turns with a trial respelling (``--try``).
"""
