"""The article's two programs, reproduced by the library's configuration (``_article.py``).

``xor_article.py`` beside this file is the transcription of the article's programs. The
improved program, as printed, updates ``Wz`` before back-propagating through it; the library
does textbook backpropagation, so it is compared with ``v2_textbook`` below: the same program
with ``dH`` computed from the pre-update ``Wz``.
"""

import warnings

import numpy as np
import pytest
import xor_article as article
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from sklearn_xornet import TinyMLPRegressor

SEEDS = [0, 1, 2]


def article_v1_config(seed, epochs=60000):
    return dict(
        hidden_layer_sizes=(3,),
        activation="logistic",
        output_activation="logistic",
        fit_intercept=False,
        weight_init="uniform",
        solver="gd",
        alpha=0.0,
        learning_rate_init=4.0,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        normalize_y=False,
        random_state=seed,
    )


def article_v2_config(seed, epochs=20000):
    config = article_v1_config(seed, epochs)
    config.update(output_activation="identity", learning_rate_init=0.4)
    return config


def v2_textbook(seed, epochs=20000, L=0.1):
    """The improved program with its update order corrected; returns its final output."""
    np.random.seed(seed)
    Wh = np.random.uniform(size=(2, 3))
    Wz = np.random.uniform(size=(3, 1))
    for _ in range(epochs):
        H = article.sigmoid(np.dot(article.X, Wh))
        Z = np.dot(H, Wz)
        dZ = (article.Y - Z) * L
        dH = dZ.dot(Wz.T) * article.sigmoid_(H)  # from Wz before its update
        Wz += H.T.dot(dZ)
        Wh += article.X.T.dot(dH)
    return np.dot(article.sigmoid(np.dot(article.X, Wh)), Wz).ravel()


def fit_article(config):
    with warnings.catch_warnings():
        # the article runs a fixed number of epochs; reaching max_iter is the point
        warnings.simplefilter("ignore", ConvergenceWarning)
        return TinyMLPRegressor(**config).fit(article.X, article.Y.ravel())


@pytest.mark.parametrize("seed", SEEDS)
def test_first_program_reproduced(seed):
    net = fit_article(article_v1_config(seed))
    # The article prints Z from the last epoch's forward pass, before that epoch's update;
    # after 60000 epochs one more update moves it by far less than the tolerance.
    assert_allclose(net.predict(article.X), article.v1(seed), atol=1e-6, rtol=0)
    assert net.n_iter_ == 60000


@pytest.mark.parametrize("seed", SEEDS)
def test_improved_program_reproduced(seed):
    net = fit_article(article_v2_config(seed))
    assert_allclose(net.predict(article.X), v2_textbook(seed), atol=1e-6, rtol=0)


@pytest.mark.parametrize("seed", SEEDS)
def test_uniform_init_is_the_articles_draw(seed):
    # max_iter=1 and a zero step leave the starting weights in place
    config = article_v1_config(seed, epochs=1)
    config["learning_rate_init"] = 1e-300
    net = fit_article(config)
    np.random.seed(seed)
    Wh = np.random.uniform(size=(2, 3))
    Wz = np.random.uniform(size=(3, 1))
    assert_allclose(net.coefs_[0], Wh, rtol=0, atol=1e-12)
    assert_allclose(net.coefs_[1], Wz, rtol=0, atol=1e-12)
    assert all(not b.any() for b in net.intercepts_)


@pytest.mark.parametrize("epochs", [1, 2, 10])
def test_first_epochs_match_step_by_step(epochs):
    """Early epochs, where a wrong delta or step would show at once, match very tightly."""
    net = fit_article(article_v1_config(0, epochs))
    np.random.seed(0)
    Wh = np.random.uniform(size=(2, 3))
    Wz = np.random.uniform(size=(3, 1))
    for _ in range(epochs):
        H = article.sigmoid(np.dot(article.X, Wh))
        Z = article.sigmoid(np.dot(H, Wz))
        dZ = (article.Y - Z) * article.sigmoid_(Z)
        dH = dZ.dot(Wz.T) * article.sigmoid_(H)
        Wz += H.T.dot(dZ)
        Wh += article.X.T.dot(dH)
    assert_allclose(net.coefs_[0], Wh, rtol=1e-12)
    assert_allclose(net.coefs_[1], Wz, rtol=1e-12)


def test_printed_improved_program_differs_from_textbook_order():
    """The as-printed update order is a different algorithm: the library follows the textbook."""
    # article.v2 returns the output of its last forward pass: after epochs - 1 updates
    printed = article.v2(0, epochs=51)
    textbook = v2_textbook(0, epochs=50)
    assert np.abs(printed - textbook).max() > 1e-6
    net = fit_article(article_v2_config(0, epochs=50))
    assert_allclose(net.predict(article.X), textbook, atol=1e-12)
