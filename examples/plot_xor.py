"""
===================================
XOR: the decision surface and loss
===================================

The exclusive-or table cannot be separated by one straight line, which is why a network
needs a hidden layer to learn it. Here the default :class:`~sklearn_xornet.TinyMLPClassifier`
learns it, and we draw the probability it assigns to class 1 over the plane, then the loss
curve of the article's own solver, full-batch gradient descent, on the same table.
"""

# %%
# Learn the table
# ---------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_xornet import TinyMLPClassifier

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([0, 1, 1, 0])

clf = TinyMLPClassifier(random_state=0).fit(X, y)
print("predictions:", clf.predict(X))
print("P(class 1): ", clf.predict_proba(X)[:, 1].round(3))
print(f"L-BFGS iterations: {clf.n_iter_}, final loss: {clf.loss_:.4f}")

# %%
# The decision surface
# --------------------
# Two tanh units of the hidden layer are enough to carve the plane into the two
# diagonal regions; the default network has 100 of them and a small penalty, so its surface
# is smooth and its boundary runs between the four points.
xx, yy = np.meshgrid(np.linspace(-0.5, 1.5, 201), np.linspace(-0.5, 1.5, 201))
grid = np.column_stack([xx.ravel(), yy.ravel()])
proba = clf.predict_proba(grid)[:, 1].reshape(xx.shape)

fig, (ax_surface, ax_loss) = plt.subplots(1, 2, figsize=(10, 4.2))
contour = ax_surface.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r")
ax_surface.contour(xx, yy, proba, levels=[0.5], colors="k", linewidths=1.5)
for target, marker, color in [(0, "o", "white"), (1, "s", "gold")]:
    rows = X[y == target]
    ax_surface.scatter(
        rows[:, 0],
        rows[:, 1],
        marker=marker,
        c=color,
        edgecolors="k",
        s=140,
        label=f"class {target}",
    )
ax_surface.legend(loc="center left", framealpha=0.9)
ax_surface.set(title="P(class 1), boundary at 0.5", xlabel="$x_1$", ylabel="$x_2$")
fig.colorbar(contour, ax=ax_surface)

# %%
# The loss curve of gradient descent
# ----------------------------------
# With ``solver="gd"`` every epoch is the article's update on all four rows. The loss stays
# on a plateau while the hidden units are still nearly alike, then drops once they split
# the work between them; ``loss_curve_`` holds one value per epoch.
gd = TinyMLPClassifier(
    hidden_layer_sizes=(3,),
    solver="gd",
    learning_rate_init=1.0,
    alpha=0.0,
    max_iter=3000,
    tol=0.0,
    n_iter_no_change=3000,
    random_state=0,
)
with warnings.catch_warnings():
    # a fixed number of epochs, as in the article: reaching max_iter is the plan
    warnings.simplefilter("ignore", ConvergenceWarning)
    gd.fit(X, y)
print("gd predictions:", gd.predict(X), f"after {gd.n_iter_} epochs")

ax_loss.semilogy(gd.loss_curve_, label="gd, 3 hidden units")
ax_loss.semilogy(
    np.arange(1, clf.n_iter_ + 1),
    clf.loss_curve_,
    label="default (L-BFGS, 100 units,\nloss includes the alpha penalty)",
)
ax_loss.set(title="Training loss (log loss)", xlabel="epoch / L-BFGS iteration", ylabel="loss")
ax_loss.legend()
fig.tight_layout()
plt.show()
