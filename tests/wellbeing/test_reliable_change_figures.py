"""The reliable change figures of the questionnaires other than PHQ-9 and GAD-7 (issue 14):
the Jacobson and Truax index from each instrument's published reliability and SD, tested at the
threshold it gives, and no index where no SD could be cited (hazard log H16)."""

from __future__ import annotations

import math

import pytest

from wellbeing.instruments import INSTRUMENTS
from wellbeing.outcomes import reliable_change

PCL_5 = INSTRUMENTS["PCL-5"].reliable_change


def test_the_pcl5_index_is_the_cited_reliability_and_sd():
    assert PCL_5 is not None
    assert (PCL_5.reliability, PCL_5.sd) == (0.82, 12.40)
    assert "Blevins CA" in PCL_5.source
    assert "r = .82" in PCL_5.source
    assert "SD = 12.40" in PCL_5.source
    # 1.96 x SD x sqrt(2) x sqrt(1 - r) (Jacobson and Truax 1991).
    assert PCL_5.threshold == pytest.approx(1.96 * 12.40 * math.sqrt(2 * 0.18))
    assert 14 < PCL_5.threshold < 15


def test_a_pcl5_change_just_over_the_threshold_is_reliable_either_way():
    assert reliable_change("PCL-5", 40, 55) == 1
    assert reliable_change("PCL-5", 55, 40) == -1


def test_a_pcl5_change_just_under_the_threshold_is_not_reliable():
    assert reliable_change("PCL-5", 40, 54) == 0
    assert reliable_change("PCL-5", 54, 40) == 0


@pytest.mark.parametrize("code", ["WSAS", "AUDIT-C"])
def test_wsas_and_auditc_have_no_published_index_and_none_is_invented(code):
    assert INSTRUMENTS[code].reliable_change is None
    with pytest.raises(ValueError, match="no published reliable change index"):
        reliable_change(code, 0, INSTRUMENTS[code].max_total)
