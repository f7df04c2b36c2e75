"""The card metrics of a dual-rail gate: what each number means, the paper's value, the promise."""

from __future__ import annotations


def gate_metrics(reactions_paper: str) -> dict[str, tuple]:
    """The card metrics of a gate; `reactions_paper` is the published reaction count to compare with."""
    return {
        "reactions_k0.1": ("reactions with rate > 0.1 (the shipped dynamics are exactly these; fewer is better)", reactions_paper, None, 0.0),
        "train_accuracy": (
            "fraction of read-outs correct (ε = 0.1) 1e-3 before each switch and at T, over all 108 training "
            "sequences (4 input states, switches at 200/400/600, T = 800)",
            "all correct",
            ">= 1",
            1e-9,
        ),
        "stretched_accuracy": (
            "the same with the 108 training sequences stretched to T = 80,000 (switches every 20,000)",
            "all correct (T_eval = 100·T_train)",
            ">= 1",
            1e-9,
        ),
        "random_accuracy": (
            "fraction of read-outs correct over 80,000 time units of random input states (each differing "
            "from the last), hold times ~ U[200, 400], seed 0",
            "all correct",
            ">= 1",
            1e-9,
        ),
        "random_readouts": ("number of read-outs in that random run (switches + the end)", None, None, 0.0),
        "listing_accuracy": (
            "the exported listing (network(0.1), generic mass-action engine) on the same stretched sequences "
            "and random run: fraction of read-outs correct",
            None,
            ">= 1",
            1e-9,
        ),
        "min_margin": (
            "worst read-out margin min(on − 0.9, 0.1 − off) over the three model tests (> 0: inside the ε box)",
            None,
            "> 0",
            1e-5,
        ),
    }
