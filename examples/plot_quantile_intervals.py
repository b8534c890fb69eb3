"""
==============================================
Prediction intervals from one quantile network
==============================================

A regressor trained on the squared error predicts the mean of ``y`` given ``X``; one
trained on the pinball loss of a quantile ``q`` (``loss="quantile", quantile=q``, the names
of scikit-learn's HistGradientBoostingRegressor) predicts that quantile instead. Given a
list, ``quantile=[0.05, 0.5, 0.95]``, one network learns all three, one output each: the
two ends bound a 90% prediction interval, and because the network follows the data the
interval widens where the noise grows, which a constant band around the mean cannot. Its
outputs are the lowest quantile and the softplus of the steps to the next, summed, so the
predicted quantiles never cross, however far from the data.

Here the noise of ``y = 3 sin(2x)`` grows from a standard deviation of 0.2 at ``x = 0`` to
2.6 at ``x = 4``. The network trains on 1000 points and is judged on 1000 others, beside
three networks of one quantile each.
"""

# %%
# One network, three quantiles
# ----------------------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_xornet import TinyMLPRegressor

rng = np.random.RandomState(0)
x = rng.uniform(0, 4, size=2000)
y = 3 * np.sin(2 * x) + rng.normal(size=2000) * (0.2 + 0.6 * x)
X = x[:, None]
X_train, y_train, X_test, y_test = X[:1000], y[:1000], X[1000:], y[1000:]

levels = [0.05, 0.5, 0.95]
network = TinyMLPRegressor((16,), loss="quantile", quantile=levels, random_state=0)
network.fit(X_train, y_train)
predicted = network.predict(X_test)  # one column per quantile
print("predict's shape:", predicted.shape)
inside = (predicted[:, 0] <= y_test) & (y_test <= predicted[:, 2])
print(f"held-out points inside the 90% interval: {inside.mean():.3f}")
for name, half in [("x < 2", X_test[:, 0] < 2), ("x >= 2", X_test[:, 0] >= 2)]:
    print(f"  where {name}: {inside[half].mean():.3f}")
print(f"below the median: {(y_test <= predicted[:, 1]).mean():.3f}")

# %%
# Against one network per quantile
# --------------------------------
# Three networks of the same size, trained apart, cover about as well; they cost three
# fits, and nothing keeps their predictions in order.
single = {
    q: TinyMLPRegressor((16,), loss="quantile", quantile=q, random_state=0).fit(X_train, y_train)
    for q in levels
}
apart = np.column_stack([single[q].predict(X_test) for q in levels])
inside_apart = (apart[:, 0] <= y_test) & (y_test <= apart[:, 2])
print(f"three networks: {inside_apart.mean():.3f} inside")

# %%
# The interval follows the noise
# ------------------------------
# The true 5% and 95% quantiles are ``3 sin(2x) -+ 1.645 sd(x)``, drawn dashed.
grid = np.linspace(0, 4, 200)[:, None]
sd = 0.2 + 0.6 * grid[:, 0]
on_grid = network.predict(grid)
fig, ax = plt.subplots(figsize=(7, 4))
ax.scatter(X_test[:, 0], y_test, s=4, color="0.6", label="held-out points")
ax.fill_between(grid[:, 0], on_grid[:, 0], on_grid[:, 2], alpha=0.3, label="90% interval")
ax.plot(grid[:, 0], on_grid[:, 1], label="median")
for sign in (-1, 1):
    truth = 3 * np.sin(2 * grid[:, 0]) + sign * 1.645 * sd
    ax.plot(grid[:, 0], truth, "k--", lw=1, label="true 5% and 95%" if sign < 0 else None)
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend(loc="lower left")
ax.set_title(f"One network: {inside.mean():.1%} of held-out points inside")
plt.show()
