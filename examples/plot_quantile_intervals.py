"""
===============================================
Prediction intervals from two quantile networks
===============================================

A regressor trained on the squared error predicts the mean of ``y`` given ``X``; one
trained on the pinball loss of a quantile ``q`` (``loss="quantile", quantile=q``, the names
of scikit-learn's HistGradientBoostingRegressor) predicts that quantile instead. Two of
them, at 0.05 and 0.95, bound a 90% prediction interval, and because each follows the data
the interval widens where the noise grows, which a constant band around the mean cannot.

Here the noise of ``y = 3 sin(2x)`` grows from a standard deviation of 0.2 at ``x = 0`` to
2.6 at ``x = 4``. The networks train on 1000 points and are judged on 1000 others.
"""

# %%
# Three networks: the median and the two ends of the interval
# -------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_xornet import TinyMLPRegressor

rng = np.random.RandomState(0)
x = rng.uniform(0, 4, size=2000)
y = 3 * np.sin(2 * x) + rng.normal(size=2000) * (0.2 + 0.6 * x)
X = x[:, None]
X_train, y_train, X_test, y_test = X[:1000], y[:1000], X[1000:], y[1000:]

models = {
    q: TinyMLPRegressor((16,), loss="quantile", quantile=q, random_state=0).fit(X_train, y_train)
    for q in (0.05, 0.5, 0.95)
}
low, high = models[0.05].predict(X_test), models[0.95].predict(X_test)
inside = (low <= y_test) & (y_test <= high)
print(f"held-out points inside the 90% interval: {inside.mean():.3f}")
for name, half in [("x < 2", X_test[:, 0] < 2), ("x >= 2", X_test[:, 0] >= 2)]:
    print(f"  where {name}: {inside[half].mean():.3f}")

# %%
# The interval follows the noise
# ------------------------------
# The true 5% and 95% quantiles are ``3 sin(2x) -+ 1.645 sd(x)``, drawn dashed.
grid = np.linspace(0, 4, 200)[:, None]
sd = 0.2 + 0.6 * grid[:, 0]
fig, ax = plt.subplots(figsize=(7, 4))
ax.scatter(X_test[:, 0], y_test, s=4, color="0.6", label="held-out points")
ax.fill_between(
    grid[:, 0],
    models[0.05].predict(grid),
    models[0.95].predict(grid),
    alpha=0.3,
    label="network's 90% interval",
)
ax.plot(grid[:, 0], models[0.5].predict(grid), label="network's median")
for sign in (-1, 1):
    truth = 3 * np.sin(2 * grid[:, 0]) + sign * 1.645 * sd
    ax.plot(grid[:, 0], truth, "k--", lw=1, label="true 5% and 95%" if sign < 0 else None)
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend(loc="lower left")
ax.set_title(f"{inside.mean():.1%} of held-out points inside")
plt.show()
