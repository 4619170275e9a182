"""Stages 4 and 5, sound: the turns' audio in, the mastered episode file out.

``dsp`` holds the signal processing (trim, fade, compress, loudness, true peak),
``music`` the intro cue, ``assemble`` lays turns on a timeline with natural gaps
and ducks the music under the first words, ``master`` plans the gain and the
look-ahead limiter for −16 LUFS and −1 dBTP, ``mp3`` encodes the episode as streams
cut at turn starts (reusing the ones an edit left alone), ``measure`` measures the
decoded audio and ``export`` writes files atomically (``memory`` hands freed buffers
back to the system).
"""
