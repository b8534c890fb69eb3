"""scikit-learn's callback API (``sklearn.callback``, scikit-learn >= 1.9), in one place.

A fit is one root task with one subtask per epoch ('gd', 'sgd', 'adam') or per L-BFGS
iteration. ``FitTasks`` opens and closes those tasks around the training loop and reports
whether a callback asked to stop. On older scikit-learn versions there is no callback API:
``set_callbacks`` does not exist and ``FitTasks`` does nothing.
"""

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9

    class CallbackSupportMixin:
        """Stands in for scikit-learn's mixin where the callback API does not exist."""


class FitTasks:
    """The callback tasks of one call to ``fit`` or ``partial_fit``.

    Create it at the start of the call, before anything can fail: creating it runs the
    callbacks' ``setup``; scikit-learn's ``_fit_context`` runs their ``teardown`` once the
    call ends, whether it succeeded or raised.

    Parameters
    ----------
    estimator : estimator instance
    max_subtasks : int or None
        The most epochs (iterations) this call can run.
    """

    def __init__(self, estimator, max_subtasks):
        self.estimator = estimator
        self.context = None
        self.epoch = None
        self.data = {}
        if hasattr(estimator, "_init_callback_context"):
            self.context = estimator._init_callback_context(max_subtasks=max_subtasks)
        # without callbacks, the loop pays nothing for tasks nobody watches
        self.watched = bool(getattr(estimator, "_skl_callbacks", None))

    def begin(self, X, y, metadata):
        """Open the root task, once the data are validated."""
        self.data = {"X": X, "y": y, "metadata": metadata}
        if self.watched:
            self.context.call_on_fit_task_begin(estimator=self.estimator, **self.data)

    def begin_epoch(self):
        if self.watched:
            self.epoch = self.context.subcontext(task_name="epoch")
            self.epoch.call_on_fit_task_begin(estimator=self.estimator, **self.data)

    def end_epoch(self, fitted_attributes=None):
        """Close the open epoch; True when a callback asks to stop training.

        ``fitted_attributes`` is a function returning the fitted attributes that make a
        copy of the estimator predict as if training had stopped here; it is called only
        if a callback asks for ``fitted_estimator``.
        """
        if self.epoch is None:
            return False
        epoch, self.epoch = self.epoch, None
        return epoch.call_on_fit_task_end(
            estimator=self.estimator, reconstruction_attributes=fitted_attributes, **self.data
        )

    def end(self):
        """Close an epoch left open (an interrupted run) and the root task."""
        self.end_epoch()
        if self.watched:
            self.context.call_on_fit_task_end(
                estimator=self.estimator, reconstruction_attributes={}, **self.data
            )
