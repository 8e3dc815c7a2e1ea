"""Label groups scored as one (the Evaluate dock's and the CLI's --merge)."""

import numpy as np
import pytest

from napari_seg.metrics import group_names, merge_groups, parse_groups


def test_parse_merge_and_name_groups():
    assert parse_groups("1+2, 3+4") == [(1, 2), (3, 4)] and parse_groups(" ") == []
    lab = np.array([0, 1, 2, 3, 4, 5], np.uint8)
    np.testing.assert_array_equal(merge_groups(lab, [(1, 2), (3, 4)]), [0, 1, 1, 3, 3, 5])
    assert group_names({1: "liver", 2: "tumour"}, [(1, 2)])[1] == "liver + tumour"
    for bad in ("1", "1+x", "1+2, 2+3", "0+1"):
        with pytest.raises(ValueError, match="label groups"):
            parse_groups(bad)
