"""
================================================
Learned embeddings: the hidden layer as features
================================================

A classifier's last hidden layer holds the features its output layer separates the classes
with. ``transform`` returns them, so a fitted network is a supervised feature extractor,
as scikit-learn#8291 asked: here a network whose last hidden layer has two units draws the
handwritten digits on a plane, and its embedding feeds a nearest-neighbours classifier.
"""

# %%
# A bottleneck of two units
# -------------------------
# The network has a first hidden layer of 32 relu units and a last of 2: whatever it learns
# about the ten digits must pass through two numbers per image. The two units are linear
# (``activation=("relu", "identity")``, one activation per hidden layer): a tanh there would
# saturate and pile the digits into the corners of a square. Such a narrow layer makes local
# minima likely, so four restarts (``n_init=4``) are trained and the best kept.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from sklearn_xornet import TinyMLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X / 16, y, random_state=0, stratify=y)

network = dict(
    hidden_layer_sizes=(32, 2),
    activation=("relu", "identity"),
    alpha=1e-3,
    max_iter=1000,
    n_init=4,
    random_state=0,
)
clf = TinyMLPClassifier(**network)
clf.fit(X_train, y_train)
print(f"the network alone: test accuracy {clf.score(X_test, y_test):.3f}")
print("its embedding's columns:", clf.get_feature_names_out())

# %%
# The embedding
# -------------
# ``transform`` gives each test image's two hidden units. Each digit gets its own region of
# the plane, learnt from the labels alone; the digits the network confuses lie where their
# regions meet.
embedded = clf.transform(X_test)
fig, ax = plt.subplots(figsize=(6.5, 6))
scatter = ax.scatter(*embedded.T, c=y_test, cmap="tab10", s=12, alpha=0.8)
for digit in range(10):
    centre = np.median(embedded[y_test == digit], axis=0)
    ax.annotate(str(digit), centre, fontsize=16, weight="bold", ha="center", va="center")
ax.set(xlabel="hidden unit 0", ylabel="hidden unit 1", title="digits, as the network sees them")
fig.colorbar(scatter, ax=ax, label="digit")
plt.show()

# %%
# Feeding a second estimator
# --------------------------
# In a pipeline the network's ``fit_transform`` trains it on the labels and hands its
# embedding on: a 15-nearest-neighbours classifier on two numbers per image does as well as
# the network itself; the same classifier on all 64 pixels does better still, with 32 times
# the numbers. The other hidden layer is there too: ``transform_layer=0`` gives the 32
# units of the first.
knn = make_pipeline(TinyMLPClassifier(**network), KNeighborsClassifier(n_neighbors=15))
knn.fit(X_train, y_train)
pixels = KNeighborsClassifier(n_neighbors=15).fit(X_train, y_train)
print(f"15 neighbours on the 2-unit embedding: test accuracy {knn.score(X_test, y_test):.3f}")
print(f"15 neighbours on the 64 pixels:        test accuracy {pixels.score(X_test, y_test):.3f}")
print("the first hidden layer:", clf.set_params(transform_layer=0).transform(X_test).shape)
