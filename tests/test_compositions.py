"""Compositions (OneOf, SomeOf, RandomOrder, Sequential, OneOrOther, SelectiveChannelTransform and a
nested Compose) and NoOp: their choice statistics against albumentationsx 2.5.1's rules (and against the
reference itself), edge cases, determinism, the fusion of geometry across their boundaries,
subclasses, and instance binding through them.

Which children ran, and in what order, is read off the output: every child is one of a few
deterministic transforms with distinguishable effects that do not commute (see LETTERS), the output
of every possible sequence of them is computed with a plain Compose, and each call's output is
classified by exact equality. Sequences that give the same output (HH = nothing, CC = C, ...) form
one outcome, whose expected probability is the sum of theirs."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import instaug as A

from helpers import import_reference

IMAGE = np.random.default_rng(0).integers(0, 256, (6, 8, 3), dtype=np.uint8)
CALLS = 4000  # per distribution: one standard error is at most 0.008
Z = 4.5  # tolerance, in binomial standard errors

# H and C do not commute (C drops the right column), T does not commute with either (it shifts the
# content one pixel left and fills the right column with zeros), TT differs from T, HH is the
# identity and CC equals C. V commutes with H and C: it is only used where order does not matter.
LETTERS = {
    "H": lambda lib, p: lib.HorizontalFlip(p=p),
    "V": lambda lib, p: lib.VerticalFlip(p=p),
    "C": lambda lib, p: lib.Crop(x_min=0, y_min=0, x_max=7, y_max=6, p=p),
    "T": lambda lib, p: lib.Affine(translate_px={"x": (-1, -1), "y": (0, 0)}, p=p),
}

# Subclasses: they run as the transform they derive from.


class MyFlip(A.HorizontalFlip):
    pass


class MyOneOf(A.OneOf):
    pass


class MyCrop(A.Crop):
    def __init__(self, p: float = 1.0) -> None:
        super().__init__(x_min=0, y_min=0, x_max=7, y_max=6, p=p)


# --- pipeline specs, built for either library, and the reference's probability rules on them ---

Spec = tuple  # ("leaf", letter, p) or (kind, [child specs], {constructor arguments})
Dist = dict  # sequence of letters applied (a tuple) -> probability

DEFAULT_P = {
    "OneOf": 0.5,
    "Sequential": 0.5,
    "OneOrOther": 0.5,
    "SomeOf": 1.0,
    "RandomOrder": 1.0,
    "Compose": 1.0,
}


def leaf(letter: str, p: float = 1.0) -> Spec:
    return ("leaf", letter, p)


def comp(kind: str, children: list, **args: Any) -> Spec:
    return (kind, children, args)


def spec_p(spec: Spec) -> float:
    if spec[0] == "leaf":
        return spec[2]
    return spec[2].get("p", DEFAULT_P[spec[0]])


def is_reference(lib: ModuleType) -> bool:
    return lib is not A


def compose(lib: ModuleType, transforms: list, **kwargs: Any) -> Any:
    if is_reference(lib):
        kwargs.setdefault("telemetry", False)
    return lib.Compose(transforms, **kwargs)


def build(lib: ModuleType, spec: Spec) -> Any:
    if spec[0] == "leaf":
        return LETTERS[spec[1]](lib, spec[2])
    kind, children, args = spec
    built = [build(lib, c) for c in children]
    args = dict(args)
    if kind == "OneOrOther" and not args.pop("as_list", False):
        return lib.OneOrOther(first=built[0], second=built[1], **args)
    if kind == "OneOrOther":
        return lib.OneOrOther(transforms=built, **args)
    if kind == "Compose":
        return compose(lib, built, **args)
    return getattr(lib, kind)(built, **args)


def mix(parts: list[tuple[float, Dist]]) -> Dist:
    out: Dist = {}
    for weight, dist in parts:
        for seq, prob in dist.items():
            if weight * prob > 0:
                out[seq] = out.get(seq, 0.0) + weight * prob
    return out


def chain(dists: list[Dist]) -> Dist:
    out: Dist = {(): 1.0}
    for dist in dists:
        out = mix([(p, {seq + tail: q for tail, q in dist.items()}) for seq, p in out.items()])
    return out


def model(spec: Spec, forced: bool = False) -> Dist:
    """The distribution of applied sequences under the reference's rules (research report §0, §1):
    a container checks its own p first, unless forced; OneOf forces one child chosen with weights
    p_i / sum(p); SomeOf / RandomOrder draw n children uniformly (SomeOf runs them in list order,
    RandomOrder as drawn), each rolling its own p; Sequential and a nested Compose run every child
    with its own p; OneOrOther has no coin of its own: p picks the first (else the last) child, forced."""
    if spec[0] == "leaf":
        _, letter, p = spec
        return {(letter,): 1.0} if forced or p >= 1 else mix([(p, {(letter,): 1.0}), (1 - p, {(): 1.0})])
    kind, children, args = spec
    p = spec_p(spec)
    if kind == "OneOrOther":
        return mix([(p, model(children[0], True)), (1 - p, model(children[-1], True))])
    if not children:
        inner: Dist = {(): 1.0}
    elif kind == "OneOf":
        total = sum(spec_p(c) for c in children)
        inner = mix([(spec_p(c) / total, model(c, True)) for c in children])
    elif kind in ("SomeOf", "RandomOrder"):
        n, k = args.get("n", 1), len(children)
        if args.get("replace", False):
            draws = list(itertools.product(range(k), repeat=n))
        else:
            draws = list(itertools.permutations(range(k), min(n, k)))
        if kind == "SomeOf":
            draws = [tuple(sorted(d)) for d in draws]
        inner = mix([(1 / len(draws), chain([model(children[i]) for i in d])) for d in draws])
    else:  # Sequential, Compose
        inner = chain([model(c) for c in children])
    own = 1.0 if forced else p
    return mix([(1 - own, {(): 1.0}), (own, inner)])


# --- classifying outputs -------------------------------------------------------------------------


def key(image: np.ndarray) -> tuple:
    return (image.shape, image.dtype.str, image.tobytes())


def name(seqs: list[tuple]) -> str:
    return "/".join("".join(s) or "-" for s in seqs)


def outcome_table(lib: ModuleType, letters: str, longest: int) -> dict[tuple, str]:
    """Output -> the name of the outcome: every sequence of `letters` of length <= `longest` that
    gives it ('-' is the empty sequence)."""
    groups: dict[tuple, list] = {}
    for length in range(longest + 1):
        for seq in itertools.product(letters, repeat=length):
            image = compose(lib, [LETTERS[x](lib, 1.0) for x in seq])(image=IMAGE)["image"]
            groups.setdefault(key(image), []).append(seq)
    return {k: name(seqs) for k, seqs in groups.items()}


def letters_of(spec: Spec) -> str:
    if spec[0] == "leaf":
        return spec[1]
    return "".join(sorted(set("".join(letters_of(c) for c in spec[1]))))


def expected_by_outcome(dist: Dist, table: dict[tuple, str]) -> dict[str, float]:
    """The expected probability of each outcome: the sum over the sequences that give it."""
    by_seq = {seq_name: outcome for outcome in table.values() for seq_name in outcome.split("/")}
    expected = dict.fromkeys(table.values(), 0.0)
    for seq, prob in dist.items():
        seq_name = name([seq])
        assert seq_name in by_seq, f"test setup: {seq} is longer than the outcome table"
        expected[by_seq[seq_name]] += prob
    return expected


def run(lib: ModuleType, spec: Spec, calls: int, seed: int = 0) -> list[np.ndarray]:
    pipeline = compose(lib, [build(lib, spec)], seed=seed)
    if is_reference(lib):
        return [pipeline(image=IMAGE)["image"] for _ in range(calls)]
    return [out["image"] for out in pipeline.batch([{"image": IMAGE}] * calls)]


def measure(lib: ModuleType, spec: Spec, calls: int = CALLS) -> tuple[Counter, dict[str, float]]:
    """The counts of each outcome over `calls` calls, and the expected probabilities (model)."""
    dist = model(spec)
    table = outcome_table(lib, letters_of(spec), max(3, max(len(s) for s in dist)))
    counts = Counter(table.get(key(image), "UNEXPECTED OUTPUT") for image in run(lib, spec, calls))
    return counts, expected_by_outcome(dist, table)


def tolerance(prob: float, calls: int) -> float:
    return Z * math.sqrt(prob * (1 - prob) / calls) + 1e-12


def frequency_errors(counts: Counter, expected: dict[str, float], calls: int) -> list[str]:
    errors = []
    for outcome in sorted(set(counts) | set(expected)):
        freq, prob = counts.get(outcome, 0) / calls, expected.get(outcome, 0.0)
        if abs(freq - prob) > tolerance(prob, calls):
            errors.append(
                f"{outcome}: measured {freq:.4f}, expected {prob:.4f} (+- {tolerance(prob, calls):.4f})"
            )
    return errors


def table_text(counts: Counter, expected: dict[str, float], calls: int) -> str:
    rows = sorted(set(counts) | set(expected))
    return "\n".join(f"  {r:>16}: {counts.get(r, 0) / calls:.4f} vs {expected.get(r, 0.0):.4f}" for r in rows)


# --- 1. distributions ----------------------------------------------------------------------------


def H(p: float = 1.0) -> Spec:
    return leaf("H", p)


def V(p: float = 1.0) -> Spec:
    return leaf("V", p)


def C(p: float = 1.0) -> Spec:
    return leaf("C", p)


def T(p: float = 1.0) -> Spec:
    return leaf("T", p)


DISTRIBUTIONS = {
    "oneof_weights_p1": comp("OneOf", [H(1), V(0.5), C(0.25)], p=1),
    "oneof_weights_p0.5": comp("OneOf", [H(1), V(0.5), C(0.25)], p=0.5),
    "oneof_default_p": comp("OneOf", [H(), V()]),
    "oneof_zero_weight_child": comp("OneOf", [H(0), V(1)], p=1),
    "oneof_forces_a_container": comp("OneOf", [comp("Sequential", [H(), C()], p=0.5), V()], p=1),
    "someof_n2_child_p": comp("SomeOf", [H(1), C(0.5), T(0.25)], n=2),
    "someof_n2_p1_children": comp("SomeOf", [H(), C(), T()], n=2),
    "someof_n2_own_p0.5": comp("SomeOf", [H(), C(), T()], n=2, p=0.5),
    "someof_n2_replace_child_p": comp("SomeOf", [H(1), C(0.5), T(0.25)], n=2, replace=True),
    "someof_n2_replace_p1_children": comp("SomeOf", [H(), C(), T()], n=2, replace=True),
    "randomorder_n2": comp("RandomOrder", [H(), C(), T()], n=2),
    "randomorder_n3": comp("RandomOrder", [H(), C(), T()], n=3),
    "randomorder_n2_child_p": comp("RandomOrder", [H(1), C(0.5), T(0.25)], n=2),
    "sequential_p0.5": comp("Sequential", [H(0.5), C(0.5)], p=0.5),
    "sequential_default_p": comp("Sequential", [H(), C()]),
    "nested_compose_p0.5": comp("Compose", [H(0.5), C(0.5)], p=0.5),
    "oneorother_p0.8_forced_branches": comp("OneOrOther", [H(0.3), C(0.3)], p=0.8),
    "oneorother_transforms_first_and_last": comp("OneOrOther", [H(), V(), C()], p=0.3, as_list=True),
    "nested_mix": comp(
        "Sequential",
        [comp("OneOf", [H(1), T(1)], p=0.6), comp("RandomOrder", [C(0.5), T(1)], n=1)],
        p=0.9,
    ),
}


def test_model_gives_the_reports_numbers() -> None:
    """The formulas of the research report (§1a), as the model computes them."""
    one_of = model(comp("OneOf", [H(1), V(0.5), C(0.25)], p=0.5))
    assert one_of == pytest.approx({(): 0.5, ("H",): 2 / 7, ("V",): 1 / 7, ("C",): 1 / 14})
    some_of = model(comp("SomeOf", [H(1), C(0.5), T(0.25)], n=2))
    marginal = {x: sum(p * s.count(x) for s, p in some_of.items()) for x in "HCT"}
    assert marginal == pytest.approx({"H": 2 / 3, "C": 1 / 3, "T": 1 / 6})  # (n/k) * p_i
    doubles = model(comp("SomeOf", [H(), C(), T()], n=2, replace=True))
    assert doubles[("H", "C")] == pytest.approx(2 / 9) and doubles[("T", "T")] == pytest.approx(1 / 9)
    sequential = model(comp("Sequential", [H(0.5), C(0.5)], p=0.5))
    assert sequential == pytest.approx({(): 0.625, ("H",): 0.125, ("C",): 0.125, ("H", "C"): 0.125})
    assert model(comp("OneOrOther", [H(0.3), C(0.3)], p=0.8)) == pytest.approx({("H",): 0.8, ("C",): 0.2})


@pytest.mark.parametrize("case", list(DISTRIBUTIONS))
def test_choice_frequencies_follow_the_reference_rules(case: str) -> None:
    counts, expected = measure(A, DISTRIBUTIONS[case])
    errors = frequency_errors(counts, expected, CALLS)
    assert not errors, f"{case}:\n" + "\n".join(errors) + "\n" + table_text(counts, expected, CALLS)


def test_composition_subclass_follows_the_same_rules() -> None:
    spec = comp("OneOf", [H(1), V(0.5), C(0.25)], p=0.5)
    table = outcome_table(A, "CHV", 3)
    pipeline = A.Compose([MyOneOf([build(A, c) for c in spec[1]], p=0.5)], seed=0)
    counts = Counter(
        table.get(key(o["image"]), "UNEXPECTED OUTPUT") for o in pipeline.batch([{"image": IMAGE}] * CALLS)
    )
    expected = expected_by_outcome(model(spec), table)
    errors = frequency_errors(counts, expected, CALLS)
    assert not errors, "\n".join(errors) + "\n" + table_text(counts, expected, CALLS)


@pytest.mark.parametrize("case", ["oneof_weights_p1", "randomorder_n2"])
def test_choice_frequencies_agree_with_the_reference(case: str) -> None:
    ref = import_reference("albumentations", needed_by="test_compositions.py's differential test")
    calls = 3000
    spec = DISTRIBUTIONS[case]
    ours, expected = measure(A, spec, calls)
    theirs, expected_ref = measure(ref, spec, calls)
    # The same deterministic transforms give the same outcome partition in both libraries.
    assert set(expected) == set(expected_ref)
    assert not frequency_errors(theirs, expected, calls), "the reference departs from the model (test setup)"
    errors = []
    for outcome in sorted(set(ours) | set(theirs) | set(expected)):
        a, b = ours.get(outcome, 0) / calls, theirs.get(outcome, 0) / calls
        pooled = (a + b) / 2
        limit = Z * math.sqrt(pooled * (1 - pooled) * 2 / calls) + 1e-12
        if abs(a - b) > limit:
            errors.append(f"{outcome}: instaug {a:.4f}, albumentationsx {b:.4f} (+- {limit:.4f})")
    assert not errors, f"{case}:\n" + "\n".join(errors)


# --- 2. edge cases -------------------------------------------------------------------------------


def outputs(pipeline: A.Compose, calls: int = 200, image: np.ndarray = IMAGE) -> list[np.ndarray]:
    return [o["image"] for o in pipeline.batch([{"image": image}] * calls)]


def plain(*letters: str) -> np.ndarray:
    return A.Compose([LETTERS[x](A, 1.0) for x in letters])(image=IMAGE)["image"]


def test_oneof_with_all_zero_weights_raises() -> None:
    with pytest.raises(ValueError):
        A.OneOf([A.HorizontalFlip(p=0), A.VerticalFlip(p=0)], p=1)


@pytest.mark.parametrize(
    "empty",
    [
        lambda: A.OneOf([], p=1),
        lambda: A.Sequential([], p=1),
        lambda: A.SomeOf([], n=1, p=1),
        lambda: A.RandomOrder([], n=2, p=1),
        lambda: A.Compose([], p=1),
    ],
    ids=["OneOf", "Sequential", "SomeOf", "RandomOrder", "Compose"],
)
def test_empty_compositions_are_no_ops(empty: Any) -> None:
    pipeline = A.Compose([empty(), A.HorizontalFlip(p=1)], seed=0)
    assert all(np.array_equal(o, IMAGE[:, ::-1]) for o in outputs(pipeline, 20))


def test_noop_leaves_everything_as_it_was_and_takes_its_share_as_a_choice() -> None:
    """NoOp returns the image and every row (mask, box, keypoints, labels) as given, whatever its p;
    as a OneOf child its p is its weight like any other child's (the "or nothing" of a OneOf)."""
    rng = np.random.default_rng(2)
    image = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    masks = rng.integers(0, 2, (2, 12, 16), dtype=np.uint8)
    boxes = np.array([[1, 2, 9, 7], [4, 0, 16, 12]], dtype=np.float32)
    points = np.array([[3.5, 4.0], [15.0, 11.0], [0.0, 0.0]], dtype=np.float32)
    for p in (0.0, 0.5, 1.0):
        pipeline = A.Compose(
            [A.NoOp(p=p)],
            bbox_params=A.BboxParams("pascal_voc", label_fields=["labels"]),
            keypoint_params=A.KeypointParams("xy", label_fields=["names"]),
            seed=0,
        )
        for _ in range(10):
            out = pipeline(
                image=image, masks=masks, bboxes=boxes, labels=[3, 4], keypoints=points, names=["a", "b", "c"]
            )
            assert out["image"].dtype == image.dtype and np.array_equal(out["image"], image), p
            assert np.array_equal(np.asarray(out["masks"]), masks)
            np.testing.assert_array_equal(np.asarray(out["bboxes"], dtype=np.float32), boxes)
            np.testing.assert_array_equal(np.asarray(out["keypoints"], dtype=np.float32), points)
            assert list(out["labels"]) == [3, 4] and list(out["names"]) == ["a", "b", "c"]
    choice = A.Compose([A.OneOf([A.NoOp(p=0.5), A.HorizontalFlip(p=1)], p=1)], seed=0)
    got = outputs(choice, CALLS)
    kept = sum(np.array_equal(o, IMAGE) for o in got)
    assert kept + sum(np.array_equal(o, IMAGE[:, ::-1]) for o in got) == CALLS
    assert abs(kept / CALLS - 1 / 3) <= tolerance(1 / 3, CALLS), kept / CALLS  # weights 0.5 : 1


def test_someof_empty_with_replacement_raises() -> None:
    with pytest.raises(ValueError):
        A.SomeOf([], n=1, replace=True)


def test_someof_n_above_the_count_without_replacement_applies_all() -> None:
    pipeline = A.Compose([A.SomeOf([build(A, x) for x in (H(), C(), T())], n=5)], seed=0)
    want = plain("H", "C", "T")
    assert all(o.shape == want.shape and np.array_equal(o, want) for o in outputs(pipeline))


def test_someof_with_replacement_applies_a_child_twice() -> None:
    twice_flip = A.Compose([A.SomeOf([A.HorizontalFlip(p=1)], n=2, replace=True)], seed=0)
    assert all(np.array_equal(o, IMAGE) for o in outputs(twice_flip))  # HH is the identity
    once_flip = A.Compose([A.SomeOf([A.HorizontalFlip(p=1)], n=1, replace=True)], seed=0)
    assert all(np.array_equal(o, IMAGE[:, ::-1]) for o in outputs(once_flip))
    twice_shift = A.Compose([A.SomeOf([LETTERS["T"](A, 1.0)], n=2, replace=True)], seed=0)
    assert all(np.array_equal(o, plain("T", "T")) for o in outputs(twice_shift))
    assert not np.array_equal(plain("T", "T"), plain("T"))


def test_oneorother_with_three_transforms_never_applies_the_middle_one() -> None:
    flip, vflip, crop = A.HorizontalFlip(p=1), A.VerticalFlip(p=1), LETTERS["C"](A, 1.0)
    pipeline = A.Compose([A.OneOrOther(transforms=[flip, vflip, crop], p=0.5)], seed=0)
    seen = Counter(
        "first" if np.array_equal(o, plain("H")) else "last" if o.shape == plain("C").shape else "other"
        for o in outputs(pipeline, 400)
    )
    assert set(seen) == {"first", "last"}, seen
    assert all(np.array_equal(o, plain("C")) for o in outputs(pipeline, 400) if o.shape == plain("C").shape)


def test_oneorother_transforms_take_precedence_over_first_and_second() -> None:
    pipeline = A.Compose(
        [A.OneOrOther(A.VerticalFlip(p=1), A.VerticalFlip(p=1), transforms=[A.HorizontalFlip(p=1)], p=0.5)],
        seed=0,
    )
    assert all(np.array_equal(o, IMAGE[:, ::-1]) for o in outputs(pipeline))


@pytest.mark.parametrize(
    "arguments",
    [{"first": "flip"}, {"second": "flip"}, {}],
    ids=["first_only", "second_only", "neither"],
)
def test_oneorother_without_a_pair_or_a_list_raises(arguments: dict) -> None:
    with pytest.raises(ValueError):
        A.OneOrOther(**{k: A.HorizontalFlip(p=1) for k in arguments}, p=0.5)


@pytest.mark.parametrize(
    ("child", "named"),
    [
        (lambda: A.HorizontalFlip(p=1), "HorizontalFlip"),
        (lambda: A.OneOf([A.RandomGamma(p=1), A.Affine(rotate=(10, 10), p=1)], p=1), "Affine"),
        (lambda: A.Mosaic(p=1), "Mosaic"),
    ],
    ids=["geometric", "nested_geometric", "mixing"],
)
def test_selective_channel_transform_refuses_non_pixel_children(child: Any, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        A.SelectiveChannelTransform([child()], channels=[0, 2])


def test_selective_channel_transform_swaps_only_the_selected_channels() -> None:
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    mask = rng.integers(0, 2, (6, 8), dtype=np.uint8)
    masks = rng.integers(0, 2, (2, 6, 8), dtype=np.uint8)
    boxes = np.array([[0, 0, 1, 2], [2, 1, 7, 5]], dtype=np.float32)
    pipeline = A.Compose(
        [A.SelectiveChannelTransform([A.ChannelShuffle(channel_order=(1, 0), p=1)], channels=[0, 2])],
        bbox_params=A.BboxParams("pascal_voc", label_fields=["labels"]),
    )
    for masks_given in ({"mask": mask}, {"masks": masks}):
        out = pipeline(image=image, bboxes=boxes, labels=[3, 4], **masks_given)
        assert np.array_equal(out["image"], image[:, :, [2, 1, 0]])  # channel 1 untouched, 0 and 2 swapped
        for target, value in masks_given.items():
            assert np.array_equal(np.asarray(out[target]), value)
        np.testing.assert_array_equal(np.asarray(out["bboxes"], dtype=np.float32), boxes)
        assert list(out["labels"]) == [3, 4]


def test_mask_and_masks_in_one_call_both_come_back() -> None:
    """Not about compositions (found while testing SelectiveChannelTransform): the reference returns
    both `mask` and `masks` when a call passes both."""
    rng = np.random.default_rng(1)
    mask = rng.integers(0, 2, (6, 8), dtype=np.uint8)
    masks = rng.integers(0, 2, (2, 6, 8), dtype=np.uint8)
    for transforms in ([], [A.SelectiveChannelTransform([A.ChannelShuffle(channel_order=(1, 0), p=1)])]):
        out = A.Compose(transforms)(image=IMAGE, mask=mask, masks=masks)
        assert set(out) == {"image", "mask", "masks"}
        assert np.array_equal(out["mask"], mask) and np.array_equal(np.asarray(out["masks"]), masks)


@pytest.mark.parametrize(("own_p", "child_p"), [(0.3, 1.0), (1.0, 0.5)])
def test_selective_channel_transform_probabilities(own_p: float, child_p: float) -> None:
    shuffle = A.ChannelShuffle(channel_order=(1, 0), p=child_p)
    pipeline = A.Compose([A.SelectiveChannelTransform([shuffle], channels=[0, 2], p=own_p)], seed=0)
    swapped = IMAGE[:, :, [2, 1, 0]]
    got = outputs(pipeline, CALLS)
    assert all(np.array_equal(o, IMAGE) or np.array_equal(o, swapped) for o in got)
    freq, prob = sum(np.array_equal(o, swapped) for o in got) / CALLS, own_p * child_p
    assert abs(freq - prob) <= tolerance(prob, CALLS), (freq, prob)


def test_selective_channel_transform_channel_out_of_range_raises_at_call() -> None:
    transform = A.SelectiveChannelTransform([A.ChannelShuffle(channel_order=(1, 0), p=1)], channels=[0, 3])
    pipeline = A.Compose([transform])
    with pytest.raises(ValueError):
        pipeline(image=IMAGE)
    four = np.dstack([IMAGE, IMAGE[:, :, :1]])  # a 4-channel image has a channel 3
    assert np.array_equal(pipeline(image=four)["image"], four[:, :, [3, 1, 2, 0]])


# --- 3. determinism ------------------------------------------------------------------------------


def random_pipeline(seed: int) -> A.Compose:
    return A.Compose(
        [
            A.OneOf([A.HorizontalFlip(p=1), A.VerticalFlip(p=0.5), A.RandomGamma(p=0.3)], p=0.7),
            A.SomeOf([LETTERS["T"](A, 0.5), A.ChannelShuffle(p=1), A.RandomBrightnessContrast(p=1)], n=2),
            A.RandomOrder([A.VerticalFlip(p=1), LETTERS["T"](A, 1), A.GaussNoise(p=0.5)], n=2, p=0.8),
        ],
        seed=seed,
    )


def test_same_seed_gives_the_same_sequence_of_outputs() -> None:
    first, second = random_pipeline(11), random_pipeline(11)
    a = [first(image=IMAGE)["image"] for _ in range(60)]
    b = [second(image=IMAGE)["image"] for _ in range(60)]
    assert all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, b))
    assert len({key(x) for x in a}) > 5  # the calls differ from one another
    other = random_pipeline(12)
    c = [other(image=IMAGE)["image"] for _ in range(60)]
    assert not all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, c))


def test_batch_with_two_threads_equals_calls_one_by_one() -> None:
    one_by_one = random_pipeline(5)
    expected = [one_by_one(image=IMAGE)["image"] for _ in range(80)]
    got = [o["image"] for o in random_pipeline(5).batch([{"image": IMAGE}] * 80, num_threads=2)]
    assert len(got) == len(expected)
    assert all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(got, expected))


# --- 4. fusion across composition boundaries -----------------------------------------------------


def test_geometry_fuses_across_composition_boundaries() -> None:
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:64, 0:64]
    smooth = np.stack([2 * xx + yy, 3 * yy + xx, 2 * (xx + yy)], axis=-1) + rng.normal(0, 3, (64, 64, 3))
    image = np.clip(smooth, 0, 255).astype(np.uint8)
    fused = A.Compose(
        [
            A.Sequential([A.Affine(rotate=(30, 30), p=1)], p=1),
            A.OneOf([A.Affine(rotate=(-30, -30), p=1)], p=1),
        ]
    )(image=image)["image"]
    once = A.Compose([A.Affine(rotate=(30, 30), p=1)])(image=image)["image"]
    twice = A.Compose([A.Affine(rotate=(-30, -30), p=1)])(image=once)["image"]
    # The interior (within 29 px of the centre; the first rotation keeps a disc of radius 32): one
    # resampling through the composed identity gives the input back exactly, two do not.
    inside = np.s_[12:52, 12:52]
    assert fused.shape == image.shape
    assert np.array_equal(fused[inside], image[inside])
    unfused_error = np.abs(twice[inside].astype(int) - image[inside].astype(int))
    assert unfused_error.max() >= 2 and unfused_error.mean() > 0.5


# --- 5. subclasses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "transform",
    [
        lambda: MyFlip(p=1),
        lambda: MyOneOf([MyFlip(p=1)], p=1),
        lambda: A.Sequential([MyOneOf([MyFlip(p=1)], p=1)], p=1),
    ],
    ids=["leaf", "composition", "nested"],
)
def test_a_subclass_of_a_transform_works_as_its_base(transform: Any) -> None:
    boxes = np.array([[1, 1, 3, 4], [2, 0, 8, 6], [0, 2, 5, 3]], dtype=np.float32)
    params = A.BboxParams("pascal_voc", label_fields=["labels"])
    ours = A.Compose([transform()], bbox_params=params)(image=IMAGE, bboxes=boxes, labels=[1, 2, 3])
    base = A.Compose([A.HorizontalFlip(p=1)], bbox_params=params)(image=IMAGE, bboxes=boxes, labels=[1, 2, 3])
    assert np.array_equal(ours["image"], IMAGE[:, ::-1])
    assert np.array_equal(ours["image"], base["image"])
    want = np.stack([8 - boxes[:, 2], boxes[:, 1], 8 - boxes[:, 0], boxes[:, 3]], axis=1)
    np.testing.assert_array_equal(np.asarray(ours["bboxes"], dtype=np.float32), want)
    np.testing.assert_array_equal(np.asarray(ours["bboxes"]), np.asarray(base["bboxes"]))
    assert list(ours["labels"]) == [1, 2, 3]


def test_a_subclass_with_its_own_constructor_works() -> None:
    out = A.Compose([A.OneOf([MyCrop()], p=1), MyFlip(p=1)])(image=IMAGE)["image"]
    assert np.array_equal(out, plain("C", "H"))


# --- 6. instance binding through compositions ----------------------------------------------------


def tight_box(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float32)


def test_instances_stay_bound_through_a_composition() -> None:
    rng = np.random.default_rng(4)
    image = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    masks = []
    for y0, y1, x0, x1 in [(1, 4, 2, 7), (5, 11, 9, 15), (0, 12, 0, 3), (8, 10, 4, 6)]:
        m = np.zeros((12, 16), np.uint8)
        m[y0:y1, x0:x1] = 1
        masks.append(m)
    masks[1][5:8, 9:12] = 0  # an L shape: its box is still the rectangle's
    instances = [{"mask": m, "bbox": tight_box(m), "bbox_labels": {}} for m in masks]
    pipeline = A.Compose(
        [A.OneOf([A.HorizontalFlip(p=1), A.VerticalFlip(p=1)], p=1)],
        bbox_params=A.BboxParams("pascal_voc"),
        instance_binding=["masks", "bboxes"],
        seed=0,
    )
    flips = {"horizontal": lambda a: a[:, ::-1], "vertical": lambda a: a[::-1]}
    seen = Counter()
    for _ in range(24):
        out = pipeline(image=image, instances=instances)
        which = [k for k, f in flips.items() if np.array_equal(out["image"], f(image))]
        assert len(which) == 1
        seen[which[0]] += 1
        flip = flips[which[0]]
        assert len(out["instances"]) == len(masks)
        for row, (inst, mask) in enumerate(zip(out["instances"], masks)):
            assert np.array_equal(inst["mask"], flip(mask)), (
                f"row {row}: its mask was not flipped with the image"
            )
            box = np.asarray(inst["bbox"], dtype=np.float32)
            np.testing.assert_array_equal(box, tight_box(inst["mask"]), err_msg=f"row {row}")
    assert set(seen) == set(flips), seen
