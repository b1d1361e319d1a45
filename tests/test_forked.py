"""nianbao.system.forked: work on what this process holds, shared among forked workers —
the same results, in order, as done here; and a report's spec travels by its id."""

from __future__ import annotations

import pickle

import pytest

from nianbao.model.standard import SPECS
from nianbao.system import forked


def test_shared_gives_the_items_results_in_order_whatever_the_jobs():
    items = list(range(23))
    here = [i * i for i in items]
    for jobs in (1, 2, 3, 30):
        assert forked.shared(lambda i: i * i, items, jobs) == here  # a closure: inherited, never pickled
    assert forked.shared(lambda i: i, [], 2) == []


def test_split_covers_every_item_once_in_order_in_ranges_of_about_equal_length():
    for count in (0, 1, 2, 7, 300):
        for parts in (1, 2, 3, 8):
            ranges = forked.split(count, parts)
            assert [i for part in ranges for i in part] == list(range(count))
            assert len(ranges) == max(1, min(parts, count))
            assert max(map(len, ranges)) - min(map(len, ranges)) <= 1


@pytest.mark.parametrize("spec_id", sorted(SPECS))
def test_a_registered_spec_is_pickled_by_its_id_and_comes_back_as_itself(spec_id):
    spec = SPECS[spec_id]
    assert pickle.loads(pickle.dumps(spec)) is spec
    assert len(pickle.dumps(spec)) < 200  # not the whole standard with every report
    other = spec._replace(name="另一个格式")  # one built on the fly: pickled whole
    back = pickle.loads(pickle.dumps(other))
    assert back == other and back is not other and type(back) is type(spec)
