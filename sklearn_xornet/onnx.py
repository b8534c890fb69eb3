"""ONNX export through skl2onnx.

Importing this module registers a shape calculator and a converter for each estimator with
skl2onnx, after which ``skl2onnx.to_onnx`` exports a fitted :class:`TinyMLPClassifier` or
:class:`TinyMLPRegressor`, alone or inside a pipeline::

    import sklearn_xornet.onnx  # noqa: F401 (registers the converters)
    from skl2onnx import to_onnx

    onx = to_onnx(model, X[:1].astype(np.float32))

The graph is the network's forward pass, one ``MatMul`` (and ``Add`` with intercepts) and
one activation per layer, followed by what ``predict`` and ``predict_proba`` do with the
output:

- classifier: the labels (``int64`` for numeric classes, strings for string classes; an
  ``int64`` indicator matrix for multilabel targets) and the probabilities, as
  ``predict_proba`` returns them. skl2onnx's options ``zipmap`` (True, the default, gives
  one ``{class: probability}`` dict per row; False the matrix; ``"columns"`` one output per
  class) and ``nocl`` (class indices instead of labels) apply;
- regressor: the predictions as an ``(n_samples, n_outputs)`` tensor, targets scaled back
  when ``normalize_y`` was used;
- either, with the option ``transform=True``: what ``transform`` returns, the activations of
  hidden layer ``transform_layer``, as one ``(n_samples, n_units)`` tensor. A network that
  feeds a second estimator in a pipeline needs it::

    to_onnx(pipe, X[:1], options={id(pipe[0]): {"transform": True}})

Computations run in the input's precision: float32 inputs give float32 graphs.
"""

import numpy as np
from sklearn.base import is_classifier

try:
    from skl2onnx import update_registered_converter
    from skl2onnx.common._apply_operation import apply_cast, apply_concat, apply_reshape
    from skl2onnx.common.data_types import (
        BooleanTensorType,
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
        guess_proto_type,
    )
    from skl2onnx.common.utils import check_input_and_output_numbers, check_input_and_output_types
    from skl2onnx.common.utils_classifier import get_label_classes
    from skl2onnx.proto import onnx_proto
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "sklearn_xornet.onnx needs skl2onnx: pip install 'sklearn-xornet[onnx]'"
    ) from exc

from skl2onnx._parse import _parse_sklearn_classifier, _parse_sklearn_simple_model
from skl2onnx.common.data_types import guess_tensor_type

from ._activations import GELU_CUBIC, GELU_SCALE, LEAKY_RELU_SLOPE, per_layer
from ._classifier import TinyMLPClassifier
from ._regressor import TinyMLPRegressor

__all__ = ["register"]

# the library's activation names, as ONNX operators
_OPERATORS = {
    "identity": "Identity",
    "logistic": "Sigmoid",
    "tanh": "Tanh",
    "relu": "Relu",
    "softmax": "Softmax",
    "exp": "Exp",
    "elu": "Elu",  # alpha 1, the library's
    "softplus": "Softplus",
}
_INPUT_TYPES = [FloatTensorType, DoubleTensorType, Int64TensorType, BooleanTensorType]
INT64 = onnx_proto.TensorProto.INT64


def _precision(operator):
    """The ONNX element type and numpy dtype the graph computes in: the input's float."""
    proto = guess_proto_type(operator.inputs[0].type)
    if proto == onnx_proto.TensorProto.DOUBLE:
        return proto, np.float64, DoubleTensorType
    return onnx_proto.TensorProto.FLOAT, np.float32, FloatTensorType


def _node(scope, container, op_type, inputs, hint, **attributes):
    """Add one node; return the name of its (fresh) output."""
    output = scope.get_unique_variable_name(hint)
    container.add_node(
        op_type, inputs, output, name=scope.get_unique_operator_name(op_type), **attributes
    )
    return output


def _constant(scope, container, hint, value, proto):
    name = scope.get_unique_variable_name(hint)
    value = np.asarray(value)
    container.add_initializer(name, proto, list(value.shape), value.ravel().tolist())
    return name


def _forward(scope, operator, container, depth=None):
    """The network's output ``Z``: ``H = f(X . W + b)`` layer by layer, as in ``forward``;
    or, to a ``depth`` of hidden layers, the last one's output."""
    model = operator.raw_operator
    proto, dtype, _ = _precision(operator)
    H = scope.get_unique_variable_name("X")
    apply_cast(scope, operator.inputs[0].full_name, H, container, to=proto)
    activations = per_layer(model.activation, model.n_layers_ - 2) + [model.out_activation_]
    layers = zip(model.coefs_, model.intercepts_, activations, strict=True)
    for W, b, activation in list(layers)[slice(depth)]:
        weights = _constant(scope, container, "coefficient", W.astype(dtype), proto)
        H = _node(scope, container, "MatMul", [H, weights], "product")
        if model.fit_intercept:
            bias = _constant(scope, container, "intercept", b.astype(dtype)[None, :], proto)
            H = _node(scope, container, "Add", [H, bias], "pre_activation")
        if activation == "ordered_quantiles":
            H = _ordered_quantiles(scope, container, H, model._quantiles.shape[0], dtype, proto)
        else:
            H = _activation(scope, container, activation, H, dtype, proto)
    return H


def _ordered_quantiles(scope, container, H, n_quantiles, dtype, proto):
    """Several quantiles' output (``_activations.ordered_quantiles``): per target, the lowest
    quantile, then the softplus of each step to the next, summed by a product with an
    upper-triangular matrix of ones."""
    shape = _constant(scope, container, "by_target", np.array([0, -1, n_quantiles]), INT64)
    R = _node(scope, container, "Reshape", [H, shape], "by_target")
    steps = (np.arange(n_quantiles) > 0).astype(dtype)
    softplus = _node(scope, container, "Softplus", [R], "softplus")
    step_part = _node(
        scope,
        container,
        "Mul",
        [softplus, _constant(scope, container, "steps", steps, proto)],
        "step",
    )
    lowest = _constant(scope, container, "lowest", 1 - steps, proto)
    lowest_part = _node(scope, container, "Mul", [R, lowest], "lowest")
    S = _node(scope, container, "Add", [lowest_part, step_part], "steps_and_lowest")
    sums = _constant(
        scope, container, "sums", np.triu(np.ones((n_quantiles, n_quantiles))).astype(dtype), proto
    )
    Q = _node(scope, container, "MatMul", [S, sums], "quantiles")
    flat = _constant(scope, container, "flat", np.array([0, -1]), INT64)
    return _node(scope, container, "Reshape", [Q, flat], "ordered_quantiles")


def _activation(scope, container, activation, H, dtype, proto):
    """One layer's activation of ``H``: an ONNX operator, or a composition of them."""
    if not isinstance(activation, str):
        raise ValueError(
            "A model with a user-supplied activation cannot be exported to ONNX: its"
            " functions are Python code the graph cannot contain. Use a built-in activation."
        )
    if activation in _OPERATORS:
        return _node(scope, container, _OPERATORS[activation], [H], f"{activation}_output")
    if activation == "leaky_relu":
        return _node(scope, container, "LeakyRelu", [H], "leaky_relu", alpha=LEAKY_RELU_SLOPE)
    if activation == "silu":  # x * sigmoid(x)
        sigmoid = _node(scope, container, "Sigmoid", [H], "sigmoid")
        return _node(scope, container, "Mul", [H, sigmoid], "silu")

    def constant(value):
        return _constant(scope, container, "constant", np.array(value, dtype), proto)

    # gelu's tanh form, x / 2 (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), from operators
    # every opset has (its own Gelu needs opset 20)
    cube = _node(
        scope, container, "Mul", [H, _node(scope, container, "Mul", [H, H], "square")], "cube"
    )
    inner = _node(scope, container, "Mul", [cube, constant(GELU_CUBIC)], "cubic")
    inner = _node(scope, container, "Add", [H, inner], "polynomial")
    inner = _node(scope, container, "Mul", [inner, constant(GELU_SCALE)], "scaled")
    t = _node(scope, container, "Tanh", [inner], "tanh")
    t = _node(scope, container, "Add", [t, constant(1.0)], "one_plus_tanh")
    half = _node(scope, container, "Mul", [H, constant(0.5)], "half")
    return _node(scope, container, "Mul", [half, t], "gelu")


def _transforms(operator_or_model, scope):
    """Whether the user asked for ``transform``'s output (option ``transform=True``)."""
    model = getattr(operator_or_model, "raw_operator", operator_or_model)
    return bool(scope.get_options(model, {"transform": False})["transform"])


def _parse(scope, model, inputs, custom_parsers=None):
    """skl2onnx's outputs for the model: its own parsers', or one tensor for ``transform``."""
    if not _transforms(model, scope):
        parse = _parse_sklearn_classifier if is_classifier(model) else _parse_sklearn_simple_model
        return parse(scope, model, inputs, custom_parsers=custom_parsers)
    operator = scope.declare_local_operator(_ALIASES[type(model)], model)
    operator.inputs = inputs
    output = scope.declare_local_variable("variable", guess_tensor_type(inputs[0].type))
    operator.outputs.append(output)
    return operator.outputs


def _one_tensor_shape(operator, n_columns):
    """One output: a float tensor of ``n_columns``, in the input's precision."""
    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=1)
    check_input_and_output_types(operator, good_input_types=_INPUT_TYPES)
    n_rows = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = _precision(operator)[2]([n_rows, n_columns])


def _convert_transform(scope, operator, container):
    H = _forward(scope, operator, container, depth=operator.raw_operator._transform_depth())
    container.add_node(
        "Identity", [H], operator.outputs[0].full_name, name=scope.get_unique_operator_name("Id")
    )


def _classifier_shapes(operator):
    if _transforms(operator, operator.scope_inst):
        return _one_tensor_shape(operator, operator.raw_operator._n_features_out)
    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=2)
    check_input_and_output_types(operator, good_input_types=_INPUT_TYPES)
    model = operator.raw_operator
    n_rows = operator.inputs[0].get_first_dimension()
    n_classes = len(model.classes_)
    multilabel = model._y_type == "multilabel-indicator"
    labels = np.asarray(get_label_classes(operator.scope_inst, model))  # indices with nocl
    label_type = StringTensorType if labels.dtype.kind in "OUS" else Int64TensorType
    operator.outputs[0].type = label_type([n_rows, n_classes] if multilabel else [n_rows])
    operator.outputs[1].type = _precision(operator)[2]([n_rows, n_classes])


def _converter(convert_output):
    """The converter of an estimator: its hidden layer where the options ask for
    ``transform``, else ``convert_output(scope, operator, container, Z)`` of the network's
    output ``Z``."""

    def convert(scope, operator, container):
        if _transforms(operator, scope):
            return _convert_transform(scope, operator, container)
        return convert_output(scope, operator, container, _forward(scope, operator, container))

    return convert


def _classifier_output(scope, operator, container, Z):
    model = operator.raw_operator
    proto, dtype, _ = _precision(operator)
    label, proba = operator.outputs[0].full_name, operator.outputs[1].full_name

    if model._y_type == "unary":  # one class, certainly: a column of ones
        one = _constant(scope, container, "one", np.ones((), dtype=dtype), proto)
        zero = _node(scope, container, "Sub", [Z, Z], "zero")
        container.add_node("Add", [zero, one], proba, name=scope.get_unique_operator_name("Add"))
    elif model._y_type == "binary":
        # one sigmoid unit: P(classes_[1]); predict_proba's first column is its complement
        one = _constant(scope, container, "one", np.ones((), dtype=dtype), proto)
        complement = _node(scope, container, "Sub", [one, Z], "complement")
        apply_concat(scope, [complement, Z], proba, container, axis=1)
    else:
        container.add_node("Identity", [Z], proba, name=scope.get_unique_operator_name("Id"))

    if model._y_type == "multilabel-indicator":
        half = _constant(scope, container, "half", np.array(0.5, dtype=dtype), proto)
        above = _node(scope, container, "Greater", [Z, half], "above_half")
        apply_cast(scope, above, label, container, to=onnx_proto.TensorProto.INT64)
        return

    classes = np.asarray(get_label_classes(scope, model))  # class indices with option nocl
    if classes.dtype.kind in "OUS":
        classes_proto = onnx_proto.TensorProto.STRING
        classes = np.array([str(c).encode("utf-8") for c in classes])
    elif classes.dtype.kind in "biu" or np.array_equal(classes, np.round(classes)):
        classes_proto = onnx_proto.TensorProto.INT64
        classes = classes.astype(np.int64)
    else:
        raise NotImplementedError(
            "ONNX labels are int64 or strings; the classes of this model are non-integral"
            f" numbers {model.classes_!r}. Fit it on integer or string labels."
        )
    table = scope.get_unique_variable_name("classes")
    container.add_initializer(table, classes_proto, [len(classes)], classes.tolist())
    index = _node(scope, container, "ArgMax", [proba], "class_index", axis=1)
    picked = _node(
        scope, container, "ArrayFeatureExtractor", [table, index], "label", op_domain="ai.onnx.ml"
    )
    apply_reshape(scope, picked, label, container, desired_shape=(-1,))


def _regressor_shapes(operator):
    model = operator.raw_operator
    if _transforms(operator, operator.scope_inst):
        return _one_tensor_shape(operator, model._n_features_out)
    _one_tensor_shape(operator, model.n_outputs_)
    n_quantiles, n_targets = model._quantiles.shape[0], model._y_mean.shape[0]
    if n_quantiles and n_targets > 1:  # predict's (n_samples, n_targets, n_quantiles)
        n_rows = operator.inputs[0].get_first_dimension()
        operator.outputs[0].type = _precision(operator)[2]([n_rows, n_targets, n_quantiles])


def _regressor_output(scope, operator, container, Z):
    model = operator.raw_operator
    proto, dtype, _ = _precision(operator)
    # the targets were standardised for training (normalize_y): y = Z * scale + mean, each
    # target's for each of its quantiles' outputs
    repeats = max(model._quantiles.shape[0], 1)
    scale = np.repeat(model._y_scale.astype(dtype), repeats)[None, :]
    mean = np.repeat(model._y_mean.astype(dtype), repeats)[None, :]
    scale = _constant(scope, container, "y_scale", scale, proto)
    mean = _constant(scope, container, "y_mean", mean, proto)
    scaled = _node(scope, container, "Mul", [Z, scale], "scaled")
    output = operator.outputs[0].full_name
    if model._quantiles.shape[0] and model._y_mean.shape[0] > 1:
        y = _node(scope, container, "Add", [scaled, mean], "y")
        shape = np.array([0, model._y_mean.shape[0], model._quantiles.shape[0]])
        shape = _constant(scope, container, "by_target", shape, INT64)
        container.add_node(
            "Reshape", [y, shape], output, name=scope.get_unique_operator_name("Reshape")
        )
        return
    container.add_node("Add", [scaled, mean], output, name=scope.get_unique_operator_name("Add"))


_ALIASES = {
    TinyMLPClassifier: "SklearnXornetTinyMLPClassifier",
    TinyMLPRegressor: "SklearnXornetTinyMLPRegressor",
}


def register():
    """Register the converters with skl2onnx (done once, on import of this module)."""
    update_registered_converter(
        TinyMLPClassifier,
        _ALIASES[TinyMLPClassifier],
        _classifier_shapes,
        _converter(_classifier_output),
        parser=_parse,
        options={
            "zipmap": [True, False, "columns"],
            "nocl": [False, True],
            "transform": [False, True],
        },
    )
    update_registered_converter(
        TinyMLPRegressor,
        _ALIASES[TinyMLPRegressor],
        _regressor_shapes,
        _converter(_regressor_output),
        parser=_parse,
        options={"transform": [False, True]},
    )


register()
