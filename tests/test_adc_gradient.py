"""adc-3bit-gradient (issue 17): the cascade's rates learned by gradients."""

import jax
import numpy as np

from crnzoo import zoo
from crnzoo.tasks.adc_gradient import K_REPORT, GradConfig, LevelTask, learned_rates
from crnzoo.tasks.adc import CASCADE_REACTIONS


def test_card_keeps_the_adc_promises_and_lists_its_dynamics():
    card = zoo.card("adc-3bit-gradient")
    m = {k: v["value"] for k, v in card["metrics"].items()}
    assert m["centres_correct"] == 8 and m["random_accuracy"] == 1.0 and m["margin_centres"] > 0
    model = zoo.load("adc-3bit-gradient")
    rates = learned_rates(model)
    assert rates.min() > K_REPORT  # every cascade reaction is listed at k_report
    assert m["reactions_k0.05"] == len(CASCADE_REACTIONS) == model.reaction_count(K_REPORT)
    np.testing.assert_allclose(rates, list(card["training_result"]["rates"].values()), rtol=1e-9)


def test_training_levels_stay_off_the_bin_edges():
    x = np.asarray(LevelTask(GradConfig()).batch(jax.random.PRNGKey(0), 256))[:, 0]
    edges = np.arange(1, 8) / 8
    assert np.min(np.abs(x[:, None] - edges)) >= 0.01 - 1e-12
    assert 0 <= x.min() and x.max() <= 1
