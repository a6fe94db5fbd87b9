"""Writes the corpus of malformed XGBoost models under tests/data/models/malformed/.

Run: `python3 tests/data/make_malformed_models.py` (standard library only; deterministic).

Each case starts from a tiny valid model written here by hand in XGBoost's own layout
(sorted keys, parameters as strings, typed arrays in UBJSON), breaks one thing, and is
saved as JSON, UBJSON or both. expected.json lists, for every file, the error code riskkit
must refuse it with and the substrings its message must contain: the JSON pointer of the
offending value and the words that name the problem. tests/cpp/test_model_corpus.cpp
checks every entry; the fuzz targets fuzz_model_json and fuzz_model_ubjson take these
files as seeds too. The valid_* files must load.
"""
import copy
import json
import math
import pathlib
import struct

OUT = pathlib.Path(__file__).resolve().parent / "models" / "malformed"
TREES = "/learner/gradient_booster/model/trees"


def tree(left, right, feature, condition, default_left=None, split_type=None, categories=None):
    """One tree in XGBoost's JSON layout; categories = {node: [category, ...]}."""
    n = len(left)
    categories = categories or {}
    nodes = sorted(categories)
    flat, segments, sizes = [], [], []
    for node in nodes:
        segments.append(len(flat))
        sizes.append(len(categories[node]))
        flat.extend(categories[node])
    parents = [2147483647] + [0] * (n - 1)
    for i, (l, r) in enumerate(zip(left, right)):
        if l != -1:
            parents[l] = parents[r] = i
    return {
        "base_weights": [0.0] * n, "categories": flat, "categories_nodes": nodes,
        "categories_segments": segments, "categories_sizes": sizes,
        "default_left": default_left or [0] * n, "id": 0, "left_children": left,
        "loss_changes": [0.0] * n, "parents": parents, "right_children": right,
        "split_conditions": condition, "split_indices": feature,
        "split_type": split_type or [0] * n, "sum_hessian": [10.0] * n,
        "tree_param": {"num_deleted": "0", "num_feature": "3", "num_nodes": str(n), "size_leaf_vector": "1"},
    }


def model(trees, tree_info, objective="binary:logistic", num_class="0", base_score="5E-1"):
    for i, t in enumerate(trees):
        t["id"] = i
    return {
        "learner": {
            "attributes": {}, "feature_names": ["f0", "f1", "f2"], "feature_types": ["float", "float", "float"],
            "gradient_booster": {
                "model": {"gbtree_model_param": {"num_parallel_tree": "1", "num_trees": str(len(trees))},
                          "iteration_indptr": list(range(len(trees) + 1)), "tree_info": tree_info, "trees": trees},
                "name": "gbtree"},
            "learner_model_param": {"base_score": base_score, "boost_from_average": "1", "num_class": num_class,
                                    "num_feature": "3", "num_target": "1"},
            "learner_train_param": {"booster": "gbtree", "objective": objective},
            "objective": {"name": objective, "reg_loss_param": {"scale_pos_weight": "1"}}},
        "version": [2, 1, 4],
    }


def binary():
    """Two trees over three features: f0 < 0.5 then f1 < 1; and f2 < -1."""
    t0 = tree([1, 3, -1, -1, -1], [2, 4, -1, -1, -1], [0, 1, 0, 0, 0], [0.5, 1.0, 0.3, -0.2, 0.1], [1, 0, 0, 0, 0])
    t1 = tree([1, -1, -1], [2, -1, -1], [2, 0, 0], [-1.0, 0.05, -0.05])
    return model([t0, t1], [0, 0])


def categorical():
    """One tree whose root sends categories 1 and 3 of f2 right."""
    t0 = tree([1, -1, -1], [2, -1, -1], [2, 0, 0], [0.0, -0.4, 0.6], split_type=[1, 0, 0], categories={0: [1, 3]})
    return model([t0], [0])


def multiclass():
    """Three classes, one stump per class."""
    trees = [tree([1, -1, -1], [2, -1, -1], [k, 0, 0], [0.25 * k, -0.1, 0.2]) for k in range(3)]
    return model(trees, [0, 1, 2], objective="multi:softprob", num_class="3", base_score="[5E-1,5E-1,5E-1]")


# ---- UBJSON as XGBoost writes it: big-endian, typed and counted numeric arrays ----

def ubj_length(n):
    return b"L" + struct.pack(">q", n)


def ubj(value):
    if isinstance(value, dict):
        out = b"{"
        for key in sorted(value):
            k = key.encode()
            out += ubj_length(len(k)) + k + ubj(value[key])
        return out + b"}"
    if isinstance(value, list):
        if value and all(isinstance(v, bool) for v in value):
            return b"[$U#" + ubj_length(len(value)) + bytes(int(v) for v in value)
        if value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return b"[$l#" + ubj_length(len(value)) + b"".join(struct.pack(">i", v) for v in value)
        if value and all(isinstance(v, float) for v in value):
            return b"[$d#" + ubj_length(len(value)) + b"".join(struct.pack(">f", v) for v in value)
        return b"[" + b"".join(ubj(v) for v in value) + b"]"
    if isinstance(value, bool):
        return b"T" if value else b"F"
    if isinstance(value, int):
        return b"L" + struct.pack(">q", value)
    if isinstance(value, float):
        return b"d" + struct.pack(">f", value)
    if isinstance(value, str):
        s = value.encode()
        return b"S" + ubj_length(len(s)) + s
    raise TypeError(value)


def floats(doc):
    """Floats where XGBoost writes them as float arrays (so UBJSON gets typed 'd' arrays)."""
    for t in doc["learner"]["gradient_booster"]["model"]["trees"]:
        for key in ("base_weights", "loss_changes", "split_conditions", "sum_hessian"):
            t[key] = [float(v) if isinstance(v, (int, float)) else v for v in t[key]]
    return doc


CASES = []  # (file name, bytes, error code, [substrings])


def case(name, doc, code, parts, formats=("json", "ubj")):
    doc = floats(doc)
    for fmt in formats:
        if fmt == "json":
            data = json.dumps(doc, separators=(",", ":"), allow_nan=True).encode()
        else:
            data = ubj(doc)
        CASES.append((f"{name}.{fmt}", data, code, parts))


def edit(base, change):
    doc = copy.deepcopy(base)
    change(doc)
    return doc


def t0(doc):
    return doc["learner"]["gradient_booster"]["model"]["trees"][0]


def params(doc):
    return doc["learner"]["learner_model_param"]


DELETED = 2**31 - 1  # split_indices of a node XGBoost deleted when pruning (exact tree method with gamma)


def with_deleted_nodes(doc):
    """Tree 0 with two unreachable nodes appended, as XGBoost keeps the nodes it pruned."""
    t = t0(doc)
    for key, value in (("base_weights", 0.0), ("default_left", 0), ("left_children", -1), ("loss_changes", 0.0),
                       ("parents", 2), ("right_children", -1), ("split_conditions", 0.7), ("split_indices", DELETED),
                       ("split_type", 0), ("sum_hessian", 1.0)):
        t[key] += [value, value]
    t["tree_param"]["num_nodes"] = str(len(t["left_children"]))
    t["tree_param"]["num_deleted"] = "2"


def build():
    b, cat, multi = binary(), categorical(), multiclass()
    for name, doc in (("valid_binary", b), ("valid_categorical", cat), ("valid_multiclass", multi),
                      ("valid_deleted_nodes", edit(b, with_deleted_nodes))):
        case(name, doc, "ok", [])

    # Tree structure.
    case("child_out_of_range", edit(b, lambda d: t0(d)["left_children"].__setitem__(1, 7)), "invalid_model",
         [f"{TREES}/0/left_children/1", "index 7 out of range [0, 5)"])
    case("self_loop", edit(b, lambda d: t0(d)["right_children"].__setitem__(1, 1)), "invalid_model",
         [f"{TREES}/0/right_children/1", "node 1 is its own child"])
    case("cycle", edit(b, lambda d: t0(d)["left_children"].__setitem__(1, 0)), "invalid_model",
         [f"{TREES}/0/left_children/1", "node 0 is reached twice"])
    case("shared_child", edit(b, lambda d: t0(d)["right_children"].__setitem__(1, 2)), "invalid_model",
         [f"{TREES}/0/right_children/1", "node 2 is reached twice"])
    case("lone_child", edit(b, lambda d: t0(d)["right_children"].__setitem__(1, -1)), "invalid_model",
         [f"{TREES}/0/left_children/1", "node 1 has one child only"])
    case("negative_child", edit(b, lambda d: t0(d)["left_children"].__setitem__(0, -2)), "invalid_model",
         [f"{TREES}/0/left_children/0", "-2 out of range"])
    case("feature_out_of_range", edit(b, lambda d: t0(d)["split_indices"].__setitem__(1, 3)), "invalid_model",
         [f"{TREES}/0/split_indices/1", "split feature 3 >= num_feature 3"])
    case("deleted_marker_on_split", edit(b, lambda d: t0(d)["split_indices"].__setitem__(1, DELETED)), "invalid_model",
         [f"{TREES}/0/split_indices/1", f"{DELETED} out of range"])
    case("nan_threshold", edit(b, lambda d: t0(d)["split_conditions"].__setitem__(0, math.nan)), "invalid_model",
         [f"{TREES}/0/split_conditions/0", "expected a finite number, got NaN"])
    case("infinite_leaf", edit(b, lambda d: t0(d)["split_conditions"].__setitem__(2, math.inf)), "invalid_model",
         [f"{TREES}/0/split_conditions/2", "expected a finite number"])
    case("negative_cover", edit(b, lambda d: t0(d)["sum_hessian"].__setitem__(3, -1.0)), "invalid_model",
         [f"{TREES}/0/sum_hessian/3", "negative cover"])
    case("threshold_not_a_number", edit(b, lambda d: t0(d)["split_conditions"].__setitem__(0, "abc")),
         "invalid_model", [f"{TREES}/0/split_conditions/0", "expected a number, got \"abc\""])

    # Array lengths.
    case("short_split_conditions", edit(b, lambda d: t0(d)["split_conditions"].pop()), "invalid_model",
         [f"{TREES}/0/split_conditions", "length 4 differs from tree_param/num_nodes 5"])
    case("long_default_left", edit(b, lambda d: t0(d)["default_left"].append(0)), "invalid_model",
         [f"{TREES}/0/default_left", "length 6 differs from tree_param/num_nodes 5"])
    case("missing_left_children", edit(b, lambda d: t0(d).pop("left_children")), "invalid_model",
         [f"{TREES}/0: missing member \"left_children\""])
    case("tree_info_short", edit(b, lambda d: d["learner"]["gradient_booster"]["model"]["tree_info"].pop()),
         "invalid_model", ["/learner/gradient_booster/model/tree_info", "length 1 differs from the number of trees 2"])
    case("num_trees_disagrees",
         edit(b, lambda d: d["learner"]["gradient_booster"]["model"]["gbtree_model_param"].__setitem__("num_trees", "3")),
         "invalid_model", ["/learner/gradient_booster/model/gbtree_model_param/num_trees", "declares 3 trees, the model has 2"])

    # Classes and base_score.
    case("num_class_without_softmax", edit(b, lambda d: params(d).__setitem__("num_class", "3")), "invalid_model",
         ["/learner/learner_model_param/num_class", "num_class 3 does not fit objective binary:logistic"])
    case("tree_info_class_out_of_range",
         edit(multi, lambda d: d["learner"]["gradient_booster"]["model"]["tree_info"].__setitem__(2, 3)),
         "invalid_model", ["/learner/gradient_booster/model/tree_info/2", "3 out of range [0, 2]"])
    case("softmax_without_classes", edit(multi, lambda d: params(d).__setitem__("num_class", "1")), "invalid_model",
         ["/learner/learner_model_param/num_class", "num_class 1 does not fit objective multi:softprob"])
    case("base_score_count", edit(multi, lambda d: params(d).__setitem__("base_score", "[5E-1,5E-1]")),
         "invalid_model", ["/learner/learner_model_param/base_score", "2 values for 3 outputs"])
    case("base_score_outside_0_1", edit(b, lambda d: params(d).__setitem__("base_score", "1.5E0")), "invalid_model",
         ["/learner/learner_model_param/base_score", "1.5 is not a valid base_score for binary:logistic"])
    case("base_score_not_a_number", edit(b, lambda d: params(d).__setitem__("base_score", "[half]")), "invalid_model",
         ["/learner/learner_model_param/base_score", "expected a finite number, got \"half\""])
    case("unknown_objective", edit(b, lambda d: d["learner"]["objective"].__setitem__("name", "reg:mystery")),
         "invalid_model", ["/learner/objective/name", "unsupported objective \"reg:mystery\""])
    case("dart_booster", edit(b, lambda d: d["learner"]["gradient_booster"].__setitem__("name", "dart")),
         "invalid_model", ["/learner/gradient_booster/name", "unsupported booster \"dart\""])
    case("multi_target", edit(b, lambda d: params(d).__setitem__("num_target", "2")), "invalid_model",
         ["/learner/learner_model_param/num_target", "multi-target models are not supported"])
    case("feature_names_count", edit(b, lambda d: d["learner"]["feature_names"].pop()), "invalid_model",
         ["/learner/feature_names", "2 names for num_feature 3"])

    # Category bitsets.
    case("category_negative", edit(cat, lambda d: t0(d)["categories"].__setitem__(0, -1)), "invalid_model",
         [f"{TREES}/0/categories/0", "-1 out of range [0, 16777215]"])
    case("category_segment_overflow", edit(cat, lambda d: t0(d)["categories_sizes"].__setitem__(0, 5)),
         "invalid_model", [f"{TREES}/0/categories_sizes/0", "5 out of range [1, 2]"])
    case("category_on_numeric_split", edit(cat, lambda d: t0(d)["split_type"].__setitem__(0, 0)), "invalid_model",
         [f"{TREES}/0/categories_nodes/0", "node 0 is not a categorical split"])
    case("category_on_leaf", edit(cat, lambda d: t0(d)["categories_nodes"].__setitem__(0, 1)), "invalid_model",
         [f"{TREES}/0/categories_nodes/0", "node 1 is not a categorical split"])
    case("category_lists_disagree", edit(cat, lambda d: t0(d)["categories_segments"].append(0)), "invalid_model",
         [f"{TREES}/0/categories_segments", "length 2 differs from categories_nodes 1"])
    case("categorical_split_without_categories",
         edit(cat, lambda d: [t0(d)[k].clear() for k in ("categories", "categories_nodes", "categories_segments",
                                                         "categories_sizes")]),
         "invalid_model", [f"{TREES}/0/split_type/0", "categorical split 0 has no categories"])

    # Syntax: JSON positions are line:column, UBJSON positions byte offsets.
    text = json.dumps(floats(binary()), separators=(",", ":")).encode()
    CASES.append(("truncated.json", text[: len(text) // 2], "parse",
                  ["line 1, column 768", f"{TREES}/1", "unterminated string"]))
    CASES.append(("trailing_comma.json", b'{"learner": {"feature_names": ["a",]}}', "parse",
                  ["line 1, column 36", "/learner/feature_names/1", "unexpected ']'"]))
    CASES.append(("bad_literal.json", b'{\n  "learner": tru\n}', "parse", ["line 2, column 14", "invalid literal"]))
    twice = text.replace(b'"tree_info":', b'"trees":[],"tree_info":', 1)
    CASES.append(("duplicate_trees.json", twice, "invalid_model",
                  ["/learner/gradient_booster/model/trees", "duplicate member \"trees\""]))
    blob = ubj(floats(binary()))
    CASES.append(("truncated.ubj", blob[: len(blob) // 2], "parse",
                  ["UBJSON byte 1224", f"{TREES}/1", "unexpected end of input"]))
    CASES.append(("absurd_count.ubj", b"{L\x00\x00\x00\x00\x00\x00\x00\x07version[#L\x40" + b"\x00" * 7 + b"}",
                  "parse", ["UBJSON byte 28", "/version", "count 4611686018427387904 exceeds the 1 bytes left"]))
    CASES.append(("absurd_typed_count.ubj", b"{L\x00\x00\x00\x00\x00\x00\x00\x07version[$d#L\x00\x00\x00\x00\x10"
                  + b"\x00" * 3 + b"}", "parse", ["UBJSON byte 30", "/version", "count 268435456 exceeds the 1 bytes left"]))
    CASES.append(("absurd_string.ubj", b"{L\x00\x00\x00\x00\x00\x00\x00\x07versionSL\x7f" + b"\xff" * 7 + b"}",
                  "parse", ["UBJSON byte 27", "/version", "9223372036854775807 bytes declared, 1 left"]))
    CASES.append(("negative_length.ubj", b"{L\x00\x00\x00\x00\x00\x00\x00\x07versionSi\xff}", "parse",
                  ["UBJSON byte 20", "/version", "negative length -1"]))
    CASES.append(("unknown_marker.ubj", b"{L\x00\x00\x00\x00\x00\x00\x00\x07version\x01}", "parse",
                  ["UBJSON byte 18", "/version", "unknown marker 0x01"]))
    CASES.append(("wrong_type.ubj", ubj({"learner": [1, 2]}), "invalid_model",
                  ["UBJSON byte 17", "/learner", "expected an object, got an array"]))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    build()
    expected = []
    for name, data, code, parts in CASES:
        (OUT / name).write_bytes(data)
        expected.append({"file": name, "code": code, "contains": parts})
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main()
