"""The sources the zoo's entries cite, written once (a card's `paper` field)."""

MORDVINTSEV = "Mordvintsev, Randazzo, Niklasson (2023), Differentiable Programming of Chemical Reaction Networks"
AAE = "Angluin, Aspnes, Eisenstat (2008), A simple population protocol for fast robust approximate majority"
LEE = "Lee, Buse, Winfree (2025), Differentiable Programming of Indexed Chemical Reaction Networks and Reaction-Diffusion Systems (DNA 31)"
NAGIPOGU = "Nagipogu & Reif (2024/25), Neural CRNs: A Natural Implementation of Learning in Chemical Reaction Networks, arXiv 2409.00034 v2"
