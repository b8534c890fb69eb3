"""The article's two networks as library configurations (README, "The article, exactly")."""

from ._regressor import TinyMLPRegressor


def article_network(random_state=0, *, improved=False, epochs=None):
    """The regressor that reproduces one of the article's programs.

    The first program: sigmoid hidden and output layers, no biases, weights from U[0, 1),
    a unit step on the error summed over XOR's 4 rows (``learning_rate_init=4.0`` on the
    library's mean loss), 60000 epochs. The improved one: a linear output, the step
    ``L = 0.1`` (0.4 here), 20000 epochs.
    """
    epochs = epochs or (20000 if improved else 60000)
    return TinyMLPRegressor(
        hidden_layer_sizes=(3,),
        activation="logistic",
        output_activation="identity" if improved else "logistic",
        fit_intercept=False,
        weight_init="uniform",
        solver="gd",
        alpha=0.0,
        learning_rate_init=0.4 if improved else 4.0,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        normalize_y=False,
        random_state=random_state,
    )
