"""The layer-metadata accessor: one typed getter per entry, for layers and layer data tuples."""

from __future__ import annotations

from types import SimpleNamespace

from napari_seg._napari import _meta
from napari_seg.io import METADATA_KEY


def _layer(name: str = "layer", **metadata):
    return SimpleNamespace(name=name, metadata=metadata)


def test_getters_read_a_layer_and_a_layer_data_tuples_attributes_alike():
    meta = _meta.with_kept({}, source="/data/imagesTr/spleen_2.nii.gz")
    meta = _meta.with_modality(_meta.set_label_names(meta, {"1": "spleen"}), "ct")
    for holder in (_layer(**meta), {"metadata": meta}):
        assert _meta.source_path(holder) == "/data/imagesTr/spleen_2.nii.gz"
        assert _meta.label_names(holder) == {1: "spleen"}  # keys as ints, whatever was stored
        assert _meta.modality(holder) == "CT" and _meta.is_ct(holder)


def test_setters_copy_and_never_change_the_callers_dicts():
    meta = {METADATA_KEY: {"affine": [[1.0]]}}
    out = _meta.with_kept(meta, decathlon={"root": "/t", "case": "c"})
    assert meta == {METADATA_KEY: {"affine": [[1.0]]}}
    assert _meta.kept({"metadata": out}) == {
        "affine": [[1.0]],
        "decathlon": {"root": "/t", "case": "c"},
    }
    assert _meta.decathlon_case({"metadata": out}) == ("/t", "c")


def test_missing_or_foreign_entries_read_as_empty():
    odd = _layer(**{METADATA_KEY: "not a dict", "label_names": ["a", "b"], "role": ""})
    assert _meta.kept(odd) == {} and _meta.source_path(odd) is None
    assert _meta.label_names(odd) == {} and _meta.role(odd) is None
    assert _meta.case_key(odd) is None and not _meta.is_ct(None)
    assert _meta.metadata_of(SimpleNamespace(name="points")) == {}


def test_ground_truth_by_role_first_and_by_name_only_without_one():
    assert _meta.is_ground_truth(_layer("reference", role="ground truth"))
    assert not _meta.is_ground_truth(_layer("otsu spleen ground truth", role="result"))
    assert _meta.is_ground_truth(_layer("liver ground truth"))  # another plugin's layer
    assert not _meta.is_ground_truth(_layer("otsu ct"))


def test_case_key_pairs_an_image_its_label_and_their_results():
    task = {"decathlon": {"root": "/t/Task09", "case": "spleen_2"}}
    image = _layer(**_meta.with_kept({}, source="/t/Task09/imagesTr/spleen_2.nii.gz", **task))
    truth = _layer(**_meta.with_kept({}, source="/t/Task09/labelsTr/spleen_2.nii.gz", **task))
    assert _meta.case_key(image) == _meta.case_key(truth) == ("decathlon", "/t/Task09", "spleen_2")
    a = _layer(**_meta.with_kept({}, source="/scans/imagesTr/liver_7.nii.gz"))
    b = _layer(**_meta.with_kept({}, source="/scans/labelsTr/liver_7.nii.gz"))
    assert _meta.case_key(a) == _meta.case_key(b) == ("file", "liver_7.nii.gz")
