"""Grid search over TinyMLP estimators on a dask.distributed cluster, through joblib."""

from contextlib import contextmanager

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_xornet import TinyMLPClassifier

distributed = pytest.importorskip("distributed")


@contextmanager
def local_cluster():
    """Two worker processes on this machine, bound to 127.0.0.1, and a client of them;
    both stopped on leaving."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield cluster, client


def search():
    return GridSearchCV(
        make_pipeline(StandardScaler(), TinyMLPClassifier(random_state=0)),
        {
            "tinymlpclassifier__hidden_layer_sizes": [(4,), (16,)],
            "tinymlpclassifier__alpha": [0.01, 1.0],
            "tinymlpclassifier__solver": ["lbfgs", "adam"],
        },
        cv=3,
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_on_a_local_dask_cluster_equals_the_serial_run(monkeypatch):
    X, y = load_iris(return_X_y=True)
    # Count the fits run in this process. The workers are other processes: they unpickle
    # the estimator by its class's name and run the library's own fit, not this counter.
    # joblib's dask backend batches fits into tasks as it sees fit, so the number of
    # tasks says nothing; the number of fits left to this process does.
    fits_here = []
    fit = TinyMLPClassifier.fit

    def counted_fit(self, *args, **kwargs):
        fits_here.append(self)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(TinyMLPClassifier, "fit", counted_fit)
    with local_cluster() as (cluster, client):
        with distributed.get_task_stream(client) as tasks:
            with joblib.parallel_config(backend="dask"):
                on_dask = search().fit(X, y)
        # the 8 candidates x 3 folds ran on the cluster's workers; only the refit of the
        # best candidate ran here
        assert len(fits_here) == 1
        workers = {task["worker"] for task in tasks.data}
        assert workers and workers <= set(client.scheduler_info()["workers"])
    assert cluster.status.name == "closed"
    monkeypatch.undo()

    serial = search().fit(X, y)
    for key in ["mean_test_score", "split0_test_score", "split1_test_score", "rank_test_score"]:
        assert_array_equal(on_dask.cv_results_[key], serial.cv_results_[key])
    assert on_dask.best_params_ == serial.best_params_
    best_dask = on_dask.best_estimator_[-1]
    best_serial = serial.best_estimator_[-1]
    for a, b in zip(best_dask.coefs_, best_serial.coefs_, strict=True):
        assert_array_equal(a, b)
    assert np.isfinite(on_dask.best_score_) and on_dask.best_score_ > 0.9
