"""
=====================================
Grid search over a scaling pipeline
=====================================

A :class:`~sklearn_xornet.TinyMLPClassifier` is tuned like any scikit-learn estimator:
here a :class:`~sklearn.model_selection.GridSearchCV` over the width of the hidden layer and
the penalty ``alpha``, with the network behind a ``StandardScaler`` in a pipeline, on the
breast cancer data. The heat map shows the mean cross-validated accuracy of each pair.
"""

# %%
# The search
# ----------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier

X, y = load_breast_cancer(return_X_y=True)
model = make_pipeline(StandardScaler(), TinyMLPClassifier(random_state=0))
widths = [2, 8, 32, 128]
alphas = [1e-3, 1e-2, 0.1, 1.0, 10.0]
search = GridSearchCV(
    model,
    {
        "tinymlpclassifier__hidden_layer_sizes": [(w,) for w in widths],
        "tinymlpclassifier__alpha": alphas,
    },
    cv=StratifiedKFold(5, shuffle=True, random_state=0),
    n_jobs=2,
).fit(X, y)
print("best:", search.best_params_, f"accuracy {search.best_score_:.4f}")

# %%
# The heat map
# ------------
# Rows are widths, columns penalties. Wide networks with a weak penalty overfit (the lowest
# scores, bottom left); a stronger penalty helps every width, and at ``alpha=10`` every
# network is pulled towards a nearly linear model, which on this data, almost linearly
# separable, is still a good one. The spread is small, about two points of accuracy, and
# the best pair is printed in bold.
results = pd.DataFrame(search.cv_results_)
results["width"] = [p[0] for p in results["param_tinymlpclassifier__hidden_layer_sizes"]]
scores = results.pivot_table(
    index="width", columns="param_tinymlpclassifier__alpha", values="mean_test_score"
)

fig, ax = plt.subplots(figsize=(7, 4.5))
image = ax.imshow(scores.to_numpy(), cmap="viridis", aspect="auto")
ax.set_xticks(range(len(alphas)), [f"{a:g}" for a in scores.columns])
ax.set_yticks(range(len(widths)), scores.index)
for (i, j), value in np.ndenumerate(scores.to_numpy()):
    best = value == scores.to_numpy().max()
    ax.text(
        j,
        i,
        f"{value:.3f}",
        ha="center",
        va="center",
        color="black" if value > scores.to_numpy().mean() else "white",
        fontweight="bold" if best else "normal",
    )
ax.set(
    xlabel="alpha",
    ylabel="hidden units",
    title="Mean 5-fold accuracy, StandardScaler + TinyMLPClassifier",
)
fig.colorbar(image, ax=ax, label="accuracy")
fig.tight_layout()
plt.show()
