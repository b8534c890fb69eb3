"""
=======================================
Grid search on a dask cluster
=======================================

scikit-learn runs a grid search's fits through joblib, and joblib can hand them to a
`dask.distributed <https://distributed.dask.org>`_ cluster. This script starts a local
cluster of two worker processes, runs the same search on it and serially, and checks that
the results agree. Give ``Client`` a scheduler's address instead of a ``LocalCluster`` to use
a real cluster. Needs the ``distributed`` extra (``pip install ".[distributed]"``).

This example starts processes, so it is shown here but not run when the site is built.
"""

import joblib
import numpy as np
from dask.distributed import Client, LocalCluster
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier


def make_search():
    return GridSearchCV(
        make_pipeline(StandardScaler(), TinyMLPClassifier(random_state=0)),
        {
            "tinymlpclassifier__hidden_layer_sizes": [(16,), (64,)],
            "tinymlpclassifier__alpha": [0.01, 0.1, 1.0],
        },
        cv=3,
    )


if __name__ == "__main__":
    X, y = load_digits(return_X_y=True)

    # processes started by the cluster import this file: keep the cluster under __main__
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        print("dask cluster:", client)
        with joblib.parallel_config(backend="dask"):
            on_dask = make_search().fit(X, y)

    serial = make_search().fit(X, y)
    print("best on dask:  ", on_dask.best_params_, f"{on_dask.best_score_:.4f}")
    print("best serially: ", serial.best_params_, f"{serial.best_score_:.4f}")
    same = np.array_equal(
        on_dask.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    print("identical mean test scores:", same)
