"""
=========================================
Restarts: the 2-2-1 network on XOR
=========================================

Two hidden units are the fewest that can represent XOR, and from many starting points
gradient-based training of such a network ends in a local minimum that gets some rows
wrong. ``n_init`` trains several initialisations and keeps the best; here we count, over
50 seeds, how often the network learns the table with 1 to 16 restarts.
"""

# %%
# Success by seed
# ---------------
import time

import matplotlib.pyplot as plt
import numpy as np

from sklearn_xornet import TinyMLPClassifier

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([0, 1, 1, 0])
seeds = np.arange(50)
restarts = [1, 2, 4, 8, 16]

learnt = np.zeros((len(restarts), len(seeds)), dtype=bool)
seconds = np.zeros(len(restarts))
for i, n_init in enumerate(restarts):
    start = time.perf_counter()
    for j, seed in enumerate(seeds):
        clf = TinyMLPClassifier(hidden_layer_sizes=(2,), n_init=n_init, random_state=seed)
        learnt[i, j] = (clf.fit(X, y).predict(X) == y).all()
    seconds[i] = (time.perf_counter() - start) / len(seeds)
    print(
        f"n_init={n_init:2d}: learns XOR from {learnt[i].sum():2d} of 50 seeds, "
        f"{1000 * seconds[i]:.1f} ms a fit"
    )

# %%
# One row per ``n_init``, one column per seed: a dark cell is a seed from which the kept
# network still misclassifies a row. Restart 0 of every ``n_init`` is the network that
# ``n_init=1`` trains from the same seed; the others are extra chances, and the one with the
# lowest final training loss is kept.
fig, (ax_grid, ax_rate) = plt.subplots(
    1, 2, figsize=(11, 3.4), gridspec_kw={"width_ratios": [2.2, 1]}
)
ax_grid.imshow(learnt, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
ax_grid.set_yticks(range(len(restarts)), [f"n_init={n}" for n in restarts])
ax_grid.set(xlabel="random_state", title="learns XOR (green) or not (red)")

ax_rate.plot(restarts, learnt.mean(axis=1), "o-", label="share of seeds learnt")
ax_rate.set(xscale="log", xlabel="n_init", ylim=(0, 1.05), title="success rate")
ax_rate.set_xticks(restarts, restarts)
for n, rate in zip(restarts, learnt.mean(axis=1), strict=True):
    ax_rate.annotate(
        f"{rate:.0%}", (n, rate), xytext=(0, -14), textcoords="offset points", ha="center"
    )
fig.tight_layout()
plt.show()

# %%
# With the epoch solvers the restarts are trained together, as one stack of weight arrays,
# so that ``n_init=32`` costs a small multiple of one fit rather than 32 of them. The
# default L-BFGS runs them one after the other; ``init_losses_`` lists each restart's final
# loss, and the kept one is the lowest:
clf = TinyMLPClassifier(hidden_layer_sizes=(2,), n_init=8, random_state=3).fit(X, y)
print("final loss of each restart:", clf.init_losses_.round(3))
print(f"kept: {clf.loss_:.3f}")
