"""Stage 6, delivery: the timeline and the script in, the files a listener and a producer get out.

``tags`` writes ID3 tags and chapters into the MP3, ``captions`` the WebVTT, SRT
and JSON transcripts, ``chapters`` places the outline's sections on the turns,
``report`` the report and its summary, ``page`` the review page, ``feed`` the
series' podcast feed and ``serve`` the loopback server for the pages.
"""
