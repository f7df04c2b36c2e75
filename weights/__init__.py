"""Shipped checkpoints: one folder per zoo model (Orbax arrays, card.json, reactions.txt)."""
