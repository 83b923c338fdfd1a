#!/usr/bin/python3
"""Writes Kloop's ONNX test fixtures: small models of the shapes that skl2onnx, onnxmltools (XGBoost) and
torch.onnx.export produce, trained with scikit-learn on the shipped data (data/wine.csv, data/reviews.csv) and
written node by node with onnx.helper, since none of those exporters is packaged for Debian.

Run by hand from anywhere, with Debian's Python (python3-sklearn, python3-numpy, python3-onnx):

    /usr/bin/python3 tools/onnx-fixtures/make_fixtures.py

It refuses to run with other versions of numpy, scikit-learn or onnx than the pinned ones (--allow-other-versions
runs anyway, loudly, and records the versions it ran with). Every graph is checked with onnx.checker, and
its arithmetic is re-implemented in numpy (float32, as ONNX Runtime computes) and compared with scikit-learn's
predict_proba on every row to 1e-5 before anything is written. It writes the .onnx files and manifest.json
(hashes, versions, each fixture's inputs, outputs, class order and the expected probabilities of a few rows) to
test-support/src/main/resources/io/kloop/test/onnx/.
"""

import argparse
import csv
import hashlib
import json
import os
import platform
import re
import sys

try:
    import numpy as np
    import onnx
    import sklearn
    from onnx import TensorProto, helper, numpy_helper
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
except ImportError as missing:
    sys.exit("make_fixtures.py: %s; run it with Debian's /usr/bin/python3 after "
             "'apt-get install python3-sklearn python3-onnx'" % missing)

SCRIPT_VERSION = "1.0.0"
PINNED = {"numpy": "1.24.2", "scikit-learn": "1.2.1", "onnx": "1.12.0"}
TOLERANCE = 1e-5
EXPECTED_ROWS = 5

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "test-support", "src", "main", "resources", "io", "kloop", "test", "onnx")
WINE_CSV = "data/wine.csv"
REVIEWS_CSV = "data/reviews.csv"

WINE_FEATURES = ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
                 "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue", "od280_od315_of_diluted_wines",
                 "proline"]
WINE_INT64 = {"magnesium", "proline"}
WINE_DOUBLE = {"alcohol"}
TOKEN_PATTERN = "[a-zA-Z0-9]+"
# skl2onnx's converter option {TfidfVectorizer: {"locale": "C"}} (skl2onnx 1.16 and later). Without it the
# StringNormalizer has no locale and ONNX Runtime on Linux asks the C++ library for en_US.UTF-8, refusing to load the
# model where that locale is not installed (most containers); "C" is always there and lower-cases ASCII.
STRING_LOCALE = "C"
# Review texts of the text fixture's expected answers beyond the data's first rows: capitals and punctuation the
# graph must lower-case and split away, and words the vocabulary has never seen.
EXTRA_REVIEWS = ["GREAT kettle, really GREAT!! Would buy again.",
                 "Yeet: the zoomtab is broken... and the battery is dead; awful."]

ONNX_ML = "ai.onnx.ml"
MS = "com.microsoft"


# ---------------------------------------------------------------------------------------------------- versions

def check_versions(allow_other):
    ran = {"numpy": np.__version__, "scikit-learn": sklearn.__version__, "onnx": onnx.__version__}
    other = {k: v for k, v in ran.items() if v != PINNED[k]}
    if other:
        message = "versions differ from the pinned ones: " + ", ".join(
            "%s %s (pinned %s)" % (k, v, PINNED[k]) for k, v in sorted(other.items()))
        if not allow_other:
            sys.exit("make_fixtures.py: " + message + "; run with Debian's /usr/bin/python3 (python3-sklearn, "
                     "python3-onnx), or pass --allow-other-versions and review every changed fixture")
        print("!" * 100 + "\nWARNING: " + message + "\nThe fixtures will differ; the manifest records the "
              "versions used.\n" + "!" * 100, file=sys.stderr)
    ran["python"] = platform.python_version()
    return ran


# ---------------------------------------------------------------------------------------------------- data

def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load_wine():
    """scikit-learn's layout: a first line 'samples,features,class names...', then values and the class index."""
    with open(os.path.join(ROOT, WINE_CSV)) as f:
        header = f.readline().strip().split(",")
        rows = np.array([[float(v) for v in line.strip().split(",")] for line in f if line.strip()])
    classes = header[2:]
    assert int(header[0]) == len(rows) == 178 and int(header[1]) == len(WINE_FEATURES) == 13, header
    return rows[:, :-1], rows[:, -1].astype(np.int64), classes


def load_reviews():
    with open(os.path.join(ROOT, REVIEWS_CSV), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1000, len(rows)
    return [r["id"] for r in rows], [r["review"] for r in rows], np.array([r["sentiment"] for r in rows])


# ---------------------------------------------------------------------------------------------------- graph helpers

def dims(shape):
    """None: an unknown dimension (skl2onnx's None); a string: a named dynamic dimension (torch's dynamic_axes)."""
    return list(shape)


def tensor(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, dims(shape))


def zipmap_output(name, key_elem):
    value = helper.make_tensor_type_proto(TensorProto.FLOAT, None)
    map_type = onnx.TypeProto()
    map_type.map_type.key_type = key_elem
    map_type.map_type.value_type.CopyFrom(value)
    return helper.make_value_info(name, helper.make_sequence_type_proto(map_type))


def model(graph, producer, version, opsets, doc):
    m = helper.make_model(graph, producer_name=producer, producer_version=version,
                          opset_imports=[helper.make_opsetid(domain, v) for domain, v in opsets.items()],
                          doc_string=doc)
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def f32(a):
    return np.asarray(a, dtype=np.float32)


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def assert_close(name, ours, sklearns):
    worst = float(np.max(np.abs(np.asarray(ours, dtype=np.float64) - sklearns)))
    if not worst <= TOLERANCE:
        sys.exit("make_fixtures.py: %s: the graph's arithmetic differs from scikit-learn's by %.3g" % (name, worst))
    print("  %-38s numpy re-implementation within %.1e of scikit-learn (max diff %.2e)" % (name, TOLERANCE, worst))


# ---------------------------------------------------------------------------------------------------- fixtures

def wine_logreg(X, y, classes):
    """skl2onnx 1.17.0, Pipeline(StandardScaler, LogisticRegression(multinomial)), one float input [N, 13]."""
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000, C=0.5)).fit(X, y)
    scaler, lr = pipe[0], pipe[1]
    offset, scale = scaler.mean_, 1.0 / scaler.scale_
    nodes = [
        helper.make_node("Scaler", ["float_input"], ["variable"], name="Scaler", domain=ONNX_ML,
                         offset=f32(offset).tolist(), scale=f32(scale).tolist()),
        helper.make_node("LinearClassifier", ["variable"], ["label", "probability_tensor"], name="LinearClassifier",
                         domain=ONNX_ML, classlabels_strings=classes, coefficients=f32(lr.coef_).ravel().tolist(),
                         intercepts=f32(lr.intercept_).tolist(), multi_class=1, post_transform="SOFTMAX"),
        helper.make_node("Identity", ["label"], ["output_label"], name="Identity"),
        helper.make_node("ZipMap", ["probability_tensor"], ["output_probability"], name="ZipMap", domain=ONNX_ML,
                         classlabels_strings=classes),
    ]
    graph = helper.make_graph(nodes, "pipeline_logistic_regression",
                              [tensor("float_input", TensorProto.FLOAT, [None, 13])],
                              [tensor("output_label", TensorProto.STRING, [None]),
                               zipmap_output("output_probability", TensorProto.STRING)])
    m = model(graph, "skl2onnx", "1.17.0", {"": 17, ONNX_ML: 1}, "")
    z = ((f32(X) - f32(offset)) * f32(scale)) @ f32(lr.coef_).T + f32(lr.intercept_)
    expected = pipe.predict_proba(X)
    assert_close("wine-sklearn-logreg.onnx", softmax(z.astype(np.float32)), expected)
    return m, expected, {
        "imitates": "skl2onnx 1.17.0 (convert_sklearn) of Pipeline(StandardScaler, LogisticRegression) "
                    "with FloatTensorType([None, 13]) named float_input and the default ZipMap",
        "inputs": [{"name": "float_input", "kind": "TENSOR", "type": "FLOAT", "shape": [None, 13],
                    "features": WINE_FEATURES}],
        "outputs": [{"name": "output_label", "kind": "TENSOR", "type": "STRING", "shape": [None]},
                    {"name": "output_probability", "kind": "SEQUENCE_OF_MAPS", "keyType": "STRING",
                     "valueType": "FLOAT"}],
        "labelOutput": "output_label", "probabilityOutput": "output_probability", "probabilityFormat": "ZIPMAP",
        "classKeys": classes,
    }


def wine_per_feature(X, y, classes):
    """skl2onnx 1.17.0 of a ColumnTransformer pipeline fed a DataFrame: one input [N, 1] per column, each of its
    pandas dtype (int64 columns stay INT64, a float64 column DOUBLE), cast to float and concatenated."""
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000, C=0.2)).fit(X, y)
    scaler, lr = pipe[0], pipe[1]
    inputs, nodes, concat_in = [], [], []
    for name in WINE_FEATURES:
        elem = TensorProto.INT64 if name in WINE_INT64 else TensorProto.DOUBLE if name in WINE_DOUBLE else TensorProto.FLOAT
        inputs.append(tensor(name, elem, [None, 1]))
        if elem == TensorProto.FLOAT:
            concat_in.append(name)
        else:
            nodes.append(helper.make_node("Cast", [name], [name + "_cast"], name="Cast_" + name, to=TensorProto.FLOAT))
            concat_in.append(name + "_cast")
    classlabels = list(range(len(classes)))
    nodes += [
        helper.make_node("Concat", concat_in, ["merged_columns"], name="Concat", axis=1),
        helper.make_node("Scaler", ["merged_columns"], ["variable"], name="Scaler", domain=ONNX_ML,
                         offset=f32(scaler.mean_).tolist(), scale=f32(1.0 / scaler.scale_).tolist()),
        helper.make_node("LinearClassifier", ["variable"], ["label", "probability_tensor"], name="LinearClassifier",
                         domain=ONNX_ML, classlabels_ints=classlabels, coefficients=f32(lr.coef_).ravel().tolist(),
                         intercepts=f32(lr.intercept_).tolist(), multi_class=1, post_transform="SOFTMAX"),
        helper.make_node("Identity", ["label"], ["output_label"], name="Identity"),
        helper.make_node("ZipMap", ["probability_tensor"], ["output_probability"], name="ZipMap", domain=ONNX_ML,
                         classlabels_int64s=classlabels),
    ]
    graph = helper.make_graph(nodes, "pipeline_column_transformer", inputs,
                              [tensor("output_label", TensorProto.INT64, [None]),
                               zipmap_output("output_probability", TensorProto.INT64)])
    m = model(graph, "skl2onnx", "1.17.0", {"": 15, ONNX_ML: 2}, "")
    columns = [X[:, i].astype(np.int64).astype(np.float32) if n in WINE_INT64
               else X[:, i].astype(np.float64).astype(np.float32) for i, n in enumerate(WINE_FEATURES)]
    assert all(np.array_equal(X[:, i], np.round(X[:, i])) for i, n in enumerate(WINE_FEATURES) if n in WINE_INT64)
    x = np.stack(columns, axis=1)
    z = ((x - f32(scaler.mean_)) * f32(1.0 / scaler.scale_)) @ f32(lr.coef_).T + f32(lr.intercept_)
    expected = pipe.predict_proba(X)
    assert_close("wine-sklearn-per-feature.onnx", softmax(z.astype(np.float32)), expected)
    return m, expected, {
        "imitates": "skl2onnx 1.17.0 of a ColumnTransformer pipeline converted with one input per DataFrame column "
                    "(magnesium and proline int64, alcohol float64, the rest float32): Cast, Concat, Scaler, "
                    "LinearClassifier with integer class labels, ZipMap with int64 keys",
        "inputs": [{"name": n, "kind": "TENSOR",
                    "type": "INT64" if n in WINE_INT64 else "DOUBLE" if n in WINE_DOUBLE else "FLOAT",
                    "shape": [None, 1], "features": [n]} for n in WINE_FEATURES],
        "outputs": [{"name": "output_label", "kind": "TENSOR", "type": "INT64", "shape": [None]},
                    {"name": "output_probability", "kind": "SEQUENCE_OF_MAPS", "keyType": "INT64",
                     "valueType": "FLOAT"}],
        "labelOutput": "output_label", "probabilityOutput": "output_probability", "probabilityFormat": "ZIPMAP",
        "classKeys": classlabels,
    }


def below_or_equal_as_less_than(threshold):
    """scikit-learn's trees test float32(x) <= threshold (float64); for float32 x that is x < t' with t' the float32
    just above the largest float32 not above the threshold: exact as XGBoost's BRANCH_LT."""
    t = np.float32(threshold)
    if np.float64(t) > threshold:
        t = np.nextafter(t, np.float32(-np.inf))
    return np.nextafter(t, np.float32(np.inf))


def wine_xgboost(X, y, classes):
    """onnxmltools 1.12.0 of an XGBClassifier (multi:softprob): one TreeEnsembleClassifier, BRANCH_LT nodes, tree i
    scoring class i % 3, SOFTMAX; outputs label and probabilities (no ZipMap). Trees from scikit-learn's
    GradientBoostingClassifier, whose raw score is the same sum of trees per class plus a base value."""
    gb = GradientBoostingClassifier(n_estimators=8, max_depth=2, learning_rate=0.3, random_state=0).fit(X, y)
    n_classes = len(classes)
    base = gb._raw_predict_init(X[:1])[0]
    attrs = {k: [] for k in ["nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes",
                             "nodes_truenodeids", "nodes_falsenodeids", "nodes_missing_value_tracks_true",
                             "nodes_hitrates", "class_treeids", "class_nodeids", "class_ids", "class_weights"]}
    trees = []
    for stage in range(gb.estimators_.shape[0]):
        for k in range(n_classes):
            tree_id = stage * n_classes + k
            t = gb.estimators_[stage, k].tree_
            trees.append((tree_id, k, t))
            for node in range(t.node_count):
                attrs["nodes_treeids"].append(tree_id)
                attrs["nodes_nodeids"].append(node)
                attrs["nodes_hitrates"].append(1.0)
                attrs["nodes_missing_value_tracks_true"].append(1)
                if t.children_left[node] == -1:
                    attrs["nodes_featureids"].append(0)
                    attrs["nodes_values"].append(0.0)
                    attrs["nodes_modes"].append("LEAF")
                    attrs["nodes_truenodeids"].append(0)
                    attrs["nodes_falsenodeids"].append(0)
                    attrs["class_treeids"].append(tree_id)
                    attrs["class_nodeids"].append(node)
                    attrs["class_ids"].append(k)
                    attrs["class_weights"].append(float(np.float32(gb.learning_rate * t.value[node][0][0])))
                else:
                    attrs["nodes_featureids"].append(int(t.feature[node]))
                    attrs["nodes_values"].append(float(below_or_equal_as_less_than(t.threshold[node])))
                    attrs["nodes_modes"].append("BRANCH_LT")
                    attrs["nodes_truenodeids"].append(int(t.children_left[node]))
                    attrs["nodes_falsenodeids"].append(int(t.children_right[node]))
    node = helper.make_node("TreeEnsembleClassifier", ["input"], ["label", "probabilities"],
                            name="TreeEnsembleClassifier", domain=ONNX_ML, post_transform="SOFTMAX",
                            base_values=f32(base).tolist(), classlabels_int64s=list(range(n_classes)), **attrs)
    graph = helper.make_graph([node], "ONNX(XGBClassifier)", [tensor("input", TensorProto.FLOAT, [None, 13])],
                              [tensor("label", TensorProto.INT64, [None]),
                               tensor("probabilities", TensorProto.FLOAT, [None, n_classes])])
    m = model(graph, "OnnxMLTools", "1.12.0", {"": 15, ONNX_ML: 3}, "")
    # The ensemble in numpy: walk each tree with BRANCH_LT on float32 inputs, add its leaf's weight to its class.
    x = f32(X)
    modes = attrs["nodes_modes"]
    index = {(tid, nid): i for i, (tid, nid) in enumerate(zip(attrs["nodes_treeids"], attrs["nodes_nodeids"]))}
    leaf_weight = {(tid, nid): w for tid, nid, w in zip(attrs["class_treeids"], attrs["class_nodeids"],
                                                         attrs["class_weights"])}
    scores = np.tile(f32(base), (len(x), 1))
    for row in range(len(x)):
        for tree_id, k, _ in trees:
            nid = 0
            while modes[index[(tree_id, nid)]] != "LEAF":
                i = index[(tree_id, nid)]
                nid = (attrs["nodes_truenodeids"][i]
                       if x[row, attrs["nodes_featureids"][i]] < np.float32(attrs["nodes_values"][i])
                       else attrs["nodes_falsenodeids"][i])
            scores[row, k] += np.float32(leaf_weight[(tree_id, nid)])
    expected = gb.predict_proba(X)
    assert_close("wine-xgboost.onnx", softmax(scores), expected)
    return m, expected, {
        "imitates": "onnxmltools 1.12.0 (convert_xgboost) of an XGBClassifier, objective multi:softprob, input "
                    "FloatTensorType([None, 13]) named input: TreeEnsembleClassifier, probabilities as a tensor",
        "trees": len(trees),
        "inputs": [{"name": "input", "kind": "TENSOR", "type": "FLOAT", "shape": [None, 13], "features": WINE_FEATURES}],
        "outputs": [{"name": "label", "kind": "TENSOR", "type": "INT64", "shape": [None]},
                    {"name": "probabilities", "kind": "TENSOR", "type": "FLOAT", "shape": [None, n_classes]}],
        "labelOutput": "label", "probabilityOutput": "probabilities", "probabilityFormat": "TENSOR",
        "classKeys": list(range(n_classes)),
    }


def wine_pytorch(X, y, classes):
    """torch.onnx.export 2.3.0 of nn.Sequential-like module fc1 -> relu -> fc2 -> softmax(dim=1), opset 17,
    dynamic_axes={'input': {0: 'batch_size'}, 'output': {0: 'batch_size'}}. The weights are a scikit-learn
    MLPClassifier's, with the standardisation folded into fc1 (W' = W / scale, b' = b - W' mean)."""
    scaler = StandardScaler().fit(X)
    mlp = MLPClassifier(hidden_layer_sizes=(16,), activation="relu", alpha=1e-3, max_iter=3000,
                        random_state=0).fit(scaler.transform(X), y)
    w1 = mlp.coefs_[0].T / scaler.scale_  # [16, 13], torch's Linear layout [out, in]
    b1 = mlp.intercepts_[0] - w1 @ scaler.mean_
    w2, b2 = mlp.coefs_[1].T, mlp.intercepts_[1]
    inits = [numpy_helper.from_array(f32(a), name) for a, name in
             [(w1, "fc1.weight"), (b1, "fc1.bias"), (w2, "fc2.weight"), (b2, "fc2.bias")]]
    nodes = [
        helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["/fc1/Gemm_output_0"], name="/fc1/Gemm",
                         alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Relu", ["/fc1/Gemm_output_0"], ["/relu/Relu_output_0"], name="/relu/Relu"),
        helper.make_node("Gemm", ["/relu/Relu_output_0", "fc2.weight", "fc2.bias"], ["/fc2/Gemm_output_0"],
                         name="/fc2/Gemm", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Softmax", ["/fc2/Gemm_output_0"], ["output"], name="/softmax/Softmax", axis=1),
    ]
    graph = helper.make_graph(nodes, "main_graph", [tensor("input", TensorProto.FLOAT, ["batch_size", 13])],
                              [tensor("output", TensorProto.FLOAT, ["batch_size", len(classes)])], inits)
    m = model(graph, "pytorch", "2.3.0", {"": 17}, "")
    h = np.maximum(f32(X) @ f32(w1).T + f32(b1), 0)
    expected = mlp.predict_proba(scaler.transform(X))
    assert_close("wine-pytorch-mlp.onnx", softmax((h @ f32(w2).T + f32(b2)).astype(np.float32)), expected)
    return m, expected, {
        "imitates": "torch.onnx.export (PyTorch 2.3.0, opset 17) of a two-layer MLP with a softmax head, "
                    "input_names=['input'], output_names=['output'], batch dimension dynamic as batch_size",
        "inputs": [{"name": "input", "kind": "TENSOR", "type": "FLOAT", "shape": ["batch_size", 13],
                    "features": WINE_FEATURES}],
        "outputs": [{"name": "output", "kind": "TENSOR", "type": "FLOAT", "shape": ["batch_size", len(classes)]}],
        "labelOutput": None, "probabilityOutput": "output", "probabilityFormat": "TENSOR",
        "classKeys": None,
    }


def tfidf_math(texts, vocabulary, idf, coef, intercept):
    """TF-IDF and logistic regression written out: lower-case, tokens of TOKEN_PATTERN, counts of the vocabulary's
    words times idf, L2-normalised, then the sigmoid of the linear score. float32, as the graph computes."""
    x = np.zeros((len(texts), len(vocabulary)), dtype=np.float32)
    for row, text in enumerate(texts):
        for token in re.findall(TOKEN_PATTERN, text.lower()):
            if token in vocabulary:
                x[row, vocabulary[token]] += 1
    x *= f32(idf)
    norms = np.sqrt((x * x).sum(axis=1, keepdims=True))
    x = np.where(norms > 0, x / np.where(norms > 0, norms, 1), 0).astype(np.float32)
    p = 1 / (1 + np.exp(-(x @ f32(coef) + np.float32(intercept))))
    return np.stack([1 - p, p], axis=1)


def reviews_tfidf(texts, labels):
    """skl2onnx 1.17.0 of Pipeline(TfidfVectorizer(token_pattern), LogisticRegression), input StringTensorType
    ([None, 1]) named input: Reshape, StringNormalizer, Tokenizer (com.microsoft), TfIdfVectorizer (TF), Mul by idf,
    Normalizer (L2), binary LinearClassifier (LOGISTIC, two probability columns), ZipMap."""
    pipe = make_pipeline(TfidfVectorizer(lowercase=True, token_pattern=TOKEN_PATTERN, norm="l2"),
                         LogisticRegression(max_iter=5000)).fit(texts, labels)
    vec, lr = pipe[0], pipe[1]
    classes = [str(c) for c in lr.classes_]
    assert classes == ["negative", "positive"], classes
    vocabulary = {str(k): int(v) for k, v in vec.vocabulary_.items()}
    pool = sorted(vocabulary, key=vocabulary.get)
    idf = vec.idf_
    inits = [numpy_helper.from_array(np.array([-1], dtype=np.int64), "shape_tensor"),
             numpy_helper.from_array(f32(idf), "idfcst")]
    nodes = [
        helper.make_node("Reshape", ["input", "shape_tensor"], ["flattened"], name="Reshape"),
        helper.make_node("StringNormalizer", ["flattened"], ["normalized"], name="StringNormalizer",
                         case_change_action="LOWER", is_case_sensitive=0, locale=STRING_LOCALE),
        helper.make_node("Tokenizer", ["normalized"], ["tokenized"], name="Tokenizer", domain=MS, mark=0,
                         mincharnum=1, pad_value="#", tokenexp=TOKEN_PATTERN),
        helper.make_node("TfIdfVectorizer", ["tokenized"], ["tfidf_counts"], name="TfIdfVectorizer", mode="TF",
                         min_gram_length=1, max_gram_length=1, max_skip_count=0, ngram_counts=[0],
                         ngram_indexes=list(range(len(pool))), pool_strings=pool),
        helper.make_node("Mul", ["tfidf_counts", "idfcst"], ["tfidf_weighted"], name="Mul"),
        helper.make_node("Normalizer", ["tfidf_weighted"], ["variable"], name="Normalizer", domain=ONNX_ML, norm="L2"),
        helper.make_node("LinearClassifier", ["variable"], ["label", "probability_tensor"], name="LinearClassifier",
                         domain=ONNX_ML, classlabels_strings=classes, coefficients=f32(lr.coef_).ravel().tolist(),
                         intercepts=f32(lr.intercept_).tolist(), post_transform="LOGISTIC"),
        helper.make_node("Identity", ["label"], ["output_label"], name="Identity"),
        helper.make_node("ZipMap", ["probability_tensor"], ["output_probability"], name="ZipMap", domain=ONNX_ML,
                         classlabels_strings=classes),
    ]
    graph = helper.make_graph(nodes, "pipeline_tfidf", [tensor("input", TensorProto.STRING, [None, 1])],
                              [tensor("output_label", TensorProto.STRING, [None]),
                               zipmap_output("output_probability", TensorProto.STRING)], inits)
    m = model(graph, "skl2onnx", "1.17.0", {"": 15, ONNX_ML: 1, MS: 1}, "")
    expected = pipe.predict_proba(texts)
    assert_close("reviews-sklearn-tfidf.onnx", tfidf_math(texts, vocabulary, idf, lr.coef_[0], lr.intercept_[0]),
                 expected)
    extra = pipe.predict_proba(EXTRA_REVIEWS)
    assert_close("reviews-sklearn-tfidf.onnx (extra texts)",
                 tfidf_math(EXTRA_REVIEWS, vocabulary, idf, lr.coef_[0], lr.intercept_[0]), extra)
    return m, expected, extra, {
        "imitates": "skl2onnx 1.17.0 of Pipeline(TfidfVectorizer(token_pattern='[a-zA-Z0-9]+'), LogisticRegression) "
                    "with StringTensorType([None, 1]) named input and options {TfidfVectorizer: {'locale': 'C'}}; "
                    "the Tokenizer is ONNX Runtime's com.microsoft op",
        "vocabularySize": len(pool),
        "inputs": [{"name": "input", "kind": "TENSOR", "type": "STRING", "shape": [None, 1], "features": ["review"]}],
        "outputs": [{"name": "output_label", "kind": "TENSOR", "type": "STRING", "shape": [None]},
                    {"name": "output_probability", "kind": "SEQUENCE_OF_MAPS", "keyType": "STRING",
                     "valueType": "FLOAT"}],
        "labelOutput": "output_label", "probabilityOutput": "output_probability", "probabilityFormat": "ZIPMAP",
        "classKeys": classes,
    }


def wine_regressor(X, y):
    """skl2onnx 1.17.0 of a LinearRegression on the wine data (the class index as a number): no probabilities."""
    reg = LinearRegression().fit(X, y.astype(np.float64))
    node = helper.make_node("LinearRegressor", ["float_input"], ["variable"], name="LinearRegressor", domain=ONNX_ML,
                            coefficients=f32(reg.coef_).tolist(), intercepts=[float(np.float32(reg.intercept_))])
    graph = helper.make_graph([node], "ONNX(LinearRegression)", [tensor("float_input", TensorProto.FLOAT, [None, 13])],
                              [tensor("variable", TensorProto.FLOAT, [None, 1])])
    m = model(graph, "skl2onnx", "1.17.0", {"": 17, ONNX_ML: 1}, "")
    values = reg.predict(X).reshape(-1, 1)
    assert_close("wine-sklearn-regressor.onnx", f32(X) @ f32(reg.coef_).reshape(-1, 1) + np.float32(reg.intercept_),
                 values)
    return m, values, {
        "imitates": "skl2onnx 1.17.0 of a LinearRegression: one number per row, no class probabilities (a bad import)",
        "inputs": [{"name": "float_input", "kind": "TENSOR", "type": "FLOAT", "shape": [None, 13],
                    "features": WINE_FEATURES}],
        "outputs": [{"name": "variable", "kind": "TENSOR", "type": "FLOAT", "shape": [None, 1]}],
        "labelOutput": None, "probabilityOutput": None, "probabilityFormat": None, "classKeys": None,
    }


def wine_raw_scores(X, y, classes):
    """torch.onnx.export of a linear layer without its softmax: raw scores [N, 3] that are not probabilities."""
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000, C=0.5)).fit(X, y)
    scaler, lr = pipe[0], pipe[1]
    w = lr.coef_ / scaler.scale_
    b = lr.intercept_ - w @ scaler.mean_
    inits = [numpy_helper.from_array(f32(w), "linear.weight"), numpy_helper.from_array(f32(b), "linear.bias")]
    node = helper.make_node("Gemm", ["input", "linear.weight", "linear.bias"], ["output"], name="/linear/Gemm",
                            alpha=1.0, beta=1.0, transB=1)
    graph = helper.make_graph([node], "main_graph", [tensor("input", TensorProto.FLOAT, ["batch_size", 13])],
                              [tensor("output", TensorProto.FLOAT, ["batch_size", len(classes)])], inits)
    m = model(graph, "pytorch", "2.3.0", {"": 17}, "")
    scores = pipe.decision_function(X)
    assert_close("wine-scores-not-probabilities.onnx", f32(X) @ f32(w).T + f32(b), scores)
    assert np.all(np.abs(scores.sum(axis=1) - 1) > 0.01), "raw scores that happen to sum to 1"
    return m, scores, {
        "imitates": "torch.onnx.export (PyTorch 2.3.0, opset 17) of a linear layer without softmax: raw scores "
                    "[batch_size, 3] that do not sum to 1 (a bad import)",
        "inputs": [{"name": "input", "kind": "TENSOR", "type": "FLOAT", "shape": ["batch_size", 13],
                    "features": WINE_FEATURES}],
        "outputs": [{"name": "output", "kind": "TENSOR", "type": "FLOAT", "shape": ["batch_size", len(classes)]}],
        "labelOutput": None, "probabilityOutput": None, "probabilityFormat": None, "classKeys": None,
    }


# ---------------------------------------------------------------------------------------------------- manifest

def wine_rows(X, y, classes, values, key):
    rows = []
    for i in range(EXPECTED_ROWS):
        features = {n: (int(X[i, j]) if n in WINE_INT64 else float(X[i, j])) for j, n in enumerate(WINE_FEATURES)}
        rows.append({"recordId": "wine-%03d" % (i + 1), "features": features, "label": classes[y[i]],
                     key: [float(v) for v in values[i]]})
    return rows


def describe(m):
    return {"producerName": m.producer_name, "producerVersion": m.producer_version, "irVersion": m.ir_version,
            "opsetImports": {(o.domain or "ai.onnx"): o.version for o in m.opset_import},
            "operators": sorted({(n.domain or "ai.onnx") + ":" + n.op_type for n in m.graph.node})}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--allow-other-versions", action="store_true",
                        help="run with versions other than the pinned ones, warning loudly")
    parser.add_argument("--out", default=OUT, help="where to write the fixtures (default: test-support's resources)")
    args = parser.parse_args()
    versions = check_versions(args.allow_other_versions)

    X, y, classes = load_wine()
    ids, texts, sentiments = load_reviews()
    print("training and checking (wine: %d rows, reviews: %d rows)" % (len(X), len(texts)))

    fixtures = []
    for name, build in [("wine-sklearn-logreg.onnx", wine_logreg), ("wine-sklearn-per-feature.onnx", wine_per_feature),
                        ("wine-xgboost.onnx", wine_xgboost), ("wine-pytorch-mlp.onnx", wine_pytorch)]:
        m, proba, info = build(X, y, classes)
        info.update({"dataset": "wine", "classOrder": classes, "expected": wine_rows(X, y, classes, proba, "probabilities")})
        fixtures.append((name, m, info))
    m, proba, extra, info = reviews_tfidf(texts, sentiments)
    expected = [{"recordId": ids[i], "features": {"review": texts[i]}, "label": str(sentiments[i]),
                 "probabilities": [float(v) for v in proba[i]]} for i in range(EXPECTED_ROWS - len(EXTRA_REVIEWS))]
    expected += [{"recordId": None, "features": {"review": t}, "label": None, "probabilities": [float(v) for v in p]}
                 for t, p in zip(EXTRA_REVIEWS, extra)]
    info.update({"dataset": "reviews", "classOrder": ["negative", "positive"], "expected": expected})
    fixtures.append(("reviews-sklearn-tfidf.onnx", m, info))
    m, values, info = wine_regressor(X, y)
    info.update({"dataset": "wine", "classOrder": None, "expected": wine_rows(X, y, classes, values, "outputs")})
    fixtures.append(("wine-sklearn-regressor.onnx", m, info))
    m, scores, info = wine_raw_scores(X, y, classes)
    info.update({"dataset": "wine", "classOrder": None, "expected": wine_rows(X, y, classes, scores, "outputs")})
    fixtures.append(("wine-scores-not-probabilities.onnx", m, info))

    os.makedirs(args.out, exist_ok=True)
    manifest = {
        "about": "ONNX test fixtures of Kloop, written by tools/onnx-fixtures/make_fixtures.py; see its README.",
        "script": "tools/onnx-fixtures/make_fixtures.py",
        "scriptVersion": SCRIPT_VERSION,
        "scriptSha256": sha256_file(os.path.abspath(__file__)),
        "versions": versions,
        "tolerance": TOLERANCE,
        "data": {WINE_CSV: sha256_file(os.path.join(ROOT, WINE_CSV)),
                 REVIEWS_CSV: sha256_file(os.path.join(ROOT, REVIEWS_CSV))},
        "fixtures": [],
    }
    for name, m, info in fixtures:
        data = m.SerializeToString()
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
        entry = {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        entry.update(describe(m))
        entry.update(info)
        manifest["fixtures"].append(entry)
        print("  wrote %-38s %7d bytes" % (name, len(data)))
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print("wrote %s" % os.path.relpath(os.path.join(args.out, "manifest.json"), ROOT))


if __name__ == "__main__":
    main()
