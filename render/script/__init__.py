"""Stage 1, reading scripts: a Markdown/MDX file in, speaker turns out.

``parse`` turns a script into a :class:`~render.script.parse.Script` (turns with
their source lines, headings, front matter), with ``markdown`` stripping MDX,
admonitions, HTML, links and emphasis and ``textfix`` repairing mojibake.
``episodes`` finds a script by number, slug or path and its outline's target
length; ``select`` picks the slice of turns a preview renders.
"""
