"""Time: clips, their camera movement, and moving images of a temporal network's channels.

`motion` estimates a clip's global motion (pan, tilt, zoom) by phase correlation and names
it; `camera` films a virtual camera moving over a photograph (test corpora, demos);
`training` trains a temporal network on labelled clips; `moving` renders a channel's moving
image, a short clip optimized over a parameterization that allows motion but not flicker.
"""
